use tandem_api::edge::lambda::{Error, serve_http};
use tandem_api::routes::me::get;

#[tokio::main]
async fn main() -> Result<(), Error> {
    serve_http("me-get", get::handle).await
}
