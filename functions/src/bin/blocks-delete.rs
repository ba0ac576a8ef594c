use tandem_api::lambda::{Error, serve_http};
use tandem_api::routes::blocks::delete;

#[tokio::main]
async fn main() -> Result<(), Error> {
    serve_http(delete::handle).await
}
