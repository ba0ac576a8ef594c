use tandem_api::edge::lambda::{Error, serve_http};
use tandem_api::routes::admin::prompts_update;

#[tokio::main]
async fn main() -> Result<(), Error> {
    serve_http("admin-prompts-update", prompts_update::handle).await
}
