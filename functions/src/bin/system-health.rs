use tandem_api::lambda::{Error, serve_http};
use tandem_api::routes::system::health;

#[tokio::main]
async fn main() -> Result<(), Error> {
    serve_http(health::handle).await
}
