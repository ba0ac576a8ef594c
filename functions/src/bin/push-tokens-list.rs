use tandem_api::edge::lambda::{Error, serve_http};
use tandem_api::routes::push::tokens_list;

#[tokio::main]
async fn main() -> Result<(), Error> {
    serve_http("push-tokens-list", tokens_list::handle).await
}
