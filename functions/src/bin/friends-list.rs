use tandem_api::edge::lambda::{Error, serve_http};
use tandem_api::routes::friends::list;

#[tokio::main]
async fn main() -> Result<(), Error> {
    serve_http("friends-list", list::handle).await
}
