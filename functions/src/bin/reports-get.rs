use tandem_api::edge::lambda::{Error, serve_http};
use tandem_api::routes::reports::get;

#[tokio::main]
async fn main() -> Result<(), Error> {
    serve_http("reports-get", get::handle).await
}
