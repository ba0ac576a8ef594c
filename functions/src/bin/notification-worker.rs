use tandem_api::edge::lambda::{Error, serve_worker};
use tandem_api::workers::notifications;

#[tokio::main]
async fn main() -> Result<(), Error> {
    serve_worker("notification-worker", notifications::handle).await
}
