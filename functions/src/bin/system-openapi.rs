use tandem_api::edge::lambda::{Error, serve_http};
use tandem_api::routes::system::openapi;

#[tokio::main]
async fn main() -> Result<(), Error> {
    serve_http("system-openapi", openapi::handle).await
}
