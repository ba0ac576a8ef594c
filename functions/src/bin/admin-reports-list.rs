use tandem_api::edge::lambda::{Error, serve_http};
use tandem_api::routes::admin::reports_list;

#[tokio::main]
async fn main() -> Result<(), Error> {
    serve_http("admin-reports-list", reports_list::handle).await
}
