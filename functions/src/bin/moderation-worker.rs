use tandem_api::edge::lambda::{Error, serve_worker};
use tandem_api::workers::moderation;

#[tokio::main]
async fn main() -> Result<(), Error> {
    serve_worker("moderation-worker", moderation::handle).await
}
