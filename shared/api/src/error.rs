//! The one error type every layer returns, and its one JSON shape (HTTP bodies, WebSocket
//! `error` events and `$connect` refusals alike):
//! `{ "error": { "code", "message", "details", "requestId" } }`.

use http::StatusCode;
use lambda_http::{Body, Response};
use serde_json::{Value, json};
use tandem_domain::ValidationErrors;
use tandem_store::StoreError;

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
    ForbiddenBecause { code: &'static str, message: String },
    #[error("no such resource")]
    NotFound,
    #[error("{message}")]
    NotFoundBecause { code: &'static str, message: String },
    #[error("no route for {method} {path}")]
    RouteNotFound { method: String, path: String },
    #[error("an account with this email already exists")]
    EmailTaken,
    /// A request that conflicts with the resource's state (`code` says which).
    #[error("{message}")]
    Conflict { code: &'static str, message: String },
    /// Well-formed but not acceptable as sent (an idempotency key reused for another request).
    #[error("{message}")]
    Unprocessable { code: &'static str, message: String },
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
        Self::ForbiddenBecause { code: "account_banned", message: "this account is banned".into() }
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

    pub fn code(&self) -> &'static str {
        match self {
            Self::InvalidJson(_) => "invalid_json",
            Self::InvalidBody(_) => "invalid_body",
            Self::UnsupportedMediaType => "unsupported_media_type",
            Self::PayloadTooLarge { .. } => "payload_too_large",
            Self::Validation(_) => "validation_failed",
            Self::Unauthenticated => "unauthenticated",
            Self::InvalidCredentials => "invalid_credentials",
            Self::InvalidRefreshToken => "invalid_refresh_token",
            Self::InvalidIdentityToken(_) => "invalid_identity_token",
            Self::Forbidden(_) => "forbidden",
            Self::ForbiddenBecause { code, .. } => code,
            Self::NotFound => "not_found",
            Self::NotFoundBecause { code, .. } => code,
            Self::RouteNotFound { .. } => "route_not_found",
            Self::EmailTaken => "email_taken",
            Self::Conflict { code, .. } | Self::Unprocessable { code, .. } => code,
            Self::TooManyAttempts { .. } => "too_many_attempts",
            Self::NotConfigured(_) => "not_configured",
            Self::Busy => "service_busy",
            Self::Unavailable => "service_unavailable",
            Self::RateLimited { .. } => "rate_limited",
            Self::Internal(_) => "internal_error",
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
                Self::ForbiddenBecause { code: "matching_suspended", message }
            }
            QueueRefusal::NotActive => Self::ForbiddenBecause { code: "account_inactive", message },
            QueueRefusal::PendingDeletion => Self::ForbiddenBecause { code: "account_pending_deletion", message },
            QueueRefusal::ConversationActive => Self::Conflict { code: "conversation_active", message },
            QueueRefusal::AlreadyMatchedToday => Self::Conflict { code: "already_matched_today", message },
            QueueRefusal::NoProfile => Self::Conflict { code: "profile_incomplete", message },
            QueueRefusal::Hidden => Self::Conflict { code: "profile_hidden", message },
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
            RevealError::GateNotOpen => Self::Conflict { code: "gate_not_open", message },
            RevealError::GateAlreadyAnswered => Self::Conflict { code: "gate_already_answered", message },
        }
    }
}

impl From<ApiError> for lambda_http::lambda_runtime::Diagnostic {
    fn from(error: ApiError) -> Self {
        Self { error_type: error.code().to_owned(), error_message: error.to_string() }
    }
}

impl From<tandem_domain::conversation::FriendsConversation> for ApiError {
    fn from(refusal: tandem_domain::conversation::FriendsConversation) -> Self {
        ApiError::Conflict { code: "friendship_conversation", message: refusal.to_string() }
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
