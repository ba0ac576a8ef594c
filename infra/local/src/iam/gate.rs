//! The gate: an HTTP proxy on 127.0.0.1 in front of DynamoDB Local and moto that checks each
//! function's call against its policy before passing it on, and refuses it as the service
//! would when IAM denies it.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use axum::body::{Body, to_bytes};
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use http::{HeaderMap, HeaderValue, StatusCode};
use tokio::sync::oneshot;

use super::request::{self, Protocol};
use super::{Decision, Iam, Refusal};

/// Where the gate passes calls on to.
#[derive(Debug, Clone)]
pub struct Upstreams {
    pub dynamodb: String,
    pub sqs: String,
    /// Every other service (SNS, Secrets Manager): moto.
    pub other: String,
    /// The access key the emulators know the stack by (DynamoDB Local keeps one database per
    /// access key when not shared): a function's key is replaced by it on the way through.
    pub access_key: String,
}

impl Upstreams {
    /// From the standard variables the stack and the tests set.
    pub fn from_env() -> Result<Self, GateError> {
        let var = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
        let other = var("AWS_ENDPOINT_URL").ok_or(GateError::NoEndpoint("AWS_ENDPOINT_URL"))?;
        Ok(Self {
            dynamodb: var("AWS_ENDPOINT_URL_DYNAMODB").ok_or(GateError::NoEndpoint("AWS_ENDPOINT_URL_DYNAMODB"))?,
            sqs: var("AWS_ENDPOINT_URL_SQS").unwrap_or_else(|| other.clone()),
            other,
            access_key: var("AWS_ACCESS_KEY_ID").unwrap_or_else(|| "local".into()),
        })
    }
}

#[derive(Debug, thiserror::Error)]
pub enum GateError {
    #[error("the IAM gate needs {0}: start the emulators first")]
    NoEndpoint(&'static str),
    #[error("the IAM gate could not listen: {0}")]
    Listen(#[from] std::io::Error),
}

struct GateState {
    iam: Arc<Iam>,
    upstreams: Upstreams,
    http: reqwest::Client,
}

/// The running gate; stops when dropped.
pub struct Gate {
    pub endpoint: String,
    _stop: oneshot::Sender<()>,
}

impl Gate {
    pub async fn start(iam: Arc<Iam>, upstreams: Upstreams) -> Result<Self, GateError> {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let endpoint = format!("http://{}", listener.local_addr()?);
        let state = Arc::new(GateState { iam, upstreams, http: reqwest::Client::new() });
        let router = Router::new().fallback(pass).with_state(state);
        let (stop, stopped) = oneshot::channel::<()>();
        tokio::spawn(async move {
            let _ = axum::serve(listener, router.into_make_service_with_connect_info::<SocketAddr>())
                .with_graceful_shutdown(async move {
                    let _ = stopped.await;
                })
                .await;
        });
        Ok(Self { endpoint, _stop: stop })
    }
}

/// DynamoDB's largest request (a 100-item transaction of 4 MB) with room to spare.
const MAX_BODY_BYTES: usize = 16 * 1024 * 1024;

async fn pass(State(gate): State<Arc<GateState>>, request: axum::extract::Request) -> Response {
    let (parts, body) = request.into_parts();
    let Ok(body) = to_bytes(body, MAX_BODY_BYTES).await else {
        return (StatusCode::PAYLOAD_TOO_LARGE, "request too large").into_response();
    };
    let authorization = header(&parts.headers, "authorization").unwrap_or_default();
    let Some(credential) = request::credential(&authorization) else {
        return (StatusCode::FORBIDDEN, "the local IAM gate takes SigV4-signed requests only").into_response();
    };
    let target = header(&parts.headers, "x-amz-target");
    let (protocol, needs) = request::evaluate(target.as_deref(), &body, gate.iam.local());
    if let Decision::Refused(refusal) = gate.iam.decide(&credential.access_key, &needs) {
        return refused(&gate.iam, &refusal, protocol, &credential.service);
    }
    if target.as_deref() == Some("DynamoDB_20120810.TransactWriteItems")
        && gate.iam.take_conflict(&credential.access_key)
    {
        return conflict(&body);
    }
    let upstream = match credential.service.as_str() {
        "dynamodb" => &gate.upstreams.dynamodb,
        "sqs" => &gate.upstreams.sqs,
        _ => &gate.upstreams.other,
    };
    let path = parts.uri.path_and_query().map(|p| p.as_str()).unwrap_or("/");
    let mut forwarded = gate.http.request(parts.method.clone(), format!("{upstream}{path}"));
    for (name, value) in &parts.headers {
        if matches!(name.as_str(), "host" | "content-length" | "connection") {
            continue;
        }
        let value = if name.as_str() == "authorization" {
            let replaced = authorization.replace(
                &format!("Credential={}/", credential.access_key),
                &format!("Credential={}/", gate.upstreams.access_key),
            );
            HeaderValue::from_str(&replaced).unwrap_or_else(|_| value.clone())
        } else {
            value.clone()
        };
        forwarded = forwarded.header(name, value);
    }
    match forwarded.body(body).send().await {
        Ok(answer) => {
            let status = answer.status();
            let headers = answer.headers().clone();
            let bytes = answer.bytes().await.unwrap_or_default();
            let mut response = Response::new(Body::from(bytes));
            *response.status_mut() = status;
            for (name, value) in &headers {
                if !matches!(name.as_str(), "content-length" | "transfer-encoding" | "connection") {
                    response.headers_mut().append(name, value.clone());
                }
            }
            response
        }
        Err(error) => {
            tracing::warn!(%upstream, %error, "the IAM gate could not reach the emulator");
            (StatusCode::BAD_GATEWAY, format!("upstream {upstream}: {error}")).into_response()
        }
    }
}

fn header(headers: &HeaderMap, name: &str) -> Option<String> {
    headers.get(name).and_then(|v| v.to_str().ok()).map(str::to_owned)
}

/// The answer the service gives when IAM denies a call.
fn refused(iam: &Iam, refusal: &Refusal, protocol: Protocol, service: &str) -> Response {
    let message = refusal.message(&iam.local().account, &iam.role_of(&refusal.function));
    let request_id = uuid::Uuid::new_v4().to_string();
    let mut response = match protocol {
        Protocol::Json => {
            let (content_type, body) = match service {
                "secretsmanager" => (
                    "application/x-amz-json-1.1",
                    serde_json::json!({"__type": "AccessDeniedException", "Message": message}),
                ),
                _ => (
                    "application/x-amz-json-1.0",
                    serde_json::json!({"__type": "com.amazon.coral.service#AccessDeniedException", "message": message}),
                ),
            };
            let mut response = (StatusCode::BAD_REQUEST, body.to_string()).into_response();
            response.headers_mut().insert("content-type", HeaderValue::from_static(content_type));
            if service == "sqs" {
                response.headers_mut().insert("x-amzn-query-error", HeaderValue::from_static("AccessDenied;Sender"));
            }
            response
        }
        Protocol::Query => {
            let body = format!(
                "<ErrorResponse xmlns=\"http://sns.amazonaws.com/doc/2010-03-31/\"><Error><Type>Sender</Type><Code>AuthorizationError</Code><Message>{}</Message></Error><RequestId>{request_id}</RequestId></ErrorResponse>",
                xml_escape(&message)
            );
            let mut response = (StatusCode::FORBIDDEN, body).into_response();
            response.headers_mut().insert("content-type", HeaderValue::from_static("text/xml"));
            response
        }
    };
    if let Ok(value) = HeaderValue::from_str(&request_id) {
        response.headers_mut().insert("x-amzn-requestid", value);
    }
    response
}

/// DynamoDB's answer to a transaction that met another one on its first item.
fn conflict(body: &[u8]) -> Response {
    let request: serde_json::Value = serde_json::from_slice(body).unwrap_or_default();
    let actions = request["TransactItems"].as_array().map_or(1, Vec::len).max(1);
    let reasons: Vec<serde_json::Value> = (0..actions)
        .map(|i| match i {
            0 => serde_json::json!({"Code": "TransactionConflict", "Message": "Transaction is ongoing for the item"}),
            _ => serde_json::json!({"Code": "None"}),
        })
        .collect();
    let codes: Vec<&str> = reasons.iter().filter_map(|r| r["Code"].as_str()).collect();
    let body = serde_json::json!({
        "__type": "com.amazonaws.dynamodb.v20120810#TransactionCanceledException",
        "message": format!("Transaction cancelled, please refer cancellation reasons for specific reasons [{}]", codes.join(", ")),
        "CancellationReasons": reasons,
    });
    let mut response = (StatusCode::BAD_REQUEST, body.to_string()).into_response();
    response.headers_mut().insert("content-type", HeaderValue::from_static("application/x-amz-json-1.0"));
    response
}

fn xml_escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}
