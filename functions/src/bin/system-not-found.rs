use tandem_api::edge::lambda::{Error, serve_http};
use tandem_api::routes::system::not_found;

#[tokio::main]
async fn main() -> Result<(), Error> {
    serve_http("system-not-found", not_found::handle).await
}
