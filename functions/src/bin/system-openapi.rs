use tandem_api::lambda::{serve_http, Error};
use tandem_api::routes::system::openapi;

#[tokio::main]
async fn main() -> Result<(), Error> {
    serve_http(openapi::handle).await
}
