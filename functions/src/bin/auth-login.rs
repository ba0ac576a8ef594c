use tandem_api::lambda::{serve_http, Error};
use tandem_api::routes::auth::login;

#[tokio::main]
async fn main() -> Result<(), Error> {
    serve_http(login::handle).await
}
