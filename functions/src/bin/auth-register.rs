use tandem_api::edge::lambda::{Error, serve_http};
use tandem_api::routes::auth::register;

#[tokio::main]
async fn main() -> Result<(), Error> {
    serve_http("auth-register", register::handle).await
}
