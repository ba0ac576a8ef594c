use tandem_api::edge::lambda::{Error, serve_http};
use tandem_api::routes::conversations::reflection;

#[tokio::main]
async fn main() -> Result<(), Error> {
    serve_http("conversations-reflection", reflection::handle).await
}
