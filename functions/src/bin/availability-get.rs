use tandem_api::edge::lambda::{Error, serve_http};
use tandem_api::routes::availability::get;

#[tokio::main]
async fn main() -> Result<(), Error> {
    serve_http("availability-get", get::handle).await
}
