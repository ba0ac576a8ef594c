use tandem_api::edge::lambda::{Error, serve_ws};
use tandem_api::routes::ws::default;

#[tokio::main]
async fn main() -> Result<(), Error> {
    serve_ws("ws-default", default::handle).await
}
