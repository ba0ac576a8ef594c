use tandem_api::edge::lambda::{Error, serve_http};
use tandem_api::routes::me::ghosting_acknowledge;

#[tokio::main]
async fn main() -> Result<(), Error> {
    serve_http("me-ghosting-acknowledge", ghosting_acknowledge::handle).await
}
