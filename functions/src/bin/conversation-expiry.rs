use tandem_api::jobs::conversation_expiry;
use tandem_api::lambda::{Error, serve_job};

#[tokio::main]
async fn main() -> Result<(), Error> {
    serve_job(conversation_expiry::handle).await
}
