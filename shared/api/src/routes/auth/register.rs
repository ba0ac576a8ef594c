//! `POST /v1/auth/register`: create an account with email and password, and sign it in.

use chrono::Utc;

use super::{Credentials, signed_in};
use crate::edge::dispatch::HandlerResult;
use crate::edge::http::json_body;
use crate::services::accounts::register;
use crate::{App, Request};

pub async fn handle(app: App, request: Request) -> HandlerResult {
    let body: Credentials = json_body(&request)?;
    signed_in(&register(&app, &body.email, body.password, Utc::now()).await?)
}
