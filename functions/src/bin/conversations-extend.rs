use tandem_api::lambda::{Error, serve_http};
use tandem_api::routes::conversations::extend;

#[tokio::main]
async fn main() -> Result<(), Error> {
    serve_http(extend::handle).await
}
