use tandem_api::jobs::pairing_sweep;
use tandem_api::lambda::{Error, serve_job};

#[tokio::main]
async fn main() -> Result<(), Error> {
    serve_job(pairing_sweep::handle).await
}
