//! `POST /v1/auth/login`: email + password for a new session. Unknown emails and wrong
//! passwords get the same answer after the same work; repeated failures are throttled per
//! email and per client address.

use chrono::Utc;

use super::{Credentials, signed_in};
use crate::edge::dispatch::HandlerResult;
use crate::edge::http::{json_body, source_ip};
use crate::services::accounts::sign_in;
use crate::{App, Request};

pub async fn handle(app: App, request: Request) -> HandlerResult {
    let body: Credentials = json_body(&request)?;
    let client = source_ip(&request);
    signed_in(&sign_in(&app, &body.email, body.password, client.as_deref(), Utc::now()).await?)
}
