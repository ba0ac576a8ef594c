use tandem_api::edge::lambda::{Error, serve_job};
use tandem_api::jobs::conversation_expiry;

#[tokio::main]
async fn main() -> Result<(), Error> {
    serve_job("conversation-expiry", conversation_expiry::handle).await
}
