use tandem_api::edge::lambda::{Error, serve_http};
use tandem_api::routes::availability::delete;

#[tokio::main]
async fn main() -> Result<(), Error> {
    serve_http("availability-delete", delete::handle).await
}
