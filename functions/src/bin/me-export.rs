use tandem_api::edge::lambda::{Error, serve_http};
use tandem_api::routes::me::export;

#[tokio::main]
async fn main() -> Result<(), Error> {
    serve_http("me-export", export::handle).await
}
