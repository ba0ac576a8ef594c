use tandem_api::edge::lambda::{Error, serve_http};
use tandem_api::routes::matches::today;

#[tokio::main]
async fn main() -> Result<(), Error> {
    serve_http("match-today", today::handle).await
}
