use tandem_api::edge::lambda::{Error, serve_http};
use tandem_api::routes::system::version;

#[tokio::main]
async fn main() -> Result<(), Error> {
    serve_http("system-version", version::handle).await
}
