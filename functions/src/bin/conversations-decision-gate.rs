use tandem_api::edge::lambda::{Error, serve_http};
use tandem_api::routes::conversations::decision_gate;

#[tokio::main]
async fn main() -> Result<(), Error> {
    serve_http("conversations-decision-gate", decision_gate::handle).await
}
