use tandem_api::edge::lambda::{Error, serve_http};
use tandem_api::routes::admin::reports_action;

#[tokio::main]
async fn main() -> Result<(), Error> {
    serve_http("admin-reports-action", reports_action::handle).await
}
