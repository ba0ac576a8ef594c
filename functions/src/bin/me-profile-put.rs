use tandem_api::edge::lambda::{Error, serve_http};
use tandem_api::routes::me::profile_put;

#[tokio::main]
async fn main() -> Result<(), Error> {
    serve_http("me-profile-put", profile_put::handle).await
}
