use tandem_api::edge::lambda::{Error, serve_job};
use tandem_api::jobs::push_release;

#[tokio::main]
async fn main() -> Result<(), Error> {
    serve_job("push-release", push_release::handle).await
}
