use tandem_api::edge::lambda::{Error, serve_http};
use tandem_api::routes::auth::oidc;

#[tokio::main]
async fn main() -> Result<(), Error> {
    serve_http("auth-oidc", oidc::handle).await
}
