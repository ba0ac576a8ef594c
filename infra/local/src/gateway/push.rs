//! What the local stack "delivered" as pushes: `GET /_local/push` lists every notification
//! published to a platform endpoint in moto (read from moto's model data), by user and
//! device token; `POST /_local/push/disable {"tokenId"}` makes a device's endpoint report
//! disabled, as APNs or FCM would for an uninstalled app.

use axum::Json;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use chrono::Utc;
use serde::Deserialize;
use serde_json::{Value, json};
use tandem_domain::notifications::Platform;

use super::Gateway;

/// SNS as the functions see it, plus moto's model data (where published messages are kept).
#[derive(Clone)]
pub(super) struct LocalPush {
    sns: aws_sdk_sns::Client,
    http: reqwest::Client,
    moto_data_url: Option<String>,
}

impl LocalPush {
    pub(super) fn new(app: &tandem_api::App) -> Self {
        let endpoint = std::env::var("AWS_ENDPOINT_URL_SNS").or_else(|_| std::env::var("AWS_ENDPOINT_URL")).ok();
        Self {
            sns: app.push.sns_client(),
            http: reqwest::Client::new(),
            moto_data_url: endpoint.map(|e| format!("{}/moto-api/data.json", e.trim_end_matches('/'))),
        }
    }

    /// Every platform endpoint moto holds: (arn, platform, token, enabled, messages).
    async fn endpoints(&self) -> Result<Vec<Endpoint>, String> {
        let url = self.moto_data_url.as_deref().ok_or("no SNS endpoint configured (AWS_ENDPOINT_URL_SNS)")?;
        let data: Value =
            self.http.get(url).send().await.map_err(|e| e.to_string())?.json().await.map_err(|e| e.to_string())?;
        let endpoints = data["sns"]["PlatformEndpoint"].as_array().cloned().unwrap_or_default();
        Ok(endpoints
            .iter()
            .filter_map(|e| {
                let arn = e["arn"].as_str()?.to_owned();
                // arn:aws:sns:<region>:<account>:endpoint/<APNS|GCM>/<application>/<id>
                let platform = if arn.contains(":endpoint/GCM/") { Platform::Android } else { Platform::Ios };
                let token = e["token"].as_str()?.to_owned();
                let enabled = e["attributes"]["Enabled"].as_bool().unwrap_or(true);
                let messages = e["messages"].as_object().cloned().unwrap_or_default();
                Some(Endpoint { arn, platform, token, enabled, messages })
            })
            .collect())
    }
}

struct Endpoint {
    arn: String,
    platform: Platform,
    token: String,
    enabled: bool,
    messages: serde_json::Map<String, Value>,
}

pub(super) async fn list(State(gateway): State<Gateway>) -> Response {
    let endpoints = match gateway.push.endpoints().await {
        Ok(endpoints) => endpoints,
        Err(error) => return (http::StatusCode::BAD_GATEWAY, Json(json!({ "error": error }))).into_response(),
    };
    let (mut pushes, mut devices) = (Vec::new(), Vec::new());
    for endpoint in endpoints {
        let token_id = tandem_store::push::token_id(endpoint.platform, &endpoint.token);
        let user_id = gateway.app.store.push_token_owner(&token_id, Utc::now()).await.ok().flatten();
        devices.push(json!({
            "tokenId": token_id, "userId": user_id, "platform": endpoint.platform,
            "endpointArn": endpoint.arn, "enabled": endpoint.enabled,
        }));
        for (message_id, message) in &endpoint.messages {
            // The published message is the SNS JSON structure; show the platform's payload.
            let structure: Value = message.as_str().and_then(|m| serde_json::from_str(m).ok()).unwrap_or(Value::Null);
            let key = if endpoint.platform == Platform::Android { "GCM" } else { "APNS" };
            let payload: Value =
                structure[key].as_str().and_then(|p| serde_json::from_str(p).ok()).unwrap_or(Value::Null);
            pushes.push(json!({
                "userId": user_id, "tokenId": token_id, "platform": endpoint.platform, "messageId": message_id,
                "kind": payload["data"]["kind"], "data": payload["data"], "text": structure["default"], "payload": payload,
            }));
        }
    }
    Json(json!({ "pushes": pushes, "devices": devices })).into_response()
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct Disable {
    token_id: String,
}

pub(super) async fn disable(State(gateway): State<Gateway>, Json(disable): Json<Disable>) -> Response {
    let endpoints = match gateway.push.endpoints().await {
        Ok(endpoints) => endpoints,
        Err(error) => return (http::StatusCode::BAD_GATEWAY, Json(json!({ "error": error }))).into_response(),
    };
    let Some(endpoint) =
        endpoints.iter().find(|e| tandem_store::push::token_id(e.platform, &e.token) == disable.token_id)
    else {
        return (http::StatusCode::NOT_FOUND, Json(json!({ "error": "no endpoint for this token yet" })))
            .into_response();
    };
    let result = gateway
        .push
        .sns
        .set_endpoint_attributes()
        .endpoint_arn(&endpoint.arn)
        .attributes("Enabled", "false")
        .send()
        .await;
    match result {
        Ok(_) => Json(json!({ "endpointArn": endpoint.arn, "enabled": false })).into_response(),
        Err(error) => (
            http::StatusCode::BAD_GATEWAY,
            Json(json!({ "error": aws_sdk_sns::error::DisplayErrorContext(&error).to_string() })),
        )
            .into_response(),
    }
}
