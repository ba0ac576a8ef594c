use tandem_api::edge::lambda::{Error, serve_http};
use tandem_api::routes::me::notifications_put;

#[tokio::main]
async fn main() -> Result<(), Error> {
    serve_http("me-notifications-put", notifications_put::handle).await
}
