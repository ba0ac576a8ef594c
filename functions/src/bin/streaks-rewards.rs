use tandem_api::edge::lambda::{Error, serve_job};
use tandem_api::jobs::streaks_rewards;

#[tokio::main]
async fn main() -> Result<(), Error> {
    serve_job("streaks-rewards", streaks_rewards::handle).await
}
