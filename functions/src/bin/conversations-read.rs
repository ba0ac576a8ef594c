use tandem_api::lambda::{Error, serve_http};
use tandem_api::routes::conversations::read;

#[tokio::main]
async fn main() -> Result<(), Error> {
    serve_http(read::handle).await
}
