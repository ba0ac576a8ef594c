use tandem_api::lambda::{Error, serve_ws};
use tandem_api::routes::ws::default;

#[tokio::main]
async fn main() -> Result<(), Error> {
    serve_ws(default::handle).await
}
