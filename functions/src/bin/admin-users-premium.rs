use tandem_api::edge::lambda::{Error, serve_http};
use tandem_api::routes::admin::users_premium;

#[tokio::main]
async fn main() -> Result<(), Error> {
    serve_http("admin-users-premium", users_premium::handle).await
}
