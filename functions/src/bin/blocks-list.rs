use tandem_api::edge::lambda::{Error, serve_http};
use tandem_api::routes::blocks::list;

#[tokio::main]
async fn main() -> Result<(), Error> {
    serve_http("blocks-list", list::handle).await
}
