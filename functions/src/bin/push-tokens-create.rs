use tandem_api::edge::lambda::{Error, serve_http};
use tandem_api::routes::push::tokens_create;

#[tokio::main]
async fn main() -> Result<(), Error> {
    serve_http("push-tokens-create", tokens_create::handle).await
}
