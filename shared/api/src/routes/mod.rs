//! Route handlers, one module per Lambda function. `ROUTES` names each function's handler
//! so the local gateway can serve the same code; `template.yaml` says which path each serves.

pub mod admin;
pub mod auth;
pub mod availability;
pub mod blocks;
pub mod conversations;
pub mod friends;
pub mod matches;
pub mod me;
pub mod presence;
pub mod prompts;
pub mod push;
pub mod reports;
pub mod system;
pub mod ws;

use std::future::Future;
use std::pin::Pin;

use lambda_http::Request;

use crate::App;
use crate::deploy::{Deploy, Grant, Trigger};
use crate::edge::dispatch::HandlerResult;

/// A handler behind a uniform, storable signature.
pub type HandlerFn = fn(App, Request) -> Pin<Box<dyn Future<Output = HandlerResult> + Send>>;

/// A Lambda function of the HTTP API: its binary name (`functions/src/bin/<name>.rs`,
/// the SAM `Binary`) and its handler.
pub struct HttpFunction {
    pub name: &'static str,
    pub handler: HandlerFn,
    /// Its route, grants and settings: the source of its part of `template.yaml`.
    pub deploy: Deploy,
}

pub const HTTP_FUNCTIONS: &[HttpFunction] = &[
    HttpFunction {
        name: "auth-register",
        deploy: Deploy {
            description: "Creates an account (email + password) and signs it in.",
            trigger: Trigger::Http { method: "POST", path: "/v1/auth/register" },
            grants: &[Grant::SigningKeys, Grant::Table(&["dynamodb:PutItem"])],
            memory_mb: Some(512),
            timeout_seconds: None,
            environment: &[],
        },
        handler: |a, r| Box::pin(auth::register::handle(a, r)),
    },
    HttpFunction {
        name: "auth-login",
        deploy: Deploy {
            description: "Email + password sign-in, throttled per email.",
            trigger: Trigger::Http { method: "POST", path: "/v1/auth/login" },
            grants: &[
                Grant::SigningKeys,
                Grant::Table(&["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem"]),
            ],
            memory_mb: Some(512),
            timeout_seconds: None,
            environment: &[],
        },
        handler: |a, r| Box::pin(auth::login::handle(a, r)),
    },
    HttpFunction {
        name: "auth-refresh",
        deploy: Deploy {
            description: "Rotates a refresh token; reuse revokes the family.",
            trigger: Trigger::Http { method: "POST", path: "/v1/auth/refresh" },
            grants: &[
                Grant::SigningKeys,
                Grant::Table(&["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"]),
            ],
            memory_mb: None,
            timeout_seconds: None,
            environment: &[],
        },
        handler: |a, r| Box::pin(auth::refresh::handle(a, r)),
    },
    HttpFunction {
        name: "auth-logout",
        deploy: Deploy {
            description: "Revokes the session family of a refresh token.",
            trigger: Trigger::Http { method: "POST", path: "/v1/auth/logout" },
            grants: &[Grant::Table(&["dynamodb:GetItem", "dynamodb:UpdateItem"])],
            memory_mb: None,
            timeout_seconds: None,
            environment: &[],
        },
        handler: |a, r| Box::pin(auth::logout::handle(a, r)),
    },
    HttpFunction {
        name: "auth-oidc",
        deploy: Deploy {
            description: "Exchanges an OIDC id_token for a session.",
            trigger: Trigger::Http { method: "POST", path: "/v1/auth/oidc" },
            grants: &[
                Grant::SigningKeys,
                Grant::Table(&["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"]),
            ],
            memory_mb: None,
            timeout_seconds: None,
            environment: &[],
        },
        handler: |a, r| Box::pin(auth::oidc::handle(a, r)),
    },
    HttpFunction {
        name: "me-get",
        deploy: Deploy {
            description: "The caller's account and profile.",
            trigger: Trigger::Http { method: "GET", path: "/v1/me" },
            grants: &[Grant::SigningKeys, Grant::Table(&["dynamodb:GetItem"])],
            memory_mb: None,
            timeout_seconds: None,
            environment: &[],
        },
        handler: |a, r| Box::pin(me::get::handle(a, r)),
    },
    HttpFunction {
        name: "me-profile-put",
        deploy: Deploy {
            description: "Replaces the caller's profile.",
            trigger: Trigger::Http { method: "PUT", path: "/v1/me/profile" },
            grants: &[Grant::SigningKeys, Grant::Table(&["dynamodb:GetItem", "dynamodb:UpdateItem"])],
            memory_mb: None,
            timeout_seconds: None,
            environment: &[],
        },
        handler: |a, r| Box::pin(me::profile_put::handle(a, r)),
    },
    HttpFunction {
        name: "me-notifications-get",
        deploy: Deploy {
            description: "The caller's notification preferences and quiet hours.",
            trigger: Trigger::Http { method: "GET", path: "/v1/me/notifications" },
            grants: &[Grant::SigningKeys, Grant::Table(&["dynamodb:GetItem"])],
            memory_mb: None,
            timeout_seconds: None,
            environment: &[],
        },
        handler: |a, r| Box::pin(me::notifications_get::handle(a, r)),
    },
    HttpFunction {
        name: "me-notifications-put",
        deploy: Deploy {
            description: "Replaces the caller's notification preferences and quiet hours.",
            trigger: Trigger::Http { method: "PUT", path: "/v1/me/notifications" },
            grants: &[Grant::SigningKeys, Grant::Table(&["dynamodb:GetItem", "dynamodb:PutItem"])],
            memory_mb: None,
            timeout_seconds: None,
            environment: &[],
        },
        handler: |a, r| Box::pin(me::notifications_put::handle(a, r)),
    },
    HttpFunction {
        name: "me-rewards-get",
        deploy: Deploy {
            description: "The caller's points, streaks, badges and ledger.",
            trigger: Trigger::Http { method: "GET", path: "/v1/me/rewards" },
            grants: &[Grant::SigningKeys, Grant::Table(&["dynamodb:GetItem", "dynamodb:Query"])],
            memory_mb: None,
            timeout_seconds: None,
            environment: &[],
        },
        handler: |a, r| Box::pin(me::rewards_get::handle(a, r)),
    },
    HttpFunction {
        name: "me-intent-put",
        deploy: Deploy {
            description: "Sets the caller's intent for this ISO week (a soft pairing preference).",
            trigger: Trigger::Http { method: "PUT", path: "/v1/me/intent" },
            grants: &[Grant::SigningKeys, Grant::Table(&["dynamodb:GetItem", "dynamodb:UpdateItem"])],
            memory_mb: None,
            timeout_seconds: None,
            environment: &[],
        },
        handler: |a, r| Box::pin(me::intent_put::handle(a, r)),
    },
    HttpFunction {
        name: "conversations-decision-gate",
        deploy: Deploy {
            description: "Records the caller's answer at a decision gate (reveal, not yet, end).",
            trigger: Trigger::Http { method: "POST", path: "/v1/conversations/{id}/decision-gate" },
            grants: &[
                Grant::SigningKeys,
                Grant::Table(&[
                    "dynamodb:GetItem",
                    "dynamodb:UpdateItem",
                    "dynamodb:PutItem",
                    "dynamodb:Query",
                    "dynamodb:DeleteItem",
                ]),
                Grant::Indexes(&["gsi1"], &["dynamodb:Query"]),
                Grant::ManageConnections(&["POST"]),
            ],
            memory_mb: None,
            timeout_seconds: None,
            environment: &[],
        },
        handler: |a, r| Box::pin(conversations::decision_gate::handle(a, r)),
    },
    HttpFunction {
        name: "conversations-reveal-consent",
        deploy: Deploy {
            description: "Records the caller's consent to reveal their profile in this conversation.",
            trigger: Trigger::Http { method: "POST", path: "/v1/conversations/{id}/reveal-consent" },
            grants: &[
                Grant::SigningKeys,
                Grant::Table(&["dynamodb:GetItem", "dynamodb:UpdateItem", "dynamodb:PutItem"]),
            ],
            memory_mb: None,
            timeout_seconds: None,
            environment: &[],
        },
        handler: |a, r| Box::pin(conversations::reveal_consent::handle(a, r)),
    },
    HttpFunction {
        name: "friends-list",
        deploy: Deploy {
            description: "Lists the caller's friends with their revealed view and the friends' conversation.",
            trigger: Trigger::Http { method: "GET", path: "/v1/friends" },
            grants: &[
                Grant::SigningKeys,
                Grant::Table(&["dynamodb:GetItem", "dynamodb:Query", "dynamodb:BatchGetItem"]),
            ],
            memory_mb: None,
            timeout_seconds: None,
            environment: &[],
        },
        handler: |a, r| Box::pin(friends::list::handle(a, r)),
    },
    HttpFunction {
        name: "friends-delete",
        deploy: Deploy {
            description: "Ends a friendship and closes the friends' conversation.",
            trigger: Trigger::Http { method: "DELETE", path: "/v1/friends/{userId}" },
            grants: &[
                Grant::SigningKeys,
                Grant::Table(&["dynamodb:GetItem", "dynamodb:DeleteItem", "dynamodb:UpdateItem", "dynamodb:Query"]),
                Grant::Indexes(&["gsi1"], &["dynamodb:Query"]),
            ],
            memory_mb: None,
            timeout_seconds: None,
            environment: &[],
        },
        handler: |a, r| Box::pin(friends::delete::handle(a, r)),
    },
    HttpFunction {
        name: "prompts-today",
        deploy: Deploy {
            description: "Today's daily prompt for the caller and their answer.",
            trigger: Trigger::Http { method: "GET", path: "/v1/prompts/today" },
            grants: &[Grant::SigningKeys, Grant::Table(&["dynamodb:GetItem", "dynamodb:Query"])],
            memory_mb: None,
            timeout_seconds: None,
            environment: &[],
        },
        handler: |a, r| Box::pin(prompts::today::handle(a, r)),
    },
    HttpFunction {
        name: "prompts-answer",
        deploy: Deploy {
            description: "Answers a daily prompt for the caller's local day.",
            trigger: Trigger::Http { method: "POST", path: "/v1/prompts/{id}/answer" },
            grants: &[Grant::SigningKeys, Grant::Table(&["dynamodb:GetItem", "dynamodb:PutItem"])],
            memory_mb: None,
            timeout_seconds: None,
            environment: &[],
        },
        handler: |a, r| Box::pin(prompts::answer::handle(a, r)),
    },
    HttpFunction {
        name: "admin-prompts-list",
        deploy: Deploy {
            description: "Admin: the prompt catalogue.",
            trigger: Trigger::Http { method: "GET", path: "/v1/admin/prompts" },
            grants: &[Grant::SigningKeys, Grant::Table(&["dynamodb:GetItem", "dynamodb:Query"])],
            memory_mb: None,
            timeout_seconds: None,
            environment: &[],
        },
        handler: |a, r| Box::pin(admin::prompts_list::handle(a, r)),
    },
    HttpFunction {
        name: "admin-prompts-create",
        deploy: Deploy {
            description: "Admin: adds a prompt to the catalogue (audited).",
            trigger: Trigger::Http { method: "POST", path: "/v1/admin/prompts" },
            grants: &[
                Grant::SigningKeys,
                Grant::Table(&["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem"]),
            ],
            memory_mb: None,
            timeout_seconds: None,
            environment: &[],
        },
        handler: |a, r| Box::pin(admin::prompts_create::handle(a, r)),
    },
    HttpFunction {
        name: "admin-prompts-update",
        deploy: Deploy {
            description: "Admin: edits or retires a prompt (audited).",
            trigger: Trigger::Http { method: "PUT", path: "/v1/admin/prompts/{id}" },
            grants: &[Grant::SigningKeys, Grant::Table(&["dynamodb:GetItem", "dynamodb:PutItem"])],
            memory_mb: None,
            timeout_seconds: None,
            environment: &[],
        },
        handler: |a, r| Box::pin(admin::prompts_update::handle(a, r)),
    },
    HttpFunction {
        name: "conversations-stay-friends",
        deploy: Deploy {
            description: "Presses stay friends; the second press makes the pair friends.",
            trigger: Trigger::Http { method: "POST", path: "/v1/conversations/{id}/stay-friends" },
            grants: &[
                Grant::SigningKeys,
                Grant::Table(&["dynamodb:GetItem", "dynamodb:BatchGetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"]),
            ],
            memory_mb: None,
            timeout_seconds: None,
            environment: &[],
        },
        handler: |a, r| Box::pin(conversations::stay_friends::handle(a, r)),
    },
    HttpFunction {
        name: "me-trust-get",
        deploy: Deploy {
            description: "The caller's trust score, its components and ledger.",
            trigger: Trigger::Http { method: "GET", path: "/v1/me/trust" },
            grants: &[Grant::SigningKeys, Grant::Table(&["dynamodb:GetItem", "dynamodb:Query"])],
            memory_mb: None,
            timeout_seconds: None,
            environment: &[],
        },
        handler: |a, r| Box::pin(me::trust_get::handle(a, r)),
    },
    HttpFunction {
        name: "me-ghosting-acknowledge",
        deploy: Deploy {
            description: "Lifts the caller's suspension for abandoned conversations once they acknowledge it (audited).",
            trigger: Trigger::Http { method: "POST", path: "/v1/me/ghosting/acknowledge" },
            grants: &[
                Grant::SigningKeys,
                Grant::Table(&["dynamodb:GetItem", "dynamodb:UpdateItem", "dynamodb:PutItem"]),
            ],
            memory_mb: None,
            timeout_seconds: None,
            environment: &[],
        },
        handler: |a, r| Box::pin(me::ghosting_acknowledge::handle(a, r)),
    },
    HttpFunction {
        name: "me-export",
        deploy: Deploy {
            description: "Everything stored about the caller, as one JSON document (GDPR Art. 15/20).",
            trigger: Trigger::Http { method: "POST", path: "/v1/me/export" },
            grants: &[
                Grant::SigningKeys,
                Grant::Table(&[
                    "dynamodb:GetItem",
                    "dynamodb:BatchGetItem",
                    "dynamodb:Query",
                    "dynamodb:PutItem",
                    "dynamodb:UpdateItem",
                    "dynamodb:DeleteItem",
                ]),
                Grant::Indexes(&["gsi1"], &["dynamodb:Query"]),
            ],
            memory_mb: None,
            timeout_seconds: Some(29),
            environment: &[],
        },
        handler: |a, r| Box::pin(me::export::handle(a, r)),
    },
    HttpFunction {
        name: "me-deletion-request",
        deploy: Deploy {
            description: "Schedules the caller's account deletion after a 7-day grace period (out of the pool at once; audited).",
            trigger: Trigger::Http { method: "POST", path: "/v1/me/deletion" },
            grants: &[
                Grant::SigningKeys,
                Grant::Table(&["dynamodb:GetItem", "dynamodb:UpdateItem", "dynamodb:PutItem", "dynamodb:DeleteItem"]),
            ],
            memory_mb: None,
            timeout_seconds: None,
            environment: &[],
        },
        handler: |a, r| Box::pin(me::deletion_request::handle(a, r)),
    },
    HttpFunction {
        name: "me-deletion-cancel",
        deploy: Deploy {
            description: "Cancels the caller's scheduled account deletion (audited).",
            trigger: Trigger::Http { method: "DELETE", path: "/v1/me/deletion" },
            grants: &[
                Grant::SigningKeys,
                Grant::Table(&["dynamodb:GetItem", "dynamodb:UpdateItem", "dynamodb:PutItem", "dynamodb:DeleteItem"]),
            ],
            memory_mb: None,
            timeout_seconds: None,
            environment: &[],
        },
        handler: |a, r| Box::pin(me::deletion_cancel::handle(a, r)),
    },
    HttpFunction {
        name: "push-tokens-create",
        deploy: Deploy {
            description: "Registers a device token for pushes (moves it from another account).",
            trigger: Trigger::Http { method: "POST", path: "/v1/push-tokens" },
            grants: &[
                Grant::SigningKeys,
                Grant::Table(&["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem"]),
            ],
            memory_mb: None,
            timeout_seconds: None,
            environment: &[],
        },
        handler: |a, r| Box::pin(push::tokens_create::handle(a, r)),
    },
    HttpFunction {
        name: "push-tokens-list",
        deploy: Deploy {
            description: "The caller's device tokens, masked.",
            trigger: Trigger::Http { method: "GET", path: "/v1/push-tokens" },
            grants: &[Grant::SigningKeys, Grant::Table(&["dynamodb:GetItem", "dynamodb:Query"])],
            memory_mb: None,
            timeout_seconds: None,
            environment: &[],
        },
        handler: |a, r| Box::pin(push::tokens_list::handle(a, r)),
    },
    HttpFunction {
        name: "push-tokens-delete",
        deploy: Deploy {
            description: "Removes one of the caller's device tokens.",
            trigger: Trigger::Http { method: "DELETE", path: "/v1/push-tokens/{id}" },
            grants: &[Grant::SigningKeys, Grant::Table(&["dynamodb:GetItem", "dynamodb:DeleteItem"])],
            memory_mb: None,
            timeout_seconds: None,
            environment: &[],
        },
        handler: |a, r| Box::pin(push::tokens_delete::handle(a, r)),
    },
    HttpFunction {
        name: "availability-put",
        deploy: Deploy {
            description: "Queues the caller for their local today.",
            trigger: Trigger::Http { method: "PUT", path: "/v1/availability/today" },
            grants: &[
                Grant::SigningKeys,
                Grant::Table(&["dynamodb:BatchGetItem", "dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:Query"]),
            ],
            memory_mb: None,
            timeout_seconds: None,
            environment: &[],
        },
        handler: |a, r| Box::pin(availability::put::handle(a, r)),
    },
    HttpFunction {
        name: "availability-delete",
        deploy: Deploy {
            description: "Leaves today's queue (409 once matched).",
            trigger: Trigger::Http { method: "DELETE", path: "/v1/availability/today" },
            grants: &[Grant::SigningKeys, Grant::Table(&["dynamodb:GetItem", "dynamodb:DeleteItem"])],
            memory_mb: None,
            timeout_seconds: None,
            environment: &[],
        },
        handler: |a, r| Box::pin(availability::delete::handle(a, r)),
    },
    HttpFunction {
        name: "availability-get",
        deploy: Deploy {
            description: "Today's state: idle, queued or matched.",
            trigger: Trigger::Http { method: "GET", path: "/v1/availability/today" },
            grants: &[Grant::SigningKeys, Grant::Table(&["dynamodb:GetItem"])],
            memory_mb: None,
            timeout_seconds: None,
            environment: &[],
        },
        handler: |a, r| Box::pin(availability::get::handle(a, r)),
    },
    HttpFunction {
        name: "presence-heartbeat",
        deploy: Deploy {
            description: "Keeps the caller online for 90 s.",
            trigger: Trigger::Http { method: "POST", path: "/v1/presence/heartbeat" },
            grants: &[Grant::SigningKeys, Grant::Table(&["dynamodb:GetItem", "dynamodb:PutItem"])],
            memory_mb: None,
            timeout_seconds: None,
            environment: &[],
        },
        handler: |a, r| Box::pin(presence::heartbeat::handle(a, r)),
    },
    HttpFunction {
        name: "blocks-create",
        deploy: Deploy {
            description: "Blocks a user (never paired again; an active conversation between them ends).",
            trigger: Trigger::Http { method: "POST", path: "/v1/blocks" },
            grants: &[
                Grant::SigningKeys,
                Grant::Table(&[
                    "dynamodb:GetItem",
                    "dynamodb:PutItem",
                    "dynamodb:UpdateItem",
                    "dynamodb:Query",
                    "dynamodb:DeleteItem",
                ]),
                Grant::Indexes(&["gsi1"], &["dynamodb:Query"]),
            ],
            memory_mb: None,
            timeout_seconds: None,
            environment: &[],
        },
        handler: |a, r| Box::pin(blocks::create::handle(a, r)),
    },
    HttpFunction {
        name: "blocks-list",
        deploy: Deploy {
            description: "The caller's blocks.",
            trigger: Trigger::Http { method: "GET", path: "/v1/blocks" },
            grants: &[Grant::SigningKeys, Grant::Table(&["dynamodb:GetItem", "dynamodb:Query"])],
            memory_mb: None,
            timeout_seconds: None,
            environment: &[],
        },
        handler: |a, r| Box::pin(blocks::list::handle(a, r)),
    },
    HttpFunction {
        name: "blocks-delete",
        deploy: Deploy {
            description: "Removes a block.",
            trigger: Trigger::Http { method: "DELETE", path: "/v1/blocks/{userId}" },
            grants: &[
                Grant::SigningKeys,
                Grant::Table(&["dynamodb:GetItem", "dynamodb:DeleteItem", "dynamodb:PutItem"]),
            ],
            memory_mb: None,
            timeout_seconds: None,
            environment: &[],
        },
        handler: |a, r| Box::pin(blocks::delete::handle(a, r)),
    },
    HttpFunction {
        name: "match-today",
        deploy: Deploy {
            description: "Today's match: partner subset, score, reasons.",
            trigger: Trigger::Http { method: "GET", path: "/v1/match/today" },
            grants: &[Grant::SigningKeys, Grant::Table(&["dynamodb:GetItem"])],
            memory_mb: None,
            timeout_seconds: None,
            environment: &[],
        },
        handler: |a, r| Box::pin(matches::today::handle(a, r)),
    },
    HttpFunction {
        name: "conversations-get",
        deploy: Deploy {
            description: "Conversation status and read positions.",
            trigger: Trigger::Http { method: "GET", path: "/v1/conversations/{id}" },
            grants: &[Grant::SigningKeys, Grant::Table(&["dynamodb:GetItem", "dynamodb:Query"])],
            memory_mb: None,
            timeout_seconds: None,
            environment: &[],
        },
        handler: |a, r| Box::pin(conversations::get::handle(a, r)),
    },
    HttpFunction {
        name: "conversations-messages-list",
        deploy: Deploy {
            description: "Message history, cursor-paginated.",
            trigger: Trigger::Http { method: "GET", path: "/v1/conversations/{id}/messages" },
            grants: &[Grant::SigningKeys, Grant::Table(&["dynamodb:GetItem", "dynamodb:Query"])],
            memory_mb: None,
            timeout_seconds: None,
            environment: &[],
        },
        handler: |a, r| Box::pin(conversations::messages_list::handle(a, r)),
    },
    HttpFunction {
        name: "conversations-messages-send",
        deploy: Deploy {
            description: "Sends a message (same path as the WebSocket sendMessage).",
            trigger: Trigger::Http { method: "POST", path: "/v1/conversations/{id}/messages" },
            grants: &[
                Grant::SigningKeys,
                Grant::Table(&["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem"]),
                Grant::Indexes(&["gsi1"], &["dynamodb:Query"]),
                Grant::ManageConnections(&["POST"]),
            ],
            memory_mb: None,
            timeout_seconds: None,
            environment: &[],
        },
        handler: |a, r| Box::pin(conversations::messages_send::handle(a, r)),
    },
    HttpFunction {
        name: "conversations-read",
        deploy: Deploy {
            description: "Persists the read position and relays it.",
            trigger: Trigger::Http { method: "POST", path: "/v1/conversations/{id}/read" },
            grants: &[
                Grant::SigningKeys,
                Grant::Table(&["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:DeleteItem"]),
                Grant::Indexes(&["gsi1"], &["dynamodb:Query"]),
                Grant::ManageConnections(&["POST"]),
            ],
            memory_mb: None,
            timeout_seconds: None,
            environment: &[],
        },
        handler: |a, r| Box::pin(conversations::read::handle(a, r)),
    },
    HttpFunction {
        name: "conversations-close",
        deploy: Deploy {
            description: "Ends a conversation early.",
            trigger: Trigger::Http { method: "POST", path: "/v1/conversations/{id}/close" },
            grants: &[
                Grant::SigningKeys,
                Grant::Table(&["dynamodb:GetItem", "dynamodb:UpdateItem", "dynamodb:Query", "dynamodb:DeleteItem"]),
                Grant::Indexes(&["gsi1"], &["dynamodb:Query"]),
            ],
            memory_mb: None,
            timeout_seconds: None,
            environment: &[],
        },
        handler: |a, r| Box::pin(conversations::close::handle(a, r)),
    },
    HttpFunction {
        name: "conversations-extend",
        deploy: Deploy {
            description: "Consents to a 24-hour extension.",
            trigger: Trigger::Http { method: "POST", path: "/v1/conversations/{id}/extend" },
            grants: &[
                Grant::SigningKeys,
                Grant::Table(&["dynamodb:GetItem", "dynamodb:UpdateItem", "dynamodb:PutItem", "dynamodb:DeleteItem"]),
                Grant::Indexes(&["gsi1"], &["dynamodb:Query"]),
                Grant::ManageConnections(&["POST"]),
            ],
            memory_mb: None,
            timeout_seconds: None,
            environment: &[],
        },
        handler: |a, r| Box::pin(conversations::extend::handle(a, r)),
    },
    HttpFunction {
        name: "conversations-panic",
        deploy: Deploy {
            description: "Panic exit: end, block both ways, report, atomically.",
            trigger: Trigger::Http { method: "POST", path: "/v1/conversations/{id}/panic" },
            grants: &[
                Grant::SigningKeys,
                Grant::Table(&[
                    "dynamodb:GetItem",
                    "dynamodb:UpdateItem",
                    "dynamodb:PutItem",
                    "dynamodb:Query",
                    "dynamodb:DeleteItem",
                ]),
                Grant::Indexes(&["gsi1"], &["dynamodb:Query"]),
            ],
            memory_mb: None,
            timeout_seconds: None,
            environment: &[],
        },
        handler: |a, r| Box::pin(conversations::panic::handle(a, r)),
    },
    HttpFunction {
        name: "conversations-reflection",
        deploy: Deploy {
            description: "Records a participant's reflection on an ended conversation (and its trust entry).",
            trigger: Trigger::Http { method: "POST", path: "/v1/conversations/{id}/reflection" },
            grants: &[
                Grant::SigningKeys,
                Grant::Table(&[
                    "dynamodb:GetItem",
                    "dynamodb:BatchGetItem",
                    "dynamodb:PutItem",
                    "dynamodb:UpdateItem",
                    "dynamodb:ConditionCheckItem",
                    "dynamodb:DeleteItem",
                    "dynamodb:Query",
                ]),
            ],
            memory_mb: None,
            timeout_seconds: None,
            environment: &[],
        },
        handler: |a, r| Box::pin(conversations::reflection::handle(a, r)),
    },
    HttpFunction {
        name: "reports-create",
        deploy: Deploy {
            description: "Files a report about someone the caller shared a conversation with.",
            trigger: Trigger::Http { method: "POST", path: "/v1/reports" },
            grants: &[
                Grant::SigningKeys,
                Grant::Table(&[
                    "dynamodb:GetItem",
                    "dynamodb:PutItem",
                    "dynamodb:Query",
                    "dynamodb:UpdateItem",
                    "dynamodb:DeleteItem",
                ]),
                Grant::Indexes(&["gsi1"], &["dynamodb:Query"]),
            ],
            memory_mb: None,
            timeout_seconds: None,
            environment: &[],
        },
        handler: |a, r| Box::pin(reports::create::handle(a, r)),
    },
    HttpFunction {
        name: "reports-list",
        deploy: Deploy {
            description: "The caller's reports and their status.",
            trigger: Trigger::Http { method: "GET", path: "/v1/reports" },
            grants: &[
                Grant::SigningKeys,
                Grant::Table(&["dynamodb:GetItem", "dynamodb:Query", "dynamodb:BatchGetItem"]),
            ],
            memory_mb: None,
            timeout_seconds: None,
            environment: &[],
        },
        handler: |a, r| Box::pin(reports::list::handle(a, r)),
    },
    HttpFunction {
        name: "reports-get",
        deploy: Deploy {
            description: "One of the caller's reports.",
            trigger: Trigger::Http { method: "GET", path: "/v1/reports/{id}" },
            grants: &[Grant::SigningKeys, Grant::Table(&["dynamodb:GetItem"])],
            memory_mb: None,
            timeout_seconds: None,
            environment: &[],
        },
        handler: |a, r| Box::pin(reports::get::handle(a, r)),
    },
    HttpFunction {
        name: "admin-reports-list",
        deploy: Deploy {
            description: "Admin: the triage queue by status and severity.",
            trigger: Trigger::Http { method: "GET", path: "/v1/admin/reports" },
            grants: &[
                Grant::SigningKeys,
                Grant::Table(&["dynamodb:GetItem"]),
                Grant::Indexes(&["gsi1"], &["dynamodb:Query"]),
            ],
            memory_mb: None,
            timeout_seconds: None,
            environment: &[],
        },
        handler: |a, r| Box::pin(admin::reports_list::handle(a, r)),
    },
    HttpFunction {
        name: "admin-reports-get",
        deploy: Deploy {
            description: "Admin: a report with its context (triages an open report).",
            trigger: Trigger::Http { method: "GET", path: "/v1/admin/reports/{id}" },
            grants: &[
                Grant::SigningKeys,
                Grant::Table(&["dynamodb:GetItem", "dynamodb:Query", "dynamodb:UpdateItem", "dynamodb:BatchGetItem"]),
                Grant::Indexes(&["gsi1"], &["dynamodb:Query"]),
            ],
            memory_mb: None,
            timeout_seconds: None,
            environment: &[],
        },
        handler: |a, r| Box::pin(admin::reports_get::handle(a, r)),
    },
    HttpFunction {
        name: "admin-reports-action",
        deploy: Deploy {
            description: "Admin: dismiss, warn, suspend or ban (audited; a ban takes effect at once).",
            trigger: Trigger::Http { method: "POST", path: "/v1/admin/reports/{id}/actions" },
            grants: &[
                Grant::SigningKeys,
                Grant::Table(&[
                    "dynamodb:GetItem",
                    "dynamodb:PutItem",
                    "dynamodb:UpdateItem",
                    "dynamodb:DeleteItem",
                    "dynamodb:Query",
                ]),
                Grant::Indexes(&["gsi1"], &["dynamodb:Query"]),
                Grant::ManageConnections(&["POST", "DELETE"]),
            ],
            memory_mb: None,
            timeout_seconds: None,
            environment: &[],
        },
        handler: |a, r| Box::pin(admin::reports_action::handle(a, r)),
    },
    HttpFunction {
        name: "admin-users-get",
        deploy: Deploy {
            description: "Admin: an account with the reports about it and the actions taken.",
            trigger: Trigger::Http { method: "GET", path: "/v1/admin/users/{id}" },
            grants: &[
                Grant::SigningKeys,
                Grant::Table(&["dynamodb:GetItem", "dynamodb:Query", "dynamodb:BatchGetItem"]),
                Grant::Indexes(&["gsi1"], &["dynamodb:Query"]),
            ],
            memory_mb: None,
            timeout_seconds: None,
            environment: &[],
        },
        handler: |a, r| Box::pin(admin::users_get::handle(a, r)),
    },
    HttpFunction {
        name: "admin-users-premium",
        deploy: Deploy {
            description: "Admin: grants or removes premium (audited).",
            trigger: Trigger::Http { method: "PUT", path: "/v1/admin/users/{id}/premium" },
            grants: &[
                Grant::SigningKeys,
                Grant::Table(&["dynamodb:Query", "dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"]),
                Grant::Indexes(&["gsi1"], &["dynamodb:Query"]),
            ],
            memory_mb: None,
            timeout_seconds: None,
            environment: &[],
        },
        handler: |a, r| Box::pin(admin::users_premium::handle(a, r)),
    },
    HttpFunction {
        name: "system-health",
        deploy: Deploy {
            description: "Liveness plus a table reachability check.",
            trigger: Trigger::Http { method: "GET", path: "/v1/healthz" },
            grants: &[Grant::Table(&["dynamodb:GetItem"])],
            memory_mb: Some(128),
            timeout_seconds: None,
            environment: &[],
        },
        handler: |a, r| Box::pin(system::health::handle(a, r)),
    },
    HttpFunction {
        name: "system-version",
        deploy: Deploy {
            description: "Deployed version.",
            trigger: Trigger::Http { method: "GET", path: "/v1/version" },
            grants: &[],
            memory_mb: Some(128),
            timeout_seconds: None,
            environment: &[],
        },
        handler: |a, r| Box::pin(system::version::handle(a, r)),
    },
    HttpFunction {
        name: "system-openapi",
        deploy: Deploy {
            description: "The OpenAPI 3.1 document.",
            trigger: Trigger::Http { method: "GET", path: "/v1/openapi.json" },
            grants: &[],
            memory_mb: Some(128),
            timeout_seconds: None,
            environment: &[],
        },
        handler: |a, r| Box::pin(system::openapi::handle(a, r)),
    },
    HttpFunction {
        name: "system-not-found",
        deploy: Deploy {
            description: "The HTTP API's $default route: anything no route serves gets the error shape (404 route_not_found).",
            trigger: Trigger::HttpDefault,
            grants: &[],
            memory_mb: Some(128),
            timeout_seconds: None,
            environment: &[],
        },
        handler: |a, r| Box::pin(system::not_found::handle(a, r)),
    },
];

pub fn http_function(name: &str) -> Option<&'static HttpFunction> {
    HTTP_FUNCTIONS.iter().find(|function| function.name == name)
}

/// Runs a sensitive mutation once per `Idempotency-Key` (when the client sends one): the
/// same key and request within 24 hours replays the first answer (`Idempotent-Replayed:
/// true`), the same key with another request is 422. Server errors give the key back, so
/// a retry runs again; an answer too large to keep (an export) is not replayed but
/// produced afresh.
pub(crate) async fn idempotent<F, Fut>(
    app: &App,
    request: &Request,
    user: &tandem_domain::UserId,
    run: F,
) -> HandlerResult
where
    F: FnOnce() -> Fut,
    Fut: Future<Output = HandlerResult>,
{
    use crate::services::idempotency::{Begin, abandon, begin, finish};
    /// What fits in one item with room to spare.
    const REPLAY_MAX_BYTES: usize = 300 * 1024;
    let Some(key) = request.headers().get("idempotency-key") else { return run().await };
    let key = key.to_str().map_err(|_| crate::ApiError::InvalidBody("Idempotency-Key is not text".into()))?.to_owned();
    let fingerprint = {
        use sha2::{Digest, Sha256};
        let mut digest = Sha256::new();
        digest.update(request.method().as_str().as_bytes());
        digest.update(b"\n");
        digest.update(request.uri().path().as_bytes());
        digest.update(b"\n");
        digest.update(request.body().as_ref());
        digest.finalize().iter().map(|b| format!("{b:02x}")).collect::<String>()
    };
    let now = chrono::Utc::now();
    if let Begin::Replay { status, body } = begin(app, user, &key, &fingerprint, now).await? {
        return lambda_http::Response::builder()
            .status(status)
            .header(http::header::CONTENT_TYPE, "application/json")
            .header("idempotent-replayed", "true")
            .body(lambda_http::Body::Text(body))
            .map_err(|e| crate::ApiError::Internal(e.to_string()));
    }
    let response = match run().await {
        Ok(response) => response,
        Err(error) if error.status().is_server_error() => {
            abandon(app, user, &key).await?;
            return Err(error);
        }
        Err(error) => error.to_response(&crate::edge::http::request_id(request)),
    };
    let text = match response.body() {
        lambda_http::Body::Text(text) => text.clone(),
        lambda_http::Body::Empty => String::new(),
        lambda_http::Body::Binary(bytes) => String::from_utf8_lossy(bytes).into_owned(),
        _ => String::new(),
    };
    if text.len() > REPLAY_MAX_BYTES {
        abandon(app, user, &key).await?;
    } else {
        finish(app, user, &key, response.status().as_u16(), &text).await?;
    }
    Ok(response)
}
