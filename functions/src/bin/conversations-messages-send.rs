use tandem_api::edge::lambda::{Error, serve_http};
use tandem_api::routes::conversations::messages_send;

#[tokio::main]
async fn main() -> Result<(), Error> {
    serve_http("conversations-messages-send", messages_send::handle).await
}
