use tandem_api::edge::lambda::{Error, serve_job};
use tandem_api::jobs::pairing_sweep;

#[tokio::main]
async fn main() -> Result<(), Error> {
    serve_job("pairing-sweep", pairing_sweep::handle).await
}
