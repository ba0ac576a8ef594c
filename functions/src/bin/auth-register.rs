use tandem_api::lambda::{serve_http, Error};
use tandem_api::routes::auth::register;

#[tokio::main]
async fn main() -> Result<(), Error> {
    serve_http(register::handle).await
}
