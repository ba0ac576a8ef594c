use tandem_api::edge::lambda::{Error, serve_ws};
use tandem_api::routes::ws::send_message;

#[tokio::main]
async fn main() -> Result<(), Error> {
    serve_ws("ws-send-message", send_message::handle).await
}
