//! `POST /v1/auth/login`: email + password for a new session. Unknown emails and wrong
//! passwords get the same answer after the same work; repeated failures are throttled.

use chrono::Utc;

use super::{Credentials, signed_in};
use crate::edge::dispatch::HandlerResult;
use crate::edge::http::json_body;
use crate::services::accounts::sign_in;
use crate::{App, Request};

pub async fn handle(app: App, request: Request) -> HandlerResult {
    let body: Credentials = json_body(&request)?;
    signed_in(&sign_in(&app, &body.email, body.password, Utc::now()).await?)
}
