use tandem_api::edge::lambda::{Error, serve_http};
use tandem_api::routes::reports::create;

#[tokio::main]
async fn main() -> Result<(), Error> {
    serve_http("reports-create", create::handle).await
}
