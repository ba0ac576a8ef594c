use tandem_api::lambda::{Error, serve_ws};
use tandem_api::routes::ws::ping;

#[tokio::main]
async fn main() -> Result<(), Error> {
    serve_ws(ping::handle).await
}
