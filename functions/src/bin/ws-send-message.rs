use tandem_api::lambda::{Error, serve_ws};
use tandem_api::routes::ws::send_message;

#[tokio::main]
async fn main() -> Result<(), Error> {
    serve_ws(send_message::handle).await
}
