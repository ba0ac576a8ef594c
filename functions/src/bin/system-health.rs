use tandem_api::edge::lambda::{Error, serve_http};
use tandem_api::routes::system::health;

#[tokio::main]
async fn main() -> Result<(), Error> {
    serve_http("system-health", health::handle).await
}
