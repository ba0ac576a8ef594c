use tandem_api::edge::lambda::{Error, serve_http};
use tandem_api::routes::conversations::extend;

#[tokio::main]
async fn main() -> Result<(), Error> {
    serve_http("conversations-extend", extend::handle).await
}
