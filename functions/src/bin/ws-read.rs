use tandem_api::lambda::{Error, serve_ws};
use tandem_api::routes::ws::read;

#[tokio::main]
async fn main() -> Result<(), Error> {
    serve_ws(read::handle).await
}
