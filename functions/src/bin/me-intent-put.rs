use tandem_api::edge::lambda::{Error, serve_http};
use tandem_api::routes::me::intent_put;

#[tokio::main]
async fn main() -> Result<(), Error> {
    serve_http("me-intent-put", intent_put::handle).await
}
