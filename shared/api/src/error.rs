//! The one error type every layer returns, and its one JSON shape (HTTP bodies, WebSocket
//! `error` events and `$connect` refusals alike):
//! `{ "error": { "code", "message", "details", "requestId" } }`.

use http::StatusCode;
use lambda_http::{Body, Response};
use serde_json::{Value, json};
use tandem_domain::ValidationErrors;
use tandem_store::StoreError;

tandem_domain::named_enum! {
    /// Every `error.code` a client can meet, one name each (the OpenAPI document's `Error`
    /// schema lists exactly these: a drift test holds them together).
    pub enum ErrorCode {
        InvalidJson = "invalid_json",
        InvalidBody = "invalid_body",
        UnsupportedMediaType = "unsupported_media_type",
        PayloadTooLarge = "payload_too_large",
        ValidationFailed = "validation_failed",
        Unauthenticated = "unauthenticated",
        InvalidCredentials = "invalid_credentials",
        InvalidRefreshToken = "invalid_refresh_token",
        InvalidIdentityToken = "invalid_identity_token",
        Forbidden = "forbidden",
        NotFound = "not_found",
        RouteNotFound = "route_not_found",
        EmailTaken = "email_taken",
        TooManyAttempts = "too_many_attempts",
        NotConfigured = "not_configured",
        ServiceBusy = "service_busy",
        ServiceUnavailable = "service_unavailable",
        RateLimited = "rate_limited",
        InternalError = "internal_error",
        AccountBanned = "account_banned",
        AccountChanged = "account_changed",
        AccountInactive = "account_inactive",
        AccountPendingDeletion = "account_pending_deletion",
        AdminOnly = "admin_only",
        AlreadyExtended = "already_extended",
        AlreadyMatched = "already_matched",
        AlreadyMatchedToday = "already_matched_today",
        AlreadyReflected = "already_reflected",
        ConversationActive = "conversation_active",
        ConversationClosed = "conversation_closed",
        ConversationNotEnded = "conversation_not_ended",
        DeletionNotAllowed = "deletion_not_allowed",
        FriendshipConversation = "friendship_conversation",
        GateAlreadyAnswered = "gate_already_answered",
        GateNotOpen = "gate_not_open",
        IdempotencyInProgress = "idempotency_in_progress",
        IdempotencyKeyReused = "idempotency_key_reused",
        MatchingSuspended = "matching_suspended",
        NoDeletionPending = "no_deletion_pending",
        NoMatchToday = "no_match_today",
        NotAcknowledgeable = "not_acknowledgeable",
        PartnerAccountDeleted = "partner_account_deleted",
        PremiumRequired = "premium_required",
        ProfileHidden = "profile_hidden",
        ProfileIncomplete = "profile_incomplete",
        PromptRetired = "prompt_retired",
        ReflectionWindowClosed = "reflection_window_closed",
        ReportResolved = "report_resolved",
        UnknownAction = "unknown_action"
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("the request body is not valid JSON: {0}")]
    InvalidJson(String),
    #[error("the request body does not have the expected shape: {0}")]
    InvalidBody(String),
    #[error("the request body must be JSON (Content-Type: application/json)")]
    UnsupportedMediaType,
    #[error("the request body is larger than {limit} bytes")]
    PayloadTooLarge { limit: usize },
    #[error("some fields are invalid")]
    Validation(ValidationErrors),
    #[error("a valid bearer token is required")]
    Unauthenticated,
    #[error("the email or password is incorrect")]
    InvalidCredentials,
    #[error("the refresh token is invalid, expired or revoked")]
    InvalidRefreshToken,
    #[error("the identity token was rejected: {0}")]
    InvalidIdentityToken(String),
    #[error("{0}")]
    Forbidden(&'static str),
    #[error("{message}")]
    ForbiddenBecause { code: ErrorCode, message: String },
    #[error("no such resource")]
    NotFound,
    #[error("{message}")]
    NotFoundBecause { code: ErrorCode, message: String },
    #[error("no route for {method} {path}")]
    RouteNotFound { method: String, path: String },
    #[error("an account with this email already exists")]
    EmailTaken,
    /// A request that conflicts with the resource's state (`code` says which).
    #[error("{message}")]
    Conflict { code: ErrorCode, message: String },
    /// Well-formed but not acceptable as sent (an idempotency key reused for another request).
    #[error("{message}")]
    Unprocessable { code: ErrorCode, message: String },
    #[error("too many failed attempts; retry after {retry_after} seconds")]
    TooManyAttempts { retry_after: i64 },
    #[error("{0} is not configured on this deployment")]
    NotConfigured(&'static str),
    #[error("the service is busy; retry shortly")]
    Busy,
    /// A dependency (the table) cannot be reached: retry later.
    #[error("the service is temporarily unavailable; retry shortly")]
    Unavailable,
    /// A per-user or per-client limit was reached.
    #[error("too many requests; retry after {retry_after} seconds")]
    RateLimited { retry_after: i64 },
    /// Details go to the log, never to the client.
    #[error("internal error")]
    Internal(String),
}

impl ApiError {
    /// The account is banned: every request is refused, whatever token it carries.
    pub fn banned() -> Self {
        Self::ForbiddenBecause { code: ErrorCode::AccountBanned, message: "this account is banned".into() }
    }

    pub fn status(&self) -> StatusCode {
        match self {
            Self::InvalidJson(_) | Self::InvalidBody(_) | Self::Validation(_) => StatusCode::BAD_REQUEST,
            Self::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Self::PayloadTooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            Self::Unauthenticated
            | Self::InvalidCredentials
            | Self::InvalidRefreshToken
            | Self::InvalidIdentityToken(_) => StatusCode::UNAUTHORIZED,
            Self::Forbidden(_) | Self::ForbiddenBecause { .. } => StatusCode::FORBIDDEN,
            Self::NotFound | Self::NotFoundBecause { .. } | Self::RouteNotFound { .. } => StatusCode::NOT_FOUND,
            Self::EmailTaken | Self::Conflict { .. } => StatusCode::CONFLICT,
            Self::Unprocessable { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            Self::TooManyAttempts { .. } | Self::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
            // Switched off by configuration: retrying will not help (unlike 503).
            Self::NotConfigured(_) => StatusCode::NOT_IMPLEMENTED,
            Self::Busy | Self::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    pub fn code(&self) -> ErrorCode {
        match self {
            Self::InvalidJson(_) => ErrorCode::InvalidJson,
            Self::InvalidBody(_) => ErrorCode::InvalidBody,
            Self::UnsupportedMediaType => ErrorCode::UnsupportedMediaType,
            Self::PayloadTooLarge { .. } => ErrorCode::PayloadTooLarge,
            Self::Validation(_) => ErrorCode::ValidationFailed,
            Self::Unauthenticated => ErrorCode::Unauthenticated,
            Self::InvalidCredentials => ErrorCode::InvalidCredentials,
            Self::InvalidRefreshToken => ErrorCode::InvalidRefreshToken,
            Self::InvalidIdentityToken(_) => ErrorCode::InvalidIdentityToken,
            Self::Forbidden(_) => ErrorCode::Forbidden,
            Self::ForbiddenBecause { code, .. } => *code,
            Self::NotFound => ErrorCode::NotFound,
            Self::NotFoundBecause { code, .. } => *code,
            Self::RouteNotFound { .. } => ErrorCode::RouteNotFound,
            Self::EmailTaken => ErrorCode::EmailTaken,
            Self::Conflict { code, .. } | Self::Unprocessable { code, .. } => *code,
            Self::TooManyAttempts { .. } => ErrorCode::TooManyAttempts,
            Self::NotConfigured(_) => ErrorCode::NotConfigured,
            Self::Busy => ErrorCode::ServiceBusy,
            Self::Unavailable => ErrorCode::ServiceUnavailable,
            Self::RateLimited { .. } => ErrorCode::RateLimited,
            Self::Internal(_) => ErrorCode::InternalError,
        }
    }

    /// Seconds a client should wait before trying again, when waiting helps.
    pub fn retry_after(&self) -> Option<i64> {
        match self {
            Self::TooManyAttempts { retry_after } | Self::RateLimited { retry_after } => Some(*retry_after),
            Self::Busy => Some(1),
            Self::Unavailable => Some(5),
            _ => None,
        }
    }

    fn details(&self) -> Value {
        match self {
            Self::Validation(errors) => json!(errors.0),
            Self::TooManyAttempts { retry_after } | Self::RateLimited { retry_after } => {
                json!({ "retryAfterSeconds": retry_after })
            }
            Self::PayloadTooLarge { limit } => json!({ "limitBytes": limit }),
            _ => Value::Null,
        }
    }

    /// The error document a client sees; `request_id` ties it to the server's log lines.
    pub fn body(&self, request_id: &str) -> Value {
        json!({
            "error": {
                "code": self.code(),
                "message": self.to_string(),
                "details": self.details(),
                "requestId": request_id,
            }
        })
    }

    /// The HTTP response carrying [`body`](Self::body), with its status and headers.
    pub fn to_response(&self, request_id: &str) -> Response<Body> {
        let body = self.body(request_id);
        let mut builder = Response::builder()
            .status(self.status())
            .header(http::header::CONTENT_TYPE, "application/json")
            .header("x-request-id", request_id);
        if let Some(retry_after) = self.retry_after() {
            builder = builder.header(http::header::RETRY_AFTER, retry_after.to_string());
        }
        if matches!(self, Self::Unauthenticated) {
            builder = builder.header(http::header::WWW_AUTHENTICATE, "Bearer");
        }
        builder.body(Body::Text(body.to_string())).unwrap_or_else(|_| Response::new(Body::Text(body.to_string())))
    }
}

impl From<StoreError> for ApiError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::EmailTaken => Self::EmailTaken,
            StoreError::NotFound => Self::NotFound,
            StoreError::Throttled(_) => Self::Busy,
            StoreError::Unavailable(message) => {
                tracing::error!(%message, "the table is unreachable");
                Self::Unavailable
            }
            StoreError::BadCursor => {
                Self::Validation(tandem_domain::FieldError::new("cursor", "not a cursor this API issued").into())
            }
            other => Self::Internal(other.to_string()),
        }
    }
}

impl From<tandem_domain::availability::QueueRefusal> for ApiError {
    fn from(refusal: tandem_domain::availability::QueueRefusal) -> Self {
        use tandem_domain::availability::QueueRefusal;
        let message = refusal.to_string();
        match refusal {
            QueueRefusal::Suspended | QueueRefusal::SuspendedUntil(_) => {
                Self::ForbiddenBecause { code: ErrorCode::MatchingSuspended, message }
            }
            QueueRefusal::NotActive => Self::ForbiddenBecause { code: ErrorCode::AccountInactive, message },
            QueueRefusal::PendingDeletion => {
                Self::ForbiddenBecause { code: ErrorCode::AccountPendingDeletion, message }
            }
            QueueRefusal::ConversationActive => Self::Conflict { code: ErrorCode::ConversationActive, message },
            QueueRefusal::AlreadyMatchedToday => Self::Conflict { code: ErrorCode::AlreadyMatchedToday, message },
            QueueRefusal::NoProfile => Self::Conflict { code: ErrorCode::ProfileIncomplete, message },
            QueueRefusal::Hidden => Self::Conflict { code: ErrorCode::ProfileHidden, message },
        }
    }
}

/// How a failed job or worker run reaches the Lambda runtime: the error code as
/// `errorType` (what alarms and the console group by), the message without internals.
impl From<tandem_domain::reveal::RevealError> for ApiError {
    fn from(error: tandem_domain::reveal::RevealError) -> Self {
        use tandem_domain::reveal::RevealError;
        let message = error.to_string();
        match error {
            RevealError::NoSuchGate => Self::Validation(tandem_domain::FieldError::new("gate", message).into()),
            RevealError::GateNotOpen => Self::Conflict { code: ErrorCode::GateNotOpen, message },
            RevealError::GateAlreadyAnswered => Self::Conflict { code: ErrorCode::GateAlreadyAnswered, message },
        }
    }
}

impl From<ApiError> for lambda_http::lambda_runtime::Diagnostic {
    fn from(error: ApiError) -> Self {
        Self { error_type: error.code().to_string(), error_message: error.to_string() }
    }
}

impl From<tandem_domain::conversation::FriendsConversation> for ApiError {
    fn from(refusal: tandem_domain::conversation::FriendsConversation) -> Self {
        ApiError::Conflict { code: ErrorCode::FriendshipConversation, message: refusal.to_string() }
    }
}

impl From<ValidationErrors> for ApiError {
    fn from(errors: ValidationErrors) -> Self {
        Self::Validation(errors)
    }
}

impl From<tandem_domain::FieldError> for ApiError {
    fn from(error: tandem_domain::FieldError) -> Self {
        Self::Validation(error.into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body_json(response: &Response<Body>) -> Value {
        serde_json::from_slice(response.body().as_ref()).unwrap()
    }

    /// The OpenAPI document's `Error` schema names exactly the codes the server can answer.
    #[test]
    fn the_openapi_document_lists_exactly_the_error_codes() {
        let document: Value = serde_json::from_str(include_str!("../openapi.json")).unwrap();
        let listed = &document["components"]["schemas"]["Error"]["properties"]["error"]["properties"]["code"]["enum"];
        let mut listed: Vec<&str> = listed.as_array().unwrap().iter().map(|c| c.as_str().unwrap()).collect();
        let mut known: Vec<&str> = ErrorCode::ALL.iter().map(|c| c.as_str()).collect();
        listed.sort_unstable();
        known.sort_unstable();
        assert_eq!(listed, known);
    }

    #[test]
    fn every_error_has_the_documented_shape() {
        let response = ApiError::TooManyAttempts { retry_after: 42 }.to_response("req-1");
        assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(response.headers()["retry-after"], "42");
        let body = body_json(&response);
        assert_eq!(body["error"]["code"], "too_many_attempts");
        assert_eq!(body["error"]["requestId"], "req-1");
        assert_eq!(body["error"]["details"]["retryAfterSeconds"], 42);
    }

    #[test]
    fn internal_details_never_reach_the_client() {
        let response = ApiError::Internal("DynamoDB exploded at line 7".into()).to_response("r");
        let text = String::from_utf8(response.body().as_ref().to_vec()).unwrap();
        assert!(!text.contains("exploded"));
        assert_eq!(body_json(&response)["error"]["message"], "internal error");
    }
}
