use tandem_api::edge::lambda::{Error, serve_http};
use tandem_api::routes::conversations::stay_friends;

#[tokio::main]
async fn main() -> Result<(), Error> {
    serve_http("conversations-stay-friends", stay_friends::handle).await
}
