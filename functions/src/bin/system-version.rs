use tandem_api::lambda::{Error, serve_http};
use tandem_api::routes::system::version;

#[tokio::main]
async fn main() -> Result<(), Error> {
    serve_http(version::handle).await
}
