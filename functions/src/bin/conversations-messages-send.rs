use tandem_api::lambda::{Error, serve_http};
use tandem_api::routes::conversations::messages_send;

#[tokio::main]
async fn main() -> Result<(), Error> {
    serve_http(messages_send::handle).await
}
