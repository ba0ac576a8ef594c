use tandem_api::lambda::{Error, serve_http};
use tandem_api::routes::availability::put;

#[tokio::main]
async fn main() -> Result<(), Error> {
    serve_http(put::handle).await
}
