use tandem_api::edge::lambda::{Error, serve_http};
use tandem_api::routes::conversations::panic;

#[tokio::main]
async fn main() -> Result<(), Error> {
    serve_http("conversations-panic", panic::handle).await
}
