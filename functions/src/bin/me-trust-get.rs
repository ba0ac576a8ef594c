use tandem_api::edge::lambda::{Error, serve_http};
use tandem_api::routes::me::trust_get;

#[tokio::main]
async fn main() -> Result<(), Error> {
    serve_http("me-trust-get", trust_get::handle).await
}
