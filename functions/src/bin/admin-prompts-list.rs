use tandem_api::edge::lambda::{Error, serve_http};
use tandem_api::routes::admin::prompts_list;

#[tokio::main]
async fn main() -> Result<(), Error> {
    serve_http("admin-prompts-list", prompts_list::handle).await
}
