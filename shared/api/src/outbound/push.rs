//! Mobile push through SNS platform endpoints: one endpoint per device token (created on
//! first use and enabled), one `Publish` per push with each platform's payload.

use aws_sdk_sns::error::{ProvideErrorMetadata, SdkError};
use serde_json::json;
use tandem_domain::notifications::{Platform, Push};

use super::lazy::LazyClient;
use crate::config::PushApplications;

/// Why a push did not go out.
#[derive(Debug, thiserror::Error)]
pub enum PushFailure {
    /// The platform refused the device (disabled, unknown or invalid token): never again.
    #[error("the device is gone: {0}")]
    Gone(String),
    /// Throttling, a 5xx, the network: worth retrying.
    #[error("push failed, to be retried: {0}")]
    Retry(String),
    /// No platform application is configured for this platform.
    #[error("no push application configured for {0:?}")]
    NotConfigured(Platform),
}

/// The SNS client is made on first use: only the functions that push build (and link) it.
#[derive(Clone, Debug)]
pub struct PushGateway {
    sns: LazyClient<aws_sdk_sns::Client>,
    applications: PushApplications,
}

impl PushGateway {
    pub fn new(sdk_config: &aws_config::SdkConfig, applications: PushApplications) -> Self {
        Self { sns: LazyClient::new(sdk_config), applications }
    }

    /// The SNS client (the local stack's push view uses the same one).
    pub fn sns_client(&self) -> aws_sdk_sns::Client {
        self.sns.get(aws_sdk_sns::Client::new).clone()
    }

    /// The endpoint of `token`, created if needed and (re-)enabled: a device that
    /// registered afresh after being disabled gets its endpoint back.
    pub async fn endpoint_for(&self, platform: Platform, token: &str) -> Result<String, PushFailure> {
        let application = match platform {
            Platform::Ios => self.applications.ios.as_deref(),
            Platform::Android => self.applications.android.as_deref(),
        }
        .ok_or(PushFailure::NotConfigured(platform))?;
        let created = self
            .sns_client()
            .create_platform_endpoint()
            .platform_application_arn(application)
            .token(token)
            .send()
            .await;
        let arn = match created {
            Ok(output) => {
                output.endpoint_arn().map(str::to_owned).ok_or_else(|| PushFailure::Retry("no endpoint ARN".into()))?
            }
            // SNS's documented answer for a token whose endpoint exists with other attributes
            // (a disabled one): the message names the endpoint.
            Err(error) => match existing_endpoint(&error) {
                Some(arn) => arn,
                None => return Err(classify(error)),
            },
        };
        self.sns_client()
            .set_endpoint_attributes()
            .endpoint_arn(&arn)
            .attributes("Enabled", "true")
            .attributes("Token", token)
            .send()
            .await
            .map_err(classify)?;
        Ok(arn)
    }

    /// Publishes `push` to one endpoint; the SNS message id.
    pub async fn publish(&self, endpoint_arn: &str, push: &Push) -> Result<String, PushFailure> {
        let published = self
            .sns_client()
            .publish()
            .target_arn(endpoint_arn)
            .message_structure("json")
            .message(payload(push))
            .send()
            .await
            .map_err(classify)?;
        Ok(published.message_id().unwrap_or_default().to_owned())
    }
}

/// The SNS message: a default text and each platform's own payload.
pub fn payload(push: &Push) -> String {
    let apns = json!({
        "aps": { "alert": { "title": push.title, "body": push.body }, "sound": "default" },
        "data": push.data,
    })
    .to_string();
    let fcm = json!({
        "notification": { "title": push.title, "body": push.body },
        "data": push.data,
    })
    .to_string();
    json!({ "default": push.body, "APNS": apns, "APNS_SANDBOX": apns, "GCM": fcm }).to_string()
}

fn existing_endpoint<E: ProvideErrorMetadata, R>(error: &SdkError<E, R>) -> Option<String> {
    let message = error.message()?;
    if error.code() != Some("InvalidParameter") || !message.contains("already exists") {
        return None;
    }
    message.split_whitespace().find(|word| word.starts_with("arn:") && word.contains(":endpoint/")).map(str::to_owned)
}

fn classify<E: ProvideErrorMetadata + std::error::Error + 'static, R: std::fmt::Debug>(
    error: SdkError<E, R>,
) -> PushFailure {
    let detail = aws_sdk_sns::error::DisplayErrorContext(&error).to_string();
    let device_refused = matches!(error.code(), Some("EndpointDisabled" | "NotFound" | "InvalidParameter"));
    // A refusal that names the platform application (missing, deleted, misconfigured) is our
    // configuration's fault, never the device's: retried (then the dead-letter queue and its
    // alarm), the device kept.
    if device_refused && !names_the_application(error.message().unwrap_or_default()) {
        PushFailure::Gone(detail)
    } else {
        PushFailure::Retry(detail)
    }
}

fn names_the_application(message: &str) -> bool {
    let message = message.to_ascii_lowercase();
    message.contains("platformapplication") || message.contains("platform application")
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_sns::config::http::HttpResponse;
    use aws_sdk_sns::error::ErrorMetadata;
    use aws_sdk_sns::operation::publish::PublishError;

    fn sns_error(code: &str, message: &str) -> SdkError<PublishError, HttpResponse> {
        let meta = ErrorMetadata::builder().code(code).message(message).build();
        let raw = HttpResponse::new(400u16.try_into().unwrap(), "".into());
        SdkError::service_error(PublishError::generic(meta), raw)
    }

    #[test]
    fn refused_devices_are_gone_and_the_rest_is_retried() {
        for code in ["EndpointDisabled", "NotFound", "InvalidParameter"] {
            assert!(matches!(classify(sns_error(code, "no")), PushFailure::Gone(_)), "{code}");
        }
        for code in ["Throttling", "InternalError", "KMSThrottling"] {
            assert!(matches!(classify(sns_error(code, "later")), PushFailure::Retry(_)), "{code}");
        }
    }

    #[test]
    fn a_refusal_of_the_platform_application_never_blames_the_device() {
        for (code, message) in [
            ("NotFound", "PlatformApplication does not exist"),
            ("InvalidParameter", "Invalid parameter: PlatformApplicationArn Reason: no such application"),
            ("PlatformApplicationDisabled", "Platform application is disabled"),
        ] {
            assert!(matches!(classify(sns_error(code, message)), PushFailure::Retry(_)), "{code}: {message}");
        }
        assert!(matches!(classify(sns_error("NotFound", "Endpoint does not exist")), PushFailure::Gone(_)));
    }

    #[test]
    fn an_existing_endpoint_is_read_from_the_error() {
        let arn = "arn:aws:sns:eu-west-1:123456789012:endpoint/APNS/tandem-ios/5e3e9847-3183-3f18-a7e8-671c3a57d4b3";
        let taken = sns_error(
            "InvalidParameter",
            &format!(
                "Invalid parameter: Token Reason: Endpoint {arn} already exists with the same Token, but different attributes."
            ),
        );
        assert_eq!(existing_endpoint(&taken).as_deref(), Some(arn));
        assert_eq!(existing_endpoint(&sns_error("InvalidParameter", "Invalid parameter: Token")), None);
    }

    #[test]
    fn the_payload_carries_each_platform_and_no_more_than_the_push() {
        let push = Push::match_created("u1", "m1", "c1");
        let message: serde_json::Value = serde_json::from_str(&payload(&push)).unwrap();
        let apns: serde_json::Value = serde_json::from_str(message["APNS"].as_str().unwrap()).unwrap();
        let fcm: serde_json::Value = serde_json::from_str(message["GCM"].as_str().unwrap()).unwrap();
        assert_eq!(apns["aps"]["alert"]["title"], "You have a match");
        assert_eq!(fcm["data"]["conversationId"], "c1");
        assert_eq!(message["default"], push.body);
        assert_eq!(message["APNS_SANDBOX"], message["APNS"]);
    }
}
