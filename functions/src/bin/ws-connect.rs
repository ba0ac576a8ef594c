use tandem_api::edge::lambda::{Error, serve_ws};
use tandem_api::routes::ws::connect;

#[tokio::main]
async fn main() -> Result<(), Error> {
    serve_ws("ws-connect", connect::handle).await
}
