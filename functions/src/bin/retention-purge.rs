use tandem_api::edge::lambda::{Error, serve_job};
use tandem_api::jobs::retention_purge;

#[tokio::main]
async fn main() -> Result<(), Error> {
    serve_job("retention-purge", retention_purge::handle).await
}
