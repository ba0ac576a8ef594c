use tandem_api::edge::lambda::{Error, serve_http};
use tandem_api::routes::prompts::answer;

#[tokio::main]
async fn main() -> Result<(), Error> {
    serve_http("prompts-answer", answer::handle).await
}
