use tandem_api::lambda::{serve_http, Error};
use tandem_api::routes::system::version;

#[tokio::main]
async fn main() -> Result<(), Error> {
    serve_http(version::handle).await
}
