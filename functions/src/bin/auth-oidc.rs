use tandem_api::App;
use tandem_api::edge::lambda::{Error, serve_http_with};
use tandem_api::routes::auth::oidc;

#[tokio::main]
async fn main() -> Result<(), Error> {
    serve_http_with("auth-oidc", App::with_oidc, oidc::handle).await
}
