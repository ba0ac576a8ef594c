use tandem_api::edge::lambda::{Error, serve_http};
use tandem_api::routes::prompts::today;

#[tokio::main]
async fn main() -> Result<(), Error> {
    serve_http("prompts-today", today::handle).await
}
