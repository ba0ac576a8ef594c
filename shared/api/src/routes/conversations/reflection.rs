//! `POST /v1/conversations/{id}/reflection` `{vibe, outcome, tags}`: 201 with the reflection.
//! Once per participant, within 7 days after the conversation ended: 409 `already_reflected`,
//! `conversation_not_ended`, `reflection_window_closed`; 404 for a conversation the caller
//! was not in.

use chrono::Utc;
use http::StatusCode;
use serde::Deserialize;
use tandem_domain::ConversationId;
use tandem_domain::trust::{Reflection, ReflectionOutcome, ReflectionTag};

use crate::auth::authenticate;
use crate::edge::dispatch::HandlerResult;
use crate::edge::http::{json_body, json_response, path_id};
use crate::routes::idempotent;
use crate::services::trust::reflect;
use crate::{App, Request};

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct Body {
    vibe: i64,
    outcome: ReflectionOutcome,
    #[serde(default)]
    tags: Vec<ReflectionTag>,
}

pub async fn handle(app: App, request: Request) -> HandlerResult {
    let caller = authenticate(&app, &request).await?;
    let id: ConversationId = path_id(&request, "id")?;
    idempotent(&app, &request, &caller.user_id, || async {
        let body: Body = json_body(&request)?;
        let reflection = Reflection::new(body.vibe, body.outcome, &body.tags)?;
        let record = reflect(&app, &caller.user_id, &id, reflection, Utc::now()).await?;
        json_response(StatusCode::CREATED, &ReflectionView::of(&record))
    })
    .await
}

/// The reflection as its author sees it: the partner is not named again.
#[derive(serde::Serialize)]
#[serde(rename_all = "camelCase")]
struct ReflectionView<'a> {
    conversation_id: &'a ConversationId,
    #[serde(flatten)]
    reflection: &'a Reflection,
    created_at: chrono::DateTime<Utc>,
}

impl<'a> ReflectionView<'a> {
    fn of(record: &'a crate::services::trust::ReflectionRecord) -> Self {
        Self { conversation_id: &record.conversation_id, reflection: &record.reflection, created_at: record.created_at }
    }
}
