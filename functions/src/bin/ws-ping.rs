use tandem_api::edge::lambda::{Error, serve_ws};
use tandem_api::routes::ws::ping;

#[tokio::main]
async fn main() -> Result<(), Error> {
    serve_ws("ws-ping", ping::handle).await
}
