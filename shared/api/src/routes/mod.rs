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
    /// The handler's module under the crate root (`routes::me::get`): its bootstrap's `use`.
    pub module: &'static str,
    /// How its bootstrap prepares the app, when not as every function does
    /// (`App::with_oidc`: parts only that function needs, and links).
    pub prepare: Option<&'static str>,
    pub handler: HandlerFn,
    /// Its route, grants and settings: the source of its part of `template.yaml`.
    pub deploy: Deploy,
}

/// One HTTP function from its name, its route module (its `handle` serves it) and its
/// deployment: the module is named once, for the handler and for the generated bootstrap.
macro_rules! http_function {
    ($name:literal, $($module:ident)::+, $deploy:expr) => {
        HttpFunction {
            name: $name,
            module: concat!("routes::", stringify!($($module)::+)),
            prepare: None,
            handler: |a, r| Box::pin($($module)::+::handle(a, r)),
            deploy: $deploy,
        }
    };
    ($name:literal, $($module:ident)::+, $deploy:expr, prepare = $($prepare:ident)::+) => {
        HttpFunction {
            name: $name,
            module: concat!("routes::", stringify!($($module)::+)),
            prepare: Some(stringify!($($prepare)::+)),
            handler: |a, r| Box::pin($($module)::+::handle(a, r)),
            deploy: $deploy,
        }
    };
}

pub const HTTP_FUNCTIONS: &[HttpFunction] = &[
    http_function!(
        "auth-register",
        auth::register,
        Deploy {
            description: "Creates an account (email + password) and signs it in.",
            trigger: Trigger::Http { method: "POST", path: "/v1/auth/register" },
            grants: &[Grant::SigningKeys, Grant::Table(&["dynamodb:PutItem"])],
            memory_mb: Some(512),
            timeout_seconds: None,
            environment: &[],
        }
    ),
    http_function!(
        "auth-login",
        auth::login,
        Deploy {
            description: "Email + password sign-in, throttled per email.",
            trigger: Trigger::Http { method: "POST", path: "/v1/auth/login" },
            grants: &[
                Grant::SigningKeys,
                Grant::Table(&["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem"]),
            ],
            memory_mb: Some(512),
            timeout_seconds: None,
            environment: &[],
        }
    ),
    http_function!(
        "auth-refresh",
        auth::refresh,
        Deploy {
            description: "Rotates a refresh token; reuse revokes the family.",
            trigger: Trigger::Http { method: "POST", path: "/v1/auth/refresh" },
            grants: &[
                Grant::SigningKeys,
                Grant::Table(&["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"]),
            ],
            memory_mb: None,
            timeout_seconds: None,
            environment: &[],
        }
    ),
    http_function!(
        "auth-logout",
        auth::logout,
        Deploy {
            description: "Revokes the session family of a refresh token.",
            trigger: Trigger::Http { method: "POST", path: "/v1/auth/logout" },
            grants: &[Grant::Table(&["dynamodb:GetItem", "dynamodb:UpdateItem"])],
            memory_mb: None,
            timeout_seconds: None,
            environment: &[],
        }
    ),
    http_function!(
        "auth-oidc",
        auth::oidc,
        Deploy {
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
        prepare = App::with_oidc
    ),
    http_function!(
        "me-get",
        me::get,
        Deploy {
            description: "The caller's account and profile.",
            trigger: Trigger::Http { method: "GET", path: "/v1/me" },
            grants: &[Grant::SigningKeys, Grant::Table(&["dynamodb:GetItem"])],
            memory_mb: None,
            timeout_seconds: None,
            environment: &[],
        }
    ),
    http_function!(
        "me-profile-put",
        me::profile_put,
        Deploy {
            description: "Replaces the caller's profile.",
            trigger: Trigger::Http { method: "PUT", path: "/v1/me/profile" },
            grants: &[Grant::SigningKeys, Grant::Table(&["dynamodb:GetItem", "dynamodb:UpdateItem"])],
            memory_mb: None,
            timeout_seconds: None,
            environment: &[],
        }
    ),
    http_function!(
        "me-notifications-get",
        me::notifications_get,
        Deploy {
            description: "The caller's notification preferences and quiet hours.",
            trigger: Trigger::Http { method: "GET", path: "/v1/me/notifications" },
            grants: &[Grant::SigningKeys, Grant::Table(&["dynamodb:GetItem"])],
            memory_mb: None,
            timeout_seconds: None,
            environment: &[],
        }
    ),
    http_function!(
        "me-notifications-put",
        me::notifications_put,
        Deploy {
            description: "Replaces the caller's notification preferences and quiet hours.",
            trigger: Trigger::Http { method: "PUT", path: "/v1/me/notifications" },
            grants: &[Grant::SigningKeys, Grant::Table(&["dynamodb:GetItem", "dynamodb:PutItem"])],
            memory_mb: None,
            timeout_seconds: None,
            environment: &[],
        }
    ),
    http_function!(
        "me-rewards-get",
        me::rewards_get,
        Deploy {
            description: "The caller's points, streaks, badges and ledger.",
            trigger: Trigger::Http { method: "GET", path: "/v1/me/rewards" },
            grants: &[Grant::SigningKeys, Grant::Table(&["dynamodb:GetItem", "dynamodb:Query"])],
            memory_mb: None,
            timeout_seconds: None,
            environment: &[],
        }
    ),
    http_function!(
        "me-intent-put",
        me::intent_put,
        Deploy {
            description: "Sets the caller's intent for this ISO week (a soft pairing preference).",
            trigger: Trigger::Http { method: "PUT", path: "/v1/me/intent" },
            grants: &[Grant::SigningKeys, Grant::Table(&["dynamodb:GetItem", "dynamodb:UpdateItem"])],
            memory_mb: None,
            timeout_seconds: None,
            environment: &[],
        }
    ),
    http_function!(
        "conversations-decision-gate",
        conversations::decision_gate,
        Deploy {
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
        }
    ),
    http_function!(
        "conversations-reveal-consent",
        conversations::reveal_consent,
        Deploy {
            description: "Records the caller's consent to reveal their profile in this conversation.",
            trigger: Trigger::Http { method: "POST", path: "/v1/conversations/{id}/reveal-consent" },
            grants: &[
                Grant::SigningKeys,
                Grant::Table(&["dynamodb:GetItem", "dynamodb:UpdateItem", "dynamodb:PutItem"]),
            ],
            memory_mb: None,
            timeout_seconds: None,
            environment: &[],
        }
    ),
    http_function!(
        "friends-list",
        friends::list,
        Deploy {
            description: "Lists the caller's friends with their revealed view and the friends' conversation.",
            trigger: Trigger::Http { method: "GET", path: "/v1/friends" },
            grants: &[
                Grant::SigningKeys,
                Grant::Table(&["dynamodb:GetItem", "dynamodb:Query", "dynamodb:BatchGetItem"]),
            ],
            memory_mb: None,
            timeout_seconds: None,
            environment: &[],
        }
    ),
    http_function!(
        "friends-delete",
        friends::delete,
        Deploy {
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
        }
    ),
    http_function!(
        "prompts-today",
        prompts::today,
        Deploy {
            description: "Today's daily prompt for the caller and their answer.",
            trigger: Trigger::Http { method: "GET", path: "/v1/prompts/today" },
            grants: &[Grant::SigningKeys, Grant::Table(&["dynamodb:GetItem", "dynamodb:Query"])],
            memory_mb: None,
            timeout_seconds: None,
            environment: &[],
        }
    ),
    http_function!(
        "prompts-answer",
        prompts::answer,
        Deploy {
            description: "Answers a daily prompt for the caller's local day.",
            trigger: Trigger::Http { method: "POST", path: "/v1/prompts/{id}/answer" },
            grants: &[Grant::SigningKeys, Grant::Table(&["dynamodb:GetItem", "dynamodb:PutItem"])],
            memory_mb: None,
            timeout_seconds: None,
            environment: &[],
        }
    ),
    http_function!(
        "admin-prompts-list",
        admin::prompts_list,
        Deploy {
            description: "Admin: the prompt catalogue.",
            trigger: Trigger::Http { method: "GET", path: "/v1/admin/prompts" },
            grants: &[Grant::SigningKeys, Grant::Table(&["dynamodb:GetItem", "dynamodb:Query"])],
            memory_mb: None,
            timeout_seconds: None,
            environment: &[],
        }
    ),
    http_function!(
        "admin-prompts-create",
        admin::prompts_create,
        Deploy {
            description: "Admin: adds a prompt to the catalogue (audited).",
            trigger: Trigger::Http { method: "POST", path: "/v1/admin/prompts" },
            grants: &[
                Grant::SigningKeys,
                Grant::Table(&["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem"]),
            ],
            memory_mb: None,
            timeout_seconds: None,
            environment: &[],
        }
    ),
    http_function!(
        "admin-prompts-update",
        admin::prompts_update,
        Deploy {
            description: "Admin: edits or retires a prompt (audited).",
            trigger: Trigger::Http { method: "PUT", path: "/v1/admin/prompts/{id}" },
            grants: &[Grant::SigningKeys, Grant::Table(&["dynamodb:GetItem", "dynamodb:PutItem"])],
            memory_mb: None,
            timeout_seconds: None,
            environment: &[],
        }
    ),
    http_function!(
        "conversations-stay-friends",
        conversations::stay_friends,
        Deploy {
            description: "Presses stay friends; the second press makes the pair friends.",
            trigger: Trigger::Http { method: "POST", path: "/v1/conversations/{id}/stay-friends" },
            grants: &[
                Grant::SigningKeys,
                Grant::Table(&["dynamodb:GetItem", "dynamodb:BatchGetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"]),
            ],
            memory_mb: None,
            timeout_seconds: None,
            environment: &[],
        }
    ),
    http_function!(
        "me-trust-get",
        me::trust_get,
        Deploy {
            description: "The caller's trust score, its components and ledger.",
            trigger: Trigger::Http { method: "GET", path: "/v1/me/trust" },
            grants: &[Grant::SigningKeys, Grant::Table(&["dynamodb:GetItem", "dynamodb:Query"])],
            memory_mb: None,
            timeout_seconds: None,
            environment: &[],
        }
    ),
    http_function!(
        "me-ghosting-acknowledge",
        me::ghosting_acknowledge,
        Deploy {
            description: "Lifts the caller's suspension for abandoned conversations once they acknowledge it (audited).",
            trigger: Trigger::Http { method: "POST", path: "/v1/me/ghosting/acknowledge" },
            grants: &[
                Grant::SigningKeys,
                Grant::Table(&["dynamodb:GetItem", "dynamodb:UpdateItem", "dynamodb:PutItem"]),
            ],
            memory_mb: None,
            timeout_seconds: None,
            environment: &[],
        }
    ),
    http_function!(
        "me-export",
        me::export,
        Deploy {
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
        }
    ),
    http_function!(
        "me-deletion-request",
        me::deletion_request,
        Deploy {
            description: "Schedules the caller's account deletion after a 7-day grace period (out of the pool at once; audited).",
            trigger: Trigger::Http { method: "POST", path: "/v1/me/deletion" },
            grants: &[
                Grant::SigningKeys,
                Grant::Table(&["dynamodb:GetItem", "dynamodb:UpdateItem", "dynamodb:PutItem", "dynamodb:DeleteItem"]),
            ],
            memory_mb: None,
            timeout_seconds: None,
            environment: &[],
        }
    ),
    http_function!(
        "me-deletion-cancel",
        me::deletion_cancel,
        Deploy {
            description: "Cancels the caller's scheduled account deletion (audited).",
            trigger: Trigger::Http { method: "DELETE", path: "/v1/me/deletion" },
            grants: &[
                Grant::SigningKeys,
                Grant::Table(&["dynamodb:GetItem", "dynamodb:UpdateItem", "dynamodb:PutItem", "dynamodb:DeleteItem"]),
            ],
            memory_mb: None,
            timeout_seconds: None,
            environment: &[],
        }
    ),
    http_function!(
        "push-tokens-create",
        push::tokens_create,
        Deploy {
            description: "Registers a device token for pushes (moves it from another account).",
            trigger: Trigger::Http { method: "POST", path: "/v1/push-tokens" },
            grants: &[
                Grant::SigningKeys,
                Grant::Table(&["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem"]),
            ],
            memory_mb: None,
            timeout_seconds: None,
            environment: &[],
        }
    ),
    http_function!(
        "push-tokens-list",
        push::tokens_list,
        Deploy {
            description: "The caller's device tokens, masked.",
            trigger: Trigger::Http { method: "GET", path: "/v1/push-tokens" },
            grants: &[Grant::SigningKeys, Grant::Table(&["dynamodb:GetItem", "dynamodb:Query"])],
            memory_mb: None,
            timeout_seconds: None,
            environment: &[],
        }
    ),
    http_function!(
        "push-tokens-delete",
        push::tokens_delete,
        Deploy {
            description: "Removes one of the caller's device tokens.",
            trigger: Trigger::Http { method: "DELETE", path: "/v1/push-tokens/{id}" },
            grants: &[Grant::SigningKeys, Grant::Table(&["dynamodb:GetItem", "dynamodb:DeleteItem"])],
            memory_mb: None,
            timeout_seconds: None,
            environment: &[],
        }
    ),
    http_function!(
        "availability-put",
        availability::put,
        Deploy {
            description: "Queues the caller for their local today.",
            trigger: Trigger::Http { method: "PUT", path: "/v1/availability/today" },
            grants: &[
                Grant::SigningKeys,
                Grant::Table(&["dynamodb:BatchGetItem", "dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:Query"]),
            ],
            memory_mb: None,
            timeout_seconds: None,
            environment: &[],
        }
    ),
    http_function!(
        "availability-delete",
        availability::delete,
        Deploy {
            description: "Leaves today's queue (409 once matched).",
            trigger: Trigger::Http { method: "DELETE", path: "/v1/availability/today" },
            grants: &[Grant::SigningKeys, Grant::Table(&["dynamodb:GetItem", "dynamodb:DeleteItem"])],
            memory_mb: None,
            timeout_seconds: None,
            environment: &[],
        }
    ),
    http_function!(
        "availability-get",
        availability::get,
        Deploy {
            description: "Today's state: idle, queued or matched.",
            trigger: Trigger::Http { method: "GET", path: "/v1/availability/today" },
            grants: &[Grant::SigningKeys, Grant::Table(&["dynamodb:GetItem"])],
            memory_mb: None,
            timeout_seconds: None,
            environment: &[],
        }
    ),
    http_function!(
        "presence-heartbeat",
        presence::heartbeat,
        Deploy {
            description: "Keeps the caller online for 90 s.",
            trigger: Trigger::Http { method: "POST", path: "/v1/presence/heartbeat" },
            grants: &[Grant::SigningKeys, Grant::Table(&["dynamodb:GetItem", "dynamodb:PutItem"])],
            memory_mb: None,
            timeout_seconds: None,
            environment: &[],
        }
    ),
    http_function!(
        "blocks-create",
        blocks::create,
        Deploy {
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
        }
    ),
    http_function!(
        "blocks-list",
        blocks::list,
        Deploy {
            description: "The caller's blocks.",
            trigger: Trigger::Http { method: "GET", path: "/v1/blocks" },
            grants: &[Grant::SigningKeys, Grant::Table(&["dynamodb:GetItem", "dynamodb:Query"])],
            memory_mb: None,
            timeout_seconds: None,
            environment: &[],
        }
    ),
    http_function!(
        "blocks-delete",
        blocks::delete,
        Deploy {
            description: "Removes a block.",
            trigger: Trigger::Http { method: "DELETE", path: "/v1/blocks/{userId}" },
            grants: &[
                Grant::SigningKeys,
                Grant::Table(&["dynamodb:GetItem", "dynamodb:DeleteItem", "dynamodb:PutItem"]),
            ],
            memory_mb: None,
            timeout_seconds: None,
            environment: &[],
        }
    ),
    http_function!(
        "match-today",
        matches::today,
        Deploy {
            description: "Today's match: partner subset, score, reasons.",
            trigger: Trigger::Http { method: "GET", path: "/v1/match/today" },
            grants: &[Grant::SigningKeys, Grant::Table(&["dynamodb:GetItem"])],
            memory_mb: None,
            timeout_seconds: None,
            environment: &[],
        }
    ),
    http_function!(
        "conversations-get",
        conversations::get,
        Deploy {
            description: "Conversation status and read positions.",
            trigger: Trigger::Http { method: "GET", path: "/v1/conversations/{id}" },
            grants: &[Grant::SigningKeys, Grant::Table(&["dynamodb:GetItem", "dynamodb:Query"])],
            memory_mb: None,
            timeout_seconds: None,
            environment: &[],
        }
    ),
    http_function!(
        "conversations-messages-list",
        conversations::messages_list,
        Deploy {
            description: "Message history, cursor-paginated.",
            trigger: Trigger::Http { method: "GET", path: "/v1/conversations/{id}/messages" },
            grants: &[Grant::SigningKeys, Grant::Table(&["dynamodb:GetItem", "dynamodb:Query"])],
            memory_mb: None,
            timeout_seconds: None,
            environment: &[],
        }
    ),
    http_function!(
        "conversations-messages-send",
        conversations::messages_send,
        Deploy {
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
        }
    ),
    http_function!(
        "conversations-read",
        conversations::read,
        Deploy {
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
        }
    ),
    http_function!(
        "conversations-close",
        conversations::close,
        Deploy {
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
        }
    ),
    http_function!(
        "conversations-extend",
        conversations::extend,
        Deploy {
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
        }
    ),
    http_function!(
        "conversations-panic",
        conversations::panic,
        Deploy {
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
        }
    ),
    http_function!(
        "conversations-reflection",
        conversations::reflection,
        Deploy {
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
        }
    ),
    http_function!(
        "reports-create",
        reports::create,
        Deploy {
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
        }
    ),
    http_function!(
        "reports-list",
        reports::list,
        Deploy {
            description: "The caller's reports and their status.",
            trigger: Trigger::Http { method: "GET", path: "/v1/reports" },
            grants: &[
                Grant::SigningKeys,
                Grant::Table(&["dynamodb:GetItem", "dynamodb:Query", "dynamodb:BatchGetItem"]),
            ],
            memory_mb: None,
            timeout_seconds: None,
            environment: &[],
        }
    ),
    http_function!(
        "reports-get",
        reports::get,
        Deploy {
            description: "One of the caller's reports.",
            trigger: Trigger::Http { method: "GET", path: "/v1/reports/{id}" },
            grants: &[Grant::SigningKeys, Grant::Table(&["dynamodb:GetItem"])],
            memory_mb: None,
            timeout_seconds: None,
            environment: &[],
        }
    ),
    http_function!(
        "admin-reports-list",
        admin::reports_list,
        Deploy {
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
        }
    ),
    http_function!(
        "admin-reports-get",
        admin::reports_get,
        Deploy {
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
        }
    ),
    http_function!(
        "admin-reports-action",
        admin::reports_action,
        Deploy {
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
        }
    ),
    http_function!(
        "admin-users-get",
        admin::users_get,
        Deploy {
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
        }
    ),
    http_function!(
        "admin-users-premium",
        admin::users_premium,
        Deploy {
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
        }
    ),
    http_function!(
        "system-health",
        system::health,
        Deploy {
            description: "Liveness plus a table reachability check.",
            trigger: Trigger::Http { method: "GET", path: "/v1/healthz" },
            grants: &[Grant::Table(&["dynamodb:GetItem"])],
            memory_mb: Some(128),
            timeout_seconds: None,
            environment: &[],
        }
    ),
    http_function!(
        "system-version",
        system::version,
        Deploy {
            description: "Deployed version.",
            trigger: Trigger::Http { method: "GET", path: "/v1/version" },
            grants: &[],
            memory_mb: Some(128),
            timeout_seconds: None,
            environment: &[],
        }
    ),
    http_function!(
        "system-openapi",
        system::openapi,
        Deploy {
            description: "The OpenAPI 3.1 document.",
            trigger: Trigger::Http { method: "GET", path: "/v1/openapi.json" },
            grants: &[],
            memory_mb: Some(128),
            timeout_seconds: None,
            environment: &[],
        }
    ),
    http_function!(
        "system-not-found",
        system::not_found,
        Deploy {
            description: "The HTTP API's $default route: anything no route serves gets the error shape (404 route_not_found).",
            trigger: Trigger::HttpDefault,
            grants: &[],
            memory_mb: Some(128),
            timeout_seconds: None,
            environment: &[],
        }
    ),
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
