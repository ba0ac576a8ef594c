use tandem_api::edge::lambda::{Error, serve_http};
use tandem_api::routes::conversations::get;

#[tokio::main]
async fn main() -> Result<(), Error> {
    serve_http("conversations-get", get::handle).await
}
