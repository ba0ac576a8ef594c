use tandem_api::lambda::{Error, serve_http};
use tandem_api::routes::me::profile_put;

#[tokio::main]
async fn main() -> Result<(), Error> {
    serve_http(profile_put::handle).await
}
