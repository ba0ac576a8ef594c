//! `GET /v1/admin/prompts?kind=icebreaker|daily`: the prompt catalogue, retired prompts
//! included, in creation order.

use chrono::Utc;
use http::StatusCode;
use serde_json::json;
use tandem_domain::prompts::PromptKind;

use crate::auth::authenticate_admin;
use crate::edge::dispatch::HandlerResult;
use crate::edge::http::json_response;
use crate::routes::admin::named;
use crate::services::prompts::catalogue;
use crate::{App, Request};

pub async fn handle(app: App, request: Request) -> HandlerResult {
    authenticate_admin(&app, &request).await?;
    let kind = named(&request, "kind", PromptKind::from_name, PromptKind::ALL.iter().map(|k| k.as_str()))?;
    json_response(StatusCode::OK, &json!({ "prompts": catalogue(&app, kind, Utc::now()).await? }))
}
