use tandem_api::edge::lambda::{Error, serve_http};
use tandem_api::routes::auth::login;

#[tokio::main]
async fn main() -> Result<(), Error> {
    serve_http("auth-login", login::handle).await
}
