//! The local API Gateway: every route of `template.yaml`, served through the same
//! handlers the Lambda functions run, from the same payload v2 event AWS would send.

mod clock;
mod cors;
mod event;
mod jobs;
mod push;
mod routes;
mod websocket;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Instant;

use axum::Router;
use axum::body::{Body as AxumBody, to_bytes};
use axum::extract::{ConnectInfo, State};
use axum::response::Response;
use lambda_http::Body as LambdaBody;
use tandem_api::edge::dispatch::respond;
use tandem_api::{ApiError, App};

use crate::functions::FunctionApps;
use crate::pipeline::PipelineStatus;

pub use clock::Clock;
pub use event::{HttpEventInput, http_event};
pub use jobs::start_schedules;
pub use routes::{RouteTable, RouteTableError};
pub use websocket::{WebSocketLimits, WebSocketTableError};

/// API Gateway's own payload limit for HTTP APIs.
const MAX_PAYLOAD_BYTES: usize = 10 * 1024 * 1024;

#[derive(Clone)]
struct Gateway {
    /// The stack's own app, for the local controls.
    app: App,
    /// The app each function runs with (under its own policy when the IAM check is on).
    functions: Arc<FunctionApps>,
    routes: Arc<RouteTable>,
    sockets: Arc<websocket::Sockets>,
    clock: Clock,
    pipeline: Option<Arc<PipelineStatus>>,
    push: push::LocalPush,
    cors: Option<Arc<crate::template::CorsDecl>>,
}

#[derive(Debug, thiserror::Error)]
pub enum GatewayError {
    #[error(transparent)]
    Http(#[from] RouteTableError),
    #[error(transparent)]
    WebSocket(#[from] WebSocketTableError),
}

/// The gateway's router: the HTTP API (every template route), the WebSocket API at `/ws`,
/// its Management API at `/@connections/{id}`, and the local controls under `/_local`
/// (`pipeline` shows the running pipes and workers when given).
/// Fails if the template names a function that has no handler (the drift check, at start-up
/// as well as in tests).
pub fn router(
    functions: Arc<FunctionApps>,
    clock: Clock,
    limits: WebSocketLimits,
    pipeline: Option<Arc<PipelineStatus>>,
) -> Result<Router, GatewayError> {
    use axum::routing::{get, post};
    let routes = Arc::new(RouteTable::from_template()?);
    let sockets = Arc::new(websocket::Sockets::from_template(limits)?);
    let app = functions.harness().clone();
    let push = push::LocalPush::new(&app);
    let cors = crate::template::Template::load().ok().and_then(|t| t.cors().ok().flatten()).map(Arc::new);
    let gateway = Gateway { app, functions, routes, sockets, clock, pipeline, push, cors };
    Ok(Router::new()
        .route("/ws", get(websocket::upgrade))
        .route(
            "/@connections/{id}",
            post(websocket::post_to_connection).get(websocket::get_connection).delete(websocket::delete_connection),
        )
        .route("/_local/jobs/{function}", post(jobs::run_now))
        .route("/_local/clock", post(jobs::advance_clock))
        .route("/_local/pipeline", get(pipeline_status))
        .route("/_local/push", get(push::list))
        .route("/_local/push/disable", post(push::disable))
        .fallback(serve_http)
        .with_state(gateway))
}

async fn serve_http(
    State(gateway): State<Gateway>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    request: axum::extract::Request,
) -> Response {
    let started = Instant::now();
    let (parts, body) = request.into_parts();
    if let Some(response) = cors::preflight(gateway.cors.as_deref(), &parts.method, &parts.headers) {
        return response;
    }
    let headers = parts.headers.clone();
    let mut response = serve_route(&gateway, parts, body, peer, started).await;
    cors::decorate(gateway.cors.as_deref(), &headers, &mut response);
    response
}

async fn serve_route(
    gateway: &Gateway,
    parts: http::request::Parts,
    body: AxumBody,
    peer: SocketAddr,
    started: Instant,
) -> Response {
    let request_id = uuid::Uuid::new_v4().to_string();
    let path = parts.uri.path().to_owned();
    let Ok(body) = to_bytes(body, MAX_PAYLOAD_BYTES).await else {
        return error_response(ApiError::PayloadTooLarge { limit: MAX_PAYLOAD_BYTES }, &request_id);
    };
    let Some(matched) = gateway.routes.find(parts.method.as_str(), &path) else {
        let error = ApiError::RouteNotFound { method: parts.method.to_string(), path: path.clone() };
        tracing::info!(method = %parts.method, %path, status = 404, latency_ms = started.elapsed().as_millis() as u64, "request");
        return error_response(error, &request_id);
    };
    let event = http_event(&HttpEventInput {
        route_key: &matched.route_key,
        method: parts.method.as_str(),
        uri: &parts.uri,
        headers: &parts.headers,
        path_parameters: &matched.path_parameters,
        body: &body,
        source_ip: &peer.ip().to_string(),
        request_id: &request_id,
    });
    let lambda_request = match lambda_http::request::from_str(&event.to_string()) {
        Ok(request) => request,
        Err(error) => {
            return error_response(ApiError::Internal(format!("building the event: {error}")), &request_id);
        }
    };
    let response =
        respond(gateway.functions.app(matched.function), lambda_request, matched.function, matched.handler).await;
    to_axum(response)
}

async fn pipeline_status(State(gateway): State<Gateway>) -> Response {
    use axum::response::IntoResponse;
    let status = gateway
        .pipeline
        .as_ref()
        .map(|p| p.to_json())
        .unwrap_or_else(|| serde_json::json!({"pipes": [], "workers": []}));
    axum::Json(status).into_response()
}

fn error_response(error: ApiError, request_id: &str) -> Response {
    to_axum(error.to_response(request_id))
}

fn to_axum(response: http::Response<LambdaBody>) -> Response {
    let (parts, body) = response.into_parts();
    let bytes = match body {
        LambdaBody::Empty => Vec::new(),
        LambdaBody::Text(text) => text.into_bytes(),
        LambdaBody::Binary(bytes) => bytes,
        _ => Vec::new(),
    };
    let mut out = Response::new(AxumBody::from(bytes));
    *out.status_mut() = parts.status;
    *out.headers_mut() = parts.headers;
    out
}

/// Serves `router` on `listener` until `shutdown` resolves.
pub async fn serve(
    listener: tokio::net::TcpListener,
    router: Router,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, router.into_make_service_with_connect_info::<SocketAddr>())
        .with_graceful_shutdown(shutdown)
        .await
}
