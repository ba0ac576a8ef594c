use tandem_api::edge::lambda::{Error, serve_job};
use tandem_api::jobs::ghost_reminders;

#[tokio::main]
async fn main() -> Result<(), Error> {
    serve_job("ghost-reminders", ghost_reminders::handle).await
}
