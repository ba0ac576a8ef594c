//! `PUT /v1/me/intent` `{intent: deep_talk | light_chat | practise_language |
//! make_local_friend}`: the caller's intent for the current ISO week in their timezone,
//! a soft preference when they are next paired. 200 with `{intent, week, setAt}`.

use chrono::Utc;
use http::StatusCode;
use serde::Deserialize;
use tandem_domain::intent::WeeklyIntent;

use crate::auth::authenticate;
use crate::edge::dispatch::HandlerResult;
use crate::edge::http::{json_body, json_response};
use crate::services::accounts::set_intent;
use crate::{App, Request};

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct Body {
    intent: WeeklyIntent,
}

pub async fn handle(app: App, request: Request) -> HandlerResult {
    let caller = authenticate(&app, &request).await?;
    let body: Body = json_body(&request)?;
    json_response(StatusCode::OK, &set_intent(&app, &caller.user_id, body.intent, Utc::now()).await?)
}
