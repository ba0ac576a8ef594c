use tandem_api::edge::lambda::{Error, serve_http};
use tandem_api::routes::auth::refresh;

#[tokio::main]
async fn main() -> Result<(), Error> {
    serve_http("auth-refresh", refresh::handle).await
}
