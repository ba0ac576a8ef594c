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
            grants: &[Grant::SigningKeys, Grant::Table(&["dynamodb:PutItem"])],
            memory_mb: Some(512),
            ..Deploy::new(
                "Creates an account (email + password) and signs it in.",
                Trigger::Http { method: "POST", path: "/v1/auth/register" }
            )
        }
    ),
    http_function!(
        "auth-login",
        auth::login,
        Deploy {
            grants: &[
                Grant::SigningKeys,
                Grant::Table(&["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem"]),
            ],
            memory_mb: Some(512),
            ..Deploy::new(
                "Email + password sign-in, throttled per email.",
                Trigger::Http { method: "POST", path: "/v1/auth/login" }
            )
        }
    ),
    http_function!(
        "auth-refresh",
        auth::refresh,
        Deploy {
            grants: &[
                Grant::SigningKeys,
                Grant::Table(&["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"]),
            ],
            ..Deploy::new(
                "Rotates a refresh token; reuse revokes the family.",
                Trigger::Http { method: "POST", path: "/v1/auth/refresh" }
            )
        }
    ),
    http_function!(
        "auth-logout",
        auth::logout,
        Deploy {
            grants: &[Grant::Table(&["dynamodb:GetItem", "dynamodb:UpdateItem"])],
            ..Deploy::new(
                "Revokes the session family of a refresh token.",
                Trigger::Http { method: "POST", path: "/v1/auth/logout" }
            )
        }
    ),
    http_function!(
        "auth-oidc",
        auth::oidc,
        Deploy {
            grants: &[
                Grant::SigningKeys,
                Grant::Table(&["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"]),
            ],
            ..Deploy::new(
                "Exchanges an OIDC id_token for a session.",
                Trigger::Http { method: "POST", path: "/v1/auth/oidc" }
            )
        },
        prepare = App::with_oidc
    ),
    http_function!(
        "me-get",
        me::get,
        Deploy {
            grants: &[Grant::SigningKeys, Grant::Table(&["dynamodb:GetItem"])],
            ..Deploy::new("The caller's account and profile.", Trigger::Http { method: "GET", path: "/v1/me" })
        }
    ),
    http_function!(
        "me-profile-put",
        me::profile_put,
        Deploy {
            grants: &[Grant::SigningKeys, Grant::Table(&["dynamodb:GetItem", "dynamodb:UpdateItem"])],
            ..Deploy::new("Replaces the caller's profile.", Trigger::Http { method: "PUT", path: "/v1/me/profile" })
        }
    ),
    http_function!(
        "me-notifications-get",
        me::notifications_get,
        Deploy {
            grants: &[Grant::SigningKeys, Grant::Table(&["dynamodb:GetItem"])],
            ..Deploy::new(
                "The caller's notification preferences and quiet hours.",
                Trigger::Http { method: "GET", path: "/v1/me/notifications" }
            )
        }
    ),
    http_function!(
        "me-notifications-put",
        me::notifications_put,
        Deploy {
            grants: &[Grant::SigningKeys, Grant::Table(&["dynamodb:GetItem", "dynamodb:PutItem"])],
            ..Deploy::new(
                "Replaces the caller's notification preferences and quiet hours.",
                Trigger::Http { method: "PUT", path: "/v1/me/notifications" }
            )
        }
    ),
    http_function!(
        "me-rewards-get",
        me::rewards_get,
        Deploy {
            grants: &[Grant::SigningKeys, Grant::Table(&["dynamodb:GetItem", "dynamodb:Query"])],
            ..Deploy::new(
                "The caller's points, streaks, badges and ledger.",
                Trigger::Http { method: "GET", path: "/v1/me/rewards" }
            )
        }
    ),
    http_function!(
        "me-intent-put",
        me::intent_put,
        Deploy {
            grants: &[Grant::SigningKeys, Grant::Table(&["dynamodb:GetItem", "dynamodb:UpdateItem"])],
            ..Deploy::new(
                "Sets the caller's intent for this ISO week (a soft pairing preference).",
                Trigger::Http { method: "PUT", path: "/v1/me/intent" }
            )
        }
    ),
    http_function!(
        "conversations-decision-gate",
        conversations::decision_gate,
        Deploy {
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
            ..Deploy::new(
                "Records the caller's answer at a decision gate (reveal, not yet, end).",
                Trigger::Http { method: "POST", path: "/v1/conversations/{id}/decision-gate" }
            )
        }
    ),
    http_function!(
        "conversations-reveal-consent",
        conversations::reveal_consent,
        Deploy {
            grants: &[
                Grant::SigningKeys,
                Grant::Table(&["dynamodb:GetItem", "dynamodb:UpdateItem", "dynamodb:PutItem"]),
            ],
            ..Deploy::new(
                "Records the caller's consent to reveal their profile in this conversation.",
                Trigger::Http { method: "POST", path: "/v1/conversations/{id}/reveal-consent" }
            )
        }
    ),
    http_function!(
        "friends-list",
        friends::list,
        Deploy {
            grants: &[
                Grant::SigningKeys,
                Grant::Table(&["dynamodb:GetItem", "dynamodb:Query", "dynamodb:BatchGetItem"]),
            ],
            ..Deploy::new(
                "Lists the caller's friends with their revealed view and the friends' conversation.",
                Trigger::Http { method: "GET", path: "/v1/friends" }
            )
        }
    ),
    http_function!(
        "friends-delete",
        friends::delete,
        Deploy {
            grants: &[
                Grant::SigningKeys,
                Grant::Table(&["dynamodb:GetItem", "dynamodb:DeleteItem", "dynamodb:UpdateItem"]),
            ],
            ..Deploy::new(
                "Ends a friendship and closes the friends' conversation.",
                Trigger::Http { method: "DELETE", path: "/v1/friends/{userId}" }
            )
        }
    ),
    http_function!(
        "prompts-today",
        prompts::today,
        Deploy {
            grants: &[Grant::SigningKeys, Grant::Table(&["dynamodb:GetItem", "dynamodb:Query"])],
            ..Deploy::new(
                "Today's daily prompt for the caller and their answer.",
                Trigger::Http { method: "GET", path: "/v1/prompts/today" }
            )
        }
    ),
    http_function!(
        "prompts-answer",
        prompts::answer,
        Deploy {
            grants: &[Grant::SigningKeys, Grant::Table(&["dynamodb:GetItem", "dynamodb:PutItem"])],
            ..Deploy::new(
                "Answers a daily prompt for the caller's local day.",
                Trigger::Http { method: "POST", path: "/v1/prompts/{id}/answer" }
            )
        }
    ),
    http_function!(
        "admin-prompts-list",
        admin::prompts_list,
        Deploy {
            grants: &[Grant::SigningKeys, Grant::Table(&["dynamodb:GetItem", "dynamodb:Query"])],
            ..Deploy::new("Admin: the prompt catalogue.", Trigger::Http { method: "GET", path: "/v1/admin/prompts" })
        }
    ),
    http_function!(
        "admin-prompts-create",
        admin::prompts_create,
        Deploy {
            grants: &[
                Grant::SigningKeys,
                Grant::Table(&["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem"]),
            ],
            ..Deploy::new(
                "Admin: adds a prompt to the catalogue (audited).",
                Trigger::Http { method: "POST", path: "/v1/admin/prompts" }
            )
        }
    ),
    http_function!(
        "admin-prompts-update",
        admin::prompts_update,
        Deploy {
            grants: &[Grant::SigningKeys, Grant::Table(&["dynamodb:GetItem", "dynamodb:PutItem"])],
            ..Deploy::new(
                "Admin: edits or retires a prompt (audited).",
                Trigger::Http { method: "PUT", path: "/v1/admin/prompts/{id}" }
            )
        }
    ),
    http_function!(
        "conversations-stay-friends",
        conversations::stay_friends,
        Deploy {
            grants: &[
                Grant::SigningKeys,
                Grant::Table(&["dynamodb:GetItem", "dynamodb:BatchGetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"]),
            ],
            ..Deploy::new(
                "Presses stay friends; the second press makes the pair friends.",
                Trigger::Http { method: "POST", path: "/v1/conversations/{id}/stay-friends" }
            )
        }
    ),
    http_function!(
        "me-trust-get",
        me::trust_get,
        Deploy {
            grants: &[Grant::SigningKeys, Grant::Table(&["dynamodb:GetItem", "dynamodb:Query"])],
            ..Deploy::new(
                "The caller's trust score, its components and ledger.",
                Trigger::Http { method: "GET", path: "/v1/me/trust" }
            )
        }
    ),
    http_function!(
        "me-ghosting-acknowledge",
        me::ghosting_acknowledge,
        Deploy {
            grants: &[
                Grant::SigningKeys,
                Grant::Table(&["dynamodb:GetItem", "dynamodb:UpdateItem", "dynamodb:PutItem"]),
            ],
            ..Deploy::new(
                "Lifts the caller's suspension for abandoned conversations once they acknowledge it (audited).",
                Trigger::Http { method: "POST", path: "/v1/me/ghosting/acknowledge" }
            )
        }
    ),
    http_function!(
        "me-export",
        me::export,
        Deploy {
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
            timeout_seconds: Some(29),
            ..Deploy::new(
                "Everything stored about the caller, as one JSON document (GDPR Art. 15/20).",
                Trigger::Http { method: "POST", path: "/v1/me/export" }
            )
        }
    ),
    http_function!(
        "me-deletion-request",
        me::deletion_request,
        Deploy {
            grants: &[
                Grant::SigningKeys,
                Grant::Table(&["dynamodb:GetItem", "dynamodb:UpdateItem", "dynamodb:PutItem", "dynamodb:DeleteItem"]),
            ],
            ..Deploy::new(
                "Schedules the caller's account deletion after a 7-day grace period (out of the pool at once; audited).",
                Trigger::Http { method: "POST", path: "/v1/me/deletion" }
            )
        }
    ),
    http_function!(
        "me-deletion-cancel",
        me::deletion_cancel,
        Deploy {
            grants: &[
                Grant::SigningKeys,
                Grant::Table(&["dynamodb:GetItem", "dynamodb:UpdateItem", "dynamodb:PutItem", "dynamodb:DeleteItem"]),
            ],
            ..Deploy::new(
                "Cancels the caller's scheduled account deletion (audited).",
                Trigger::Http { method: "DELETE", path: "/v1/me/deletion" }
            )
        }
    ),
    http_function!(
        "push-tokens-create",
        push::tokens_create,
        Deploy {
            grants: &[
                Grant::SigningKeys,
                Grant::Table(&["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem"]),
            ],
            ..Deploy::new(
                "Registers a device token for pushes (moves it from another account).",
                Trigger::Http { method: "POST", path: "/v1/push-tokens" }
            )
        }
    ),
    http_function!(
        "push-tokens-list",
        push::tokens_list,
        Deploy {
            grants: &[Grant::SigningKeys, Grant::Table(&["dynamodb:GetItem", "dynamodb:Query"])],
            ..Deploy::new(
                "The caller's device tokens, masked.",
                Trigger::Http { method: "GET", path: "/v1/push-tokens" }
            )
        }
    ),
    http_function!(
        "push-tokens-delete",
        push::tokens_delete,
        Deploy {
            grants: &[Grant::SigningKeys, Grant::Table(&["dynamodb:GetItem", "dynamodb:DeleteItem"])],
            ..Deploy::new(
                "Removes one of the caller's device tokens.",
                Trigger::Http { method: "DELETE", path: "/v1/push-tokens/{id}" }
            )
        }
    ),
    http_function!(
        "availability-put",
        availability::put,
        Deploy {
            grants: &[
                Grant::SigningKeys,
                Grant::Table(&["dynamodb:BatchGetItem", "dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:Query"]),
            ],
            ..Deploy::new(
                "Queues the caller for their local today.",
                Trigger::Http { method: "PUT", path: "/v1/availability/today" }
            )
        }
    ),
    http_function!(
        "availability-delete",
        availability::delete,
        Deploy {
            grants: &[Grant::SigningKeys, Grant::Table(&["dynamodb:GetItem", "dynamodb:DeleteItem"])],
            ..Deploy::new(
                "Leaves today's queue (409 once matched).",
                Trigger::Http { method: "DELETE", path: "/v1/availability/today" }
            )
        }
    ),
    http_function!(
        "availability-get",
        availability::get,
        Deploy {
            grants: &[Grant::SigningKeys, Grant::Table(&["dynamodb:GetItem"])],
            ..Deploy::new(
                "Today's state: idle, queued or matched.",
                Trigger::Http { method: "GET", path: "/v1/availability/today" }
            )
        }
    ),
    http_function!(
        "presence-heartbeat",
        presence::heartbeat,
        Deploy {
            grants: &[Grant::SigningKeys, Grant::Table(&["dynamodb:GetItem", "dynamodb:PutItem"])],
            ..Deploy::new(
                "Keeps the caller online for 90 s.",
                Trigger::Http { method: "POST", path: "/v1/presence/heartbeat" }
            )
        }
    ),
    http_function!(
        "blocks-create",
        blocks::create,
        Deploy {
            grants: &[
                Grant::SigningKeys,
                Grant::Table(&["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem"]),
            ],
            ..Deploy::new(
                "Blocks a user (never paired again; an active conversation between them ends).",
                Trigger::Http { method: "POST", path: "/v1/blocks" }
            )
        }
    ),
    http_function!(
        "blocks-list",
        blocks::list,
        Deploy {
            grants: &[Grant::SigningKeys, Grant::Table(&["dynamodb:GetItem", "dynamodb:Query"])],
            ..Deploy::new("The caller's blocks.", Trigger::Http { method: "GET", path: "/v1/blocks" })
        }
    ),
    http_function!(
        "blocks-delete",
        blocks::delete,
        Deploy {
            grants: &[
                Grant::SigningKeys,
                Grant::Table(&["dynamodb:GetItem", "dynamodb:DeleteItem", "dynamodb:PutItem"]),
            ],
            ..Deploy::new("Removes a block.", Trigger::Http { method: "DELETE", path: "/v1/blocks/{userId}" })
        }
    ),
    http_function!(
        "match-today",
        matches::today,
        Deploy {
            grants: &[Grant::SigningKeys, Grant::Table(&["dynamodb:GetItem"])],
            ..Deploy::new(
                "Today's match: partner subset, score, reasons.",
                Trigger::Http { method: "GET", path: "/v1/match/today" }
            )
        }
    ),
    http_function!(
        "conversations-get",
        conversations::get,
        Deploy {
            grants: &[Grant::SigningKeys, Grant::Table(&["dynamodb:GetItem", "dynamodb:Query"])],
            ..Deploy::new(
                "Conversation status and read positions.",
                Trigger::Http { method: "GET", path: "/v1/conversations/{id}" }
            )
        }
    ),
    http_function!(
        "conversations-messages-list",
        conversations::messages_list,
        Deploy {
            grants: &[Grant::SigningKeys, Grant::Table(&["dynamodb:GetItem", "dynamodb:Query"])],
            ..Deploy::new(
                "Message history, cursor-paginated.",
                Trigger::Http { method: "GET", path: "/v1/conversations/{id}/messages" }
            )
        }
    ),
    http_function!(
        "conversations-messages-send",
        conversations::messages_send,
        Deploy {
            grants: &[
                Grant::SigningKeys,
                Grant::Table(&["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem"]),
                Grant::Indexes(&["gsi1"], &["dynamodb:Query"]),
                Grant::ManageConnections(&["POST"]),
            ],
            ..Deploy::new(
                "Sends a message (same path as the WebSocket sendMessage).",
                Trigger::Http { method: "POST", path: "/v1/conversations/{id}/messages" }
            )
        }
    ),
    http_function!(
        "conversations-read",
        conversations::read,
        Deploy {
            grants: &[
                Grant::SigningKeys,
                Grant::Table(&["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:DeleteItem"]),
                Grant::Indexes(&["gsi1"], &["dynamodb:Query"]),
                Grant::ManageConnections(&["POST"]),
            ],
            ..Deploy::new(
                "Persists the read position and relays it.",
                Trigger::Http { method: "POST", path: "/v1/conversations/{id}/read" }
            )
        }
    ),
    http_function!(
        "conversations-close",
        conversations::close,
        Deploy {
            grants: &[Grant::SigningKeys, Grant::Table(&["dynamodb:GetItem", "dynamodb:UpdateItem"]),],
            ..Deploy::new(
                "Ends a conversation early.",
                Trigger::Http { method: "POST", path: "/v1/conversations/{id}/close" }
            )
        }
    ),
    http_function!(
        "conversations-extend",
        conversations::extend,
        Deploy {
            grants: &[
                Grant::SigningKeys,
                Grant::Table(&["dynamodb:GetItem", "dynamodb:UpdateItem", "dynamodb:PutItem", "dynamodb:DeleteItem"]),
                Grant::Indexes(&["gsi1"], &["dynamodb:Query"]),
                Grant::ManageConnections(&["POST"]),
            ],
            ..Deploy::new(
                "Consents to a 24-hour extension.",
                Trigger::Http { method: "POST", path: "/v1/conversations/{id}/extend" }
            )
        }
    ),
    http_function!(
        "conversations-panic",
        conversations::panic,
        Deploy {
            grants: &[
                Grant::SigningKeys,
                Grant::Table(&["dynamodb:GetItem", "dynamodb:UpdateItem", "dynamodb:PutItem", "dynamodb:DeleteItem"]),
            ],
            ..Deploy::new(
                "Panic exit: end, block both ways, report, atomically.",
                Trigger::Http { method: "POST", path: "/v1/conversations/{id}/panic" }
            )
        }
    ),
    http_function!(
        "conversations-reflection",
        conversations::reflection,
        Deploy {
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
            ..Deploy::new(
                "Records a participant's reflection on an ended conversation (and its trust entry).",
                Trigger::Http { method: "POST", path: "/v1/conversations/{id}/reflection" }
            )
        }
    ),
    http_function!(
        "reports-create",
        reports::create,
        Deploy {
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
            ..Deploy::new(
                "Files a report about someone the caller shared a conversation with.",
                Trigger::Http { method: "POST", path: "/v1/reports" }
            )
        }
    ),
    http_function!(
        "reports-list",
        reports::list,
        Deploy {
            grants: &[
                Grant::SigningKeys,
                Grant::Table(&["dynamodb:GetItem", "dynamodb:Query", "dynamodb:BatchGetItem"]),
            ],
            ..Deploy::new(
                "The caller's reports and their status.",
                Trigger::Http { method: "GET", path: "/v1/reports" }
            )
        }
    ),
    http_function!(
        "reports-get",
        reports::get,
        Deploy {
            grants: &[Grant::SigningKeys, Grant::Table(&["dynamodb:GetItem"])],
            ..Deploy::new("One of the caller's reports.", Trigger::Http { method: "GET", path: "/v1/reports/{id}" })
        }
    ),
    http_function!(
        "admin-reports-list",
        admin::reports_list,
        Deploy {
            grants: &[
                Grant::SigningKeys,
                Grant::Table(&["dynamodb:GetItem"]),
                Grant::Indexes(&["gsi1"], &["dynamodb:Query"]),
            ],
            ..Deploy::new(
                "Admin: the triage queue by status and severity.",
                Trigger::Http { method: "GET", path: "/v1/admin/reports" }
            )
        }
    ),
    http_function!(
        "admin-reports-get",
        admin::reports_get,
        Deploy {
            grants: &[
                Grant::SigningKeys,
                Grant::Table(&["dynamodb:GetItem", "dynamodb:Query", "dynamodb:UpdateItem", "dynamodb:BatchGetItem"]),
                Grant::Indexes(&["gsi1"], &["dynamodb:Query"]),
            ],
            ..Deploy::new(
                "Admin: a report with its context (triages an open report).",
                Trigger::Http { method: "GET", path: "/v1/admin/reports/{id}" }
            )
        }
    ),
    http_function!(
        "admin-reports-action",
        admin::reports_action,
        Deploy {
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
            ..Deploy::new(
                "Admin: dismiss, warn, suspend or ban (audited; a ban takes effect at once).",
                Trigger::Http { method: "POST", path: "/v1/admin/reports/{id}/actions" }
            )
        }
    ),
    http_function!(
        "admin-users-get",
        admin::users_get,
        Deploy {
            grants: &[
                Grant::SigningKeys,
                Grant::Table(&["dynamodb:GetItem", "dynamodb:Query", "dynamodb:BatchGetItem"]),
                Grant::Indexes(&["gsi1"], &["dynamodb:Query"]),
            ],
            ..Deploy::new(
                "Admin: an account with the reports about it and the actions taken.",
                Trigger::Http { method: "GET", path: "/v1/admin/users/{id}" }
            )
        }
    ),
    http_function!(
        "admin-users-premium",
        admin::users_premium,
        Deploy {
            grants: &[
                Grant::SigningKeys,
                Grant::Table(&["dynamodb:Query", "dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"]),
                Grant::Indexes(&["gsi1"], &["dynamodb:Query"]),
            ],
            ..Deploy::new(
                "Admin: grants or removes premium (audited).",
                Trigger::Http { method: "PUT", path: "/v1/admin/users/{id}/premium" }
            )
        }
    ),
    http_function!(
        "system-health",
        system::health,
        Deploy {
            grants: &[Grant::Table(&["dynamodb:GetItem"])],
            memory_mb: Some(128),
            ..Deploy::new(
                "Liveness plus a table reachability check.",
                Trigger::Http { method: "GET", path: "/v1/healthz" }
            )
        }
    ),
    http_function!(
        "system-version",
        system::version,
        Deploy {
            memory_mb: Some(128),
            ..Deploy::new("Deployed version.", Trigger::Http { method: "GET", path: "/v1/version" })
        }
    ),
    http_function!(
        "system-openapi",
        system::openapi,
        Deploy {
            memory_mb: Some(128),
            ..Deploy::new("The OpenAPI 3.1 document.", Trigger::Http { method: "GET", path: "/v1/openapi.json" })
        }
    ),
    http_function!(
        "system-not-found",
        system::not_found,
        Deploy {
            memory_mb: Some(128),
            ..Deploy::new(
                "The HTTP API's $default route: anything no route serves gets the error shape (404 route_not_found).",
                Trigger::HttpDefault
            )
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
