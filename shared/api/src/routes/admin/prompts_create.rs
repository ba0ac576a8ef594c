//! `POST /v1/admin/prompts` `{kind, text, interests?, active?}`: adds a prompt (201, audited).
//! Icebreakers may name up to 5 interests of the catalogue; daily prompts none.

use chrono::Utc;
use http::StatusCode;
use serde::Deserialize;
use tandem_domain::prompts::{PromptDraft, PromptKind};

use crate::auth::authenticate_admin;
use crate::edge::dispatch::HandlerResult;
use crate::edge::http::{json_body, json_response};
use crate::routes::idempotent;
use crate::services::prompts::create;
use crate::{App, Request};

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct Body {
    kind: PromptKind,
    text: String,
    #[serde(default)]
    interests: Vec<String>,
    #[serde(default = "in_use")]
    active: bool,
}

fn in_use() -> bool {
    true
}

pub async fn handle(app: App, request: Request) -> HandlerResult {
    let admin = authenticate_admin(&app, &request).await?;
    let body: Body = json_body(&request)?;
    let draft = PromptDraft::checked(body.kind, &body.text, body.interests, body.active)?;
    idempotent(&app, &request, &admin.user_id, || async {
        json_response(StatusCode::CREATED, &create(&app, &admin.user_id, body.kind, draft, Utc::now()).await?)
    })
    .await
}
