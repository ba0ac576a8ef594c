use tandem_api::edge::lambda::{Error, serve_http};
use tandem_api::routes::auth::logout;

#[tokio::main]
async fn main() -> Result<(), Error> {
    serve_http("auth-logout", logout::handle).await
}
