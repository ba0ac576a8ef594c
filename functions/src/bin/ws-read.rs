use tandem_api::edge::lambda::{Error, serve_ws};
use tandem_api::routes::ws::read;

#[tokio::main]
async fn main() -> Result<(), Error> {
    serve_ws("ws-read", read::handle).await
}
