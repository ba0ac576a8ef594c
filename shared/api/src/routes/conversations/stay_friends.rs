//! `POST /v1/conversations/{id}/stay-friends`: the caller wants to stay friends after this
//! daily conversation (before its end; idempotent). When both have pressed it they become
//! friends, as with two "again" reflections. 200 `{conversationId, stayFriends, friends}`:
//! whether the partner pressed it is never told, only whether the two are friends now.

use chrono::Utc;
use http::StatusCode;
use tandem_domain::ConversationId;

use crate::auth::authenticate;
use crate::edge::dispatch::HandlerResult;
use crate::edge::http::{json_response, path_id};
use crate::services::friendships::stay_friends;
use crate::{App, Request};

pub async fn handle(app: App, request: Request) -> HandlerResult {
    let caller = authenticate(&app, &request).await?;
    let id: ConversationId = path_id(&request, "id")?;
    json_response(StatusCode::OK, &stay_friends(&app, &id, &caller.user_id, Utc::now()).await?)
}
