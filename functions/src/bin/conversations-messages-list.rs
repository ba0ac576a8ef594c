use tandem_api::edge::lambda::{Error, serve_http};
use tandem_api::routes::conversations::messages_list;

#[tokio::main]
async fn main() -> Result<(), Error> {
    serve_http("conversations-messages-list", messages_list::handle).await
}
