use tandem_api::edge::lambda::{Error, serve_http};
use tandem_api::routes::conversations::close;

#[tokio::main]
async fn main() -> Result<(), Error> {
    serve_http("conversations-close", close::handle).await
}
