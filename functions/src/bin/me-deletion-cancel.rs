use tandem_api::edge::lambda::{Error, serve_http};
use tandem_api::routes::me::deletion_cancel;

#[tokio::main]
async fn main() -> Result<(), Error> {
    serve_http("me-deletion-cancel", deletion_cancel::handle).await
}
