use tandem_api::lambda::{Error, serve_http};
use tandem_api::routes::matches::today;

#[tokio::main]
async fn main() -> Result<(), Error> {
    serve_http(today::handle).await
}
