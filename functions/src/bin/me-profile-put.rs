use tandem_api::lambda::{serve_http, Error};
use tandem_api::routes::me::profile_put;

#[tokio::main]
async fn main() -> Result<(), Error> {
    serve_http(profile_put::handle).await
}
