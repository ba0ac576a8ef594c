use tandem_api::lambda::{Error, serve_http};
use tandem_api::routes::auth::register;

#[tokio::main]
async fn main() -> Result<(), Error> {
    serve_http(register::handle).await
}
