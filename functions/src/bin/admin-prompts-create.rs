use tandem_api::edge::lambda::{Error, serve_http};
use tandem_api::routes::admin::prompts_create;

#[tokio::main]
async fn main() -> Result<(), Error> {
    serve_http("admin-prompts-create", prompts_create::handle).await
}
