use tandem_api::edge::lambda::{Error, serve_http};
use tandem_api::routes::me::rewards_get;

#[tokio::main]
async fn main() -> Result<(), Error> {
    serve_http("me-rewards-get", rewards_get::handle).await
}
