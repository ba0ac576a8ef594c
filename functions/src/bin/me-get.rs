use tandem_api::lambda::{serve_http, Error};
use tandem_api::routes::me::get;

#[tokio::main]
async fn main() -> Result<(), Error> {
    serve_http(get::handle).await
}
