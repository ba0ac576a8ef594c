use tandem_api::lambda::{Error, serve_http};
use tandem_api::routes::conversations::messages_list;

#[tokio::main]
async fn main() -> Result<(), Error> {
    serve_http(messages_list::handle).await
}
