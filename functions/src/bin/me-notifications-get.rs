use tandem_api::edge::lambda::{Error, serve_http};
use tandem_api::routes::me::notifications_get;

#[tokio::main]
async fn main() -> Result<(), Error> {
    serve_http("me-notifications-get", notifications_get::handle).await
}
