use tandem_api::edge::lambda::{Error, serve_http};
use tandem_api::routes::blocks::delete;

#[tokio::main]
async fn main() -> Result<(), Error> {
    serve_http("blocks-delete", delete::handle).await
}
