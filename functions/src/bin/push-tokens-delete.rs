use tandem_api::edge::lambda::{Error, serve_http};
use tandem_api::routes::push::tokens_delete;

#[tokio::main]
async fn main() -> Result<(), Error> {
    serve_http("push-tokens-delete", tokens_delete::handle).await
}
