use tandem_api::edge::lambda::{Error, serve_http};
use tandem_api::routes::friends::delete;

#[tokio::main]
async fn main() -> Result<(), Error> {
    serve_http("friends-delete", delete::handle).await
}
