use tandem_api::edge::lambda::{Error, serve_http};
use tandem_api::routes::blocks::create;

#[tokio::main]
async fn main() -> Result<(), Error> {
    serve_http("blocks-create", create::handle).await
}
