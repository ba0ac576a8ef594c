//! The user's rights over their data (GDPR Art. 15, 17, 20): the export of everything
//! stored about them, and deletion with a grace period (the erasure itself runs in the
//! retention purge once the grace period is over).

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::{Value, json};
use tandem_domain::privacy::{deletion_due, mask};
use tandem_domain::reveal::pseudonym;
use tandem_domain::user::DeletionRequest;
use tandem_domain::{UserId, UserStatus};
use tandem_store::{ErasureOutcome, keys};

use crate::error::ErrorCode;
use crate::services::accounts::account;
use crate::services::availability::leave_pool;
use crate::services::reports::ReportView;
use crate::{ApiError, App};

/// `POST/DELETE /v1/me/deletion`: where the account stands.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DeletionView {
    pub status: UserStatus,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub requested_at: Option<DateTime<Utc>>,
    /// When the account and everything about it is erased, unless cancelled before.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub due_at: Option<DateTime<Utc>>,
}

/// Schedules the caller's deletion a grace period ahead: out of the pool at once, no new
/// matches, sessions kept so the user can cancel. Asking again changes nothing.
pub async fn request_deletion(app: &App, id: &UserId, now: DateTime<Utc>) -> Result<DeletionView, ApiError> {
    let user = account(app, id, now).await?;
    if let Some(pending) = user.deletion.as_ref().filter(|_| user.status == UserStatus::PendingDeletion) {
        return Ok(pending_view(pending));
    }
    if !user.status.may_request_deletion() {
        return Err(ApiError::Conflict {
            code: ErrorCode::DeletionNotAllowed,
            message: format!("an account that is {} cannot schedule its deletion", user.status),
        });
    }
    let request = DeletionRequest { requested_at: now, due_at: deletion_due(now), previous_status: user.status };
    if !app.store.request_deletion(&user, &request).await? {
        return Err(ApiError::Conflict {
            code: ErrorCode::AccountChanged,
            message: "the account changed while scheduling its deletion; try again".into(),
        });
    }
    leave_pool(app, &user, now).await?;
    tracing::info!(user_id = %id, due_at = %request.due_at, "deletion scheduled");
    Ok(pending_view(&request))
}

/// Cancels a scheduled deletion (before it is due); the earlier status comes back.
pub async fn cancel_deletion(app: &App, id: &UserId, now: DateTime<Utc>) -> Result<DeletionView, ApiError> {
    let user = account(app, id, now).await?;
    let previous = user.deletion.as_ref().map(|d| d.previous_status);
    match previous {
        Some(previous)
            if user.status == UserStatus::PendingDeletion && app.store.cancel_deletion(&user, now).await? =>
        {
            tracing::info!(user_id = %id, "deletion cancelled");
            Ok(DeletionView { status: previous, requested_at: None, due_at: None })
        }
        _ => Err(ApiError::Conflict { code: ErrorCode::NoDeletionPending, message: "no deletion is scheduled".into() }),
    }
}

fn pending_view(request: &DeletionRequest) -> DeletionView {
    DeletionView {
        status: UserStatus::PendingDeletion,
        requested_at: Some(request.requested_at),
        due_at: Some(request.due_at),
    }
}

/// Erases an account whose grace period is over (the retention purge calls it): open
/// sockets are closed, then every item about the user goes but the documented tombstones.
/// `false` when it was not due (cancelled, or not yet).
pub async fn erase(app: &App, id: &UserId, now: DateTime<Utc>) -> Result<bool, ApiError> {
    let Some(user) = app.store.user(id, now).await?.filter(|u| u.erasure_due(now)) else {
        return Ok(false);
    };
    app.realtime.disconnect_user(id).await?;
    match app.store.erase_account(&user, now).await? {
        ErasureOutcome::Erased { items } => {
            tracing::info!(user_id = %id, items, "account erased");
            Ok(true)
        }
        ErasureOutcome::NotDue => Ok(false),
    }
}

/// `POST /v1/me/export`: every datum stored about the caller, as one JSON document.
/// Sections follow `docs/data-model.md`'s export table: nothing personal about another
/// user (a partner is reduced to what the caller saw), no secret (password hash, refresh
/// tokens; device tokens masked), no table mechanics.
pub async fn export(app: &App, id: &UserId, now: DateTime<Utc>) -> Result<Value, ApiError> {
    let user = account(app, id, now).await?;
    let stored = app.store.stored_about(&user, now).await?;
    let mut own: BTreeMap<&'static str, Vec<Value>> = BTreeMap::new();
    let mut profile = Value::Null;
    let mut account_view = Value::Null;
    let mut oidc = Vec::new();
    for (sort_key, mut value) in stored.own {
        if sort_key == keys::USER_SORT_KEY {
            profile = value.get("profile").cloned().unwrap_or(Value::Null);
            if let Some(object) = value.as_object_mut() {
                object.remove("profile");
            }
            account_view = value;
            continue;
        }
        if sort_key.starts_with(keys::OIDC_LINKS) {
            oidc.push(value);
            continue;
        }
        let Some((section, mut value)) = in_section(OWN_SECTIONS, &sort_key, value) else { continue };
        if let Some(object) = value.as_object_mut() {
            if let Some(snapshot) = object.get_mut("snapshot").and_then(Value::as_object_mut) {
                // Who the caller was kept apart from is others' acts (blocks, reports).
                snapshot.remove("excluded");
            }
            if let Some(token) = object.get("token").and_then(Value::as_str).map(mask) {
                object.insert("token".into(), json!(token));
            }
        }
        own.entry(section).or_default().push(value);
    }
    if let Some(object) = account_view.as_object_mut() {
        object.insert("hasPassword".into(), json!(stored.has_password));
        object.insert("oidcIdentities".into(), json!(oidc));
    }
    let mut in_conversations: BTreeMap<&'static str, Vec<Value>> = BTreeMap::new();
    for (sort_key, value) in stored.in_conversations {
        if let Some((section, value)) = in_section(CONVERSATION_SECTIONS, &sort_key, value) {
            in_conversations.entry(section).or_default().push(value);
        }
    }
    let revealed: std::collections::HashSet<&str> = stored
        .conversations
        .iter()
        .filter(|c| c["reveal"]["revealedAt"].is_string())
        .filter_map(|c| c["conversationId"].as_str())
        .collect();
    let matches = partner_reduced(app, &user.id, stored.matches, &revealed, now).await?;
    let mut single = |section: &str| own.remove(section).and_then(|mut v| v.pop()).unwrap_or(Value::Null);
    let preferences = single("notificationPreferences");
    let rewards_summary = single("rewards");
    let trust = single("trust");
    let mut take = |section: &str| json!(own.remove(section).unwrap_or_default());
    let document = json!({
        "exportedAt": now,
        "userId": user.id,
        "account": account_view,
        "profile": profile,
        "notificationPreferences": preferences,
        "availability": take("availability"),
        "activeDays": take("activeDays"),
        "presence": take("presence"),
        "matches": matches,
        "conversations": stored.conversations.into_iter().map(|c| conversation_reduced(c, &user.id)).collect::<Vec<_>>(),
        "messages": in_conversations.remove("messages").unwrap_or_default(),
        "readPositions": in_conversations.remove("readPositions").unwrap_or_default(),
        "reminders": in_conversations.remove("reminders").unwrap_or_default(),
        "conversationOutcomes": in_conversations.remove("conversationOutcomes").unwrap_or_default(),
        "recentPartners": take("recentPartners"),
        "blocks": take("blocks"),
        // As `GET /v1/reports/{id}` shows them: what the reporter gave and where it stands,
        // never the admins' resolution (their id, internal note, severity, source).
        "reportsFiled": stored.reports_filed.into_iter().map(ReportView::from).collect::<Vec<_>>(),
        "notices": take("notices"),
        "rewards": {
            "summary": rewards_summary,
            "ledger": take("ledger"),
            "badges": take("badges"),
        },
        "reflections": take("reflections"),
        "friends": take("friends"),
        "promptAnswers": take("promptAnswers"),
        "trust": { "record": trust, "ledger": take("trustLedger") },
        "pushTokens": take("pushTokens"),
        "deferredPushes": take("deferredPushes"),
        "sessions": stored.sessions,
        "connections": stored.connections,
        "audit": {
            "asActor": stored.audit_as_actor,
            "asSubject": stored.audit_as_subject.into_iter().map(action_on_account).collect::<Vec<_>>(),
        },
    });
    Ok(document)
}

/// An action taken on the user's account, as they may see it: what, when and for how long;
/// never who took it, the report it came from or the admins' internal note.
fn action_on_account(entry: Value) -> Value {
    json!({ "action": entry["action"], "at": entry["at"], "days": entry["metadata"]["days"] })
}

/// Each section of the export: the sort-key prefix of its items (`tandem_store::keys`) and
/// the fields it shows. An allow-list: a field added to an item later is not exported until
/// it is named here (and then in `docs/data-model.md`'s export table).
struct Section {
    prefix: &'static str,
    name: &'static str,
    fields: &'static [&'static str],
}

/// The sections of items in the user's own partition. What is not here is not exported:
/// the account itself and its OIDC links (shaped apart), and what the caller may not see
/// (who reported or blocked them: the other user's act).
const OWN_SECTIONS: &[Section] = &[
    Section {
        prefix: keys::AVAILABILITY,
        name: "availability",
        // Not `lateExclusions`: who blocked the caller is the other user's act.
        fields: &["userId", "day", "state", "utcOffsetMinutes", "queuedAt", "snapshot", "matchId", "conversationId"],
    },
    Section { prefix: keys::ACTIVE_DAYS, name: "activeDays", fields: &["userId", "day", "endsAt"] },
    Section { prefix: keys::PRESENCE, name: "presence", fields: &["lastSeen"] },
    Section { prefix: keys::BLOCKS, name: "blocks", fields: &["other", "createdAt", "reason"] },
    Section { prefix: keys::PAIRED, name: "recentPartners", fields: &["other", "createdAt"] },
    Section {
        prefix: keys::NOTICES,
        name: "notices",
        fields: &["noticeId", "userId", "kind", "reason", "message", "at"],
    },
    Section {
        prefix: keys::PUSH_TOKENS,
        name: "pushTokens",
        // `token` is masked below; never the SNS endpoint.
        fields: &["tokenId", "userId", "platform", "token", "status", "createdAt", "updatedAt"],
    },
    Section { prefix: keys::NOTIFICATION_PREFS, name: "notificationPreferences", fields: &["prefs"] },
    Section { prefix: keys::DEFERRED_PUSHES, name: "deferredPushes", fields: &["userId", "push", "dueAt", "status"] },
    Section { prefix: keys::REWARDS, name: "rewards", fields: &["points", "streak", "badges"] },
    Section {
        prefix: keys::LEDGER,
        name: "ledger",
        fields: &["day", "kind", "badge", "points", "conversationId", "awardedAt"],
    },
    Section { prefix: keys::BADGES, name: "badges", fields: &["userId", "badge", "day", "earnedAt"] },
    Section {
        prefix: keys::REFLECTIONS,
        name: "reflections",
        // Not `subject`: the reflection is the author's; its subject's id is not repeated.
        fields: &["conversationId", "vibe", "outcome", "tags", "note", "createdAt"],
    },
    Section {
        prefix: keys::FRIENDS,
        name: "friends",
        fields: &["friend", "conversationId", "originConversationId", "since"],
    },
    Section {
        prefix: keys::PROMPT_ANSWERS,
        name: "promptAnswers",
        fields: &["userId", "promptId", "question", "text", "day", "answeredAt"],
    },
    // Before `TRUST`: the ledger's prefix starts with it.
    Section { prefix: keys::TRUST_LEDGER, name: "trustLedger", fields: &["source", "delta", "rule", "at"] },
    Section {
        prefix: keys::TRUST,
        name: "trust",
        fields: &["reflections", "reportsConfirmed", "abandons", "cooldowns", "daily"],
    },
];

/// The sections of the user's items in their conversations' partitions.
const CONVERSATION_SECTIONS: &[Section] = &[
    Section {
        prefix: keys::MESSAGES,
        name: "messages",
        fields: &["messageId", "conversationId", "author", "clientMessageId", "text", "sentAt", "moderation"],
    },
    Section {
        prefix: keys::READ_POSITIONS,
        name: "readPositions",
        fields: &["conversationId", "userId", "messageId", "readAt"],
    },
    Section {
        prefix: keys::REMINDERS,
        name: "reminders",
        fields: &["conversationId", "userId", "waitingSince", "remindedAt"],
    },
    Section {
        prefix: keys::OUTCOMES,
        name: "conversationOutcomes",
        fields: &["conversationId", "userId", "answered", "replySeconds", "recordedAt"],
    },
];

/// The section an item belongs to, by its sort key, and the item reduced to its fields.
fn in_section(sections: &'static [Section], sort_key: &str, value: Value) -> Option<(&'static str, Value)> {
    let section = sections.iter().find(|section| sort_key.starts_with(section.prefix))?;
    let Value::Object(fields) = value else { return Some((section.name, Value::Null)) };
    let shown = fields.into_iter().filter(|(field, _)| section.fields.contains(&field.as_str())).collect();
    Some((section.name, Value::Object(shown)))
}

/// A conversation as its participant saw it: their own activity, consent and gate answers,
/// not the partner's.
fn conversation_reduced(mut conversation: Value, me: &UserId) -> Value {
    let mine = conversation["participants"]
        .as_array()
        .and_then(|p| p.iter().position(|u| u.as_str() == Some(me.as_str())))
        .unwrap_or(0);
    if let Some(object) = conversation.as_object_mut() {
        let activity = object.get("activity").and_then(|a| a.get(mine)).cloned().unwrap_or(Value::Null);
        object.remove("activity");
        object.insert("myActivity".into(), activity);
        let reveal = object.remove("reveal").unwrap_or(Value::Null);
        let my_answers: Vec<Value> = reveal["answers"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|a| a["participant"].as_u64() == Some(mine as u64))
            .map(|a| json!({ "gate": a["gate"], "answer": a["answer"], "at": a["at"] }))
            .collect();
        let my_reveal = json!({
            "revealedAt": reveal["revealedAt"],
            "myConsent": reveal["consents"][mine].as_bool().unwrap_or(false),
            "myAnswers": my_answers,
        });
        object.insert("reveal".into(), my_reveal);
    }
    conversation
}

/// Matches with the partner reduced to who they were for the caller (their id and
/// pseudonym, and their first name where the conversation was revealed: as the match view
/// showed them).
async fn partner_reduced(
    app: &App,
    me: &UserId,
    matches: Vec<Value>,
    revealed: &std::collections::HashSet<&str>,
    now: DateTime<Utc>,
) -> Result<Vec<Value>, ApiError> {
    let partner_of = |record: &Value| {
        record["users"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .find(|u| *u != me.as_str())
            .and_then(|u| u.parse::<UserId>().ok())
    };
    let partners: Vec<Option<UserId>> = matches.iter().map(partner_of).collect();
    // One batch read for every partner (a week's matches at most).
    let known: Vec<UserId> = partners.iter().flatten().cloned().collect();
    let accounts = app.store.users(&known, now).await?;
    let first_names: std::collections::HashMap<&UserId, String> =
        known.iter().zip(accounts).filter_map(|(id, user)| Some((id, user?.profile?.first_name))).collect();
    Ok(matches
        .into_iter()
        .zip(&partners)
        .map(|(mut record, partner)| {
            let conversation = record["conversationId"].as_str().unwrap_or_default().to_owned();
            let was_revealed = revealed.contains(conversation.as_str());
            let first_name = partner.as_ref().and_then(|p| first_names.get(p)).filter(|_| was_revealed);
            let mut shown = json!({
                "userId": partner,
                "pseudonym": partner.as_ref().map(|p| pseudonym(&conversation, p.as_str())),
                "revealed": was_revealed,
                "revealedFields": if first_name.is_some() { vec!["firstName"] } else { Vec::new() },
            });
            if let (Some(first_name), Some(shown)) = (first_name, shown.as_object_mut()) {
                shown.insert("firstName".into(), json!(first_name));
            }
            if let Some(object) = record.as_object_mut() {
                object.remove("users");
                object.remove("days");
                object.insert("partner".into(), shown);
            }
            record
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_export_section_shows_only_the_fields_it_names() {
        let stored = json!({"other": "u-2", "createdAt": "2026-12-01T10:00:00Z", "addedLater": "not for export"});
        let (section, shown) = in_section(OWN_SECTIONS, "REL#BLOCKS#u-2", stored).unwrap();
        assert_eq!(section, "blocks");
        assert_eq!(shown, json!({"other": "u-2", "createdAt": "2026-12-01T10:00:00Z"}));
        assert!(in_section(OWN_SECTIONS, "REL#BLOCKEDBY#u-3", json!({})).is_none(), "a block against the user");
        let (section, _) = in_section(OWN_SECTIONS, "TRUSTLOG#2026-12-01#x", json!({})).unwrap();
        assert_eq!(section, "trustLedger", "the ledger, not the record whose prefix it starts with");
    }
}
