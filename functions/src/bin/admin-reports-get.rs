use tandem_api::edge::lambda::{Error, serve_http};
use tandem_api::routes::admin::reports_get;

#[tokio::main]
async fn main() -> Result<(), Error> {
    serve_http("admin-reports-get", reports_get::handle).await
}
