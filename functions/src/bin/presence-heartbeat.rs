use tandem_api::edge::lambda::{Error, serve_http};
use tandem_api::routes::presence::heartbeat;

#[tokio::main]
async fn main() -> Result<(), Error> {
    serve_http("presence-heartbeat", heartbeat::handle).await
}
