use tandem_api::edge::lambda::{Error, serve_http};
use tandem_api::routes::me::deletion_request;

#[tokio::main]
async fn main() -> Result<(), Error> {
    serve_http("me-deletion-request", deletion_request::handle).await
}
