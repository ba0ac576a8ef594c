//! `POST /v1/me/ghosting/acknowledge`: the caller acknowledges their suspension for
//! abandoned conversations; matching resumes (audited). Returns the account; saying it
//! again changes nothing.

use chrono::Utc;
use http::StatusCode;

use crate::auth::authenticate;
use crate::edge::dispatch::HandlerResult;
use crate::edge::http::json_response;
use crate::services::ghosting::acknowledge;
use crate::{App, Request};

pub async fn handle(app: App, request: Request) -> HandlerResult {
    let caller = authenticate(&app, &request).await?;
    json_response(StatusCode::OK, &acknowledge(&app, &caller.user_id, Utc::now()).await?)
}
