use tandem_api::lambda::{Error, serve_http};
use tandem_api::routes::auth::login;

#[tokio::main]
async fn main() -> Result<(), Error> {
    serve_http(login::handle).await
}
