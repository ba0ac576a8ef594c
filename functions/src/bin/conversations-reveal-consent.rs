use tandem_api::edge::lambda::{Error, serve_http};
use tandem_api::routes::conversations::reveal_consent;

#[tokio::main]
async fn main() -> Result<(), Error> {
    serve_http("conversations-reveal-consent", reveal_consent::handle).await
}
