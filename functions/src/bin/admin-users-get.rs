use tandem_api::edge::lambda::{Error, serve_http};
use tandem_api::routes::admin::users_get;

#[tokio::main]
async fn main() -> Result<(), Error> {
    serve_http("admin-users-get", users_get::handle).await
}
