//! `DELETE /v1/friends/{userId}`: ends the friendship (both sides; the friends' conversation
//! closes and both are told). 204, or 404 when they are not friends.

use chrono::Utc;
use http::StatusCode;
use tandem_domain::UserId;

use crate::auth::authenticate;
use crate::edge::dispatch::HandlerResult;
use crate::edge::http::{empty_response, path_id};
use crate::services::friendships::unfriend;
use crate::{App, Request};

pub async fn handle(app: App, request: Request) -> HandlerResult {
    let caller = authenticate(&app, &request).await?;
    let friend: UserId = path_id(&request, "userId")?;
    unfriend(&app, &caller.user_id, &friend, Utc::now()).await?;
    empty_response(StatusCode::NO_CONTENT)
}
