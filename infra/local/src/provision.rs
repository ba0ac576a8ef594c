//! Creates the table and queues of `template.yaml` in the local emulators.

use std::time::Duration;

use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::types::{
    AttributeDefinition, BillingMode, GlobalSecondaryIndex, KeySchemaElement, KeyType, Projection, ProjectionType,
    ScalarAttributeType, StreamSpecification, StreamViewType, TableStatus, TimeToLiveSpecification,
};

use crate::template::{KeyElement, TableDecl};

#[derive(Debug, thiserror::Error)]
pub enum ProvisionError {
    #[error("creating {table}: {message}")]
    Create { table: String, message: String },
    #[error("table {0} did not become ACTIVE")]
    NotActive(String),
}

/// Creates `table_name` as declared (GSIs, TTL, billing, stream) unless it exists already (a
/// persisted local database, whose stream is then turned on if it lacks one); returns
/// whether it was created.
pub async fn create_table(client: &Client, table_name: &str, decl: &TableDecl) -> Result<bool, ProvisionError> {
    let fail = |message: String| ProvisionError::Create { table: table_name.to_owned(), message };
    let stream = decl
        .stream_view_type
        .as_deref()
        .map(|view| {
            StreamSpecification::builder().stream_enabled(true).stream_view_type(StreamViewType::from(view)).build()
        })
        .transpose()
        .map_err(|e| fail(e.to_string()))?;
    let mut request = client
        .create_table()
        .set_stream_specification(stream.clone())
        .table_name(table_name)
        .billing_mode(BillingMode::from(decl.billing_mode.as_str()))
        .set_key_schema(Some(key_schema(&decl.key_schema).map_err(fail)?));
    for (name, kind) in &decl.attributes {
        let definition = AttributeDefinition::builder()
            .attribute_name(name)
            .attribute_type(ScalarAttributeType::from(kind.as_str()))
            .build()
            .map_err(|e| fail(e.to_string()))?;
        request = request.attribute_definitions(definition);
    }
    for index in &decl.global_indexes {
        let gsi = GlobalSecondaryIndex::builder()
            .index_name(&index.name)
            .set_key_schema(Some(key_schema(&index.key_schema).map_err(fail)?))
            .projection(Projection::builder().projection_type(ProjectionType::from(index.projection.as_str())).build())
            .build()
            .map_err(|e| fail(e.to_string()))?;
        request = request.global_secondary_indexes(gsi);
    }
    match request.send().await {
        Ok(_) => {}
        Err(error) if error.as_service_error().is_some_and(|e| e.is_resource_in_use_exception()) => {
            ensure_stream(client, table_name, stream).await.map_err(fail)?;
            return Ok(false);
        }
        Err(error) => {
            return Err(fail(aws_sdk_dynamodb::error::DisplayErrorContext(&error).to_string()));
        }
    }
    wait_active(client, table_name).await?;
    if let Some(attribute) = &decl.ttl_attribute {
        let spec = TimeToLiveSpecification::builder()
            .attribute_name(attribute)
            .enabled(true)
            .build()
            .map_err(|e| fail(e.to_string()))?;
        client
            .update_time_to_live()
            .table_name(table_name)
            .time_to_live_specification(spec)
            .send()
            .await
            .map_err(|e| fail(aws_sdk_dynamodb::error::DisplayErrorContext(&e).to_string()))?;
    }
    Ok(true)
}

/// Turns the declared stream on for a table created before it was declared.
async fn ensure_stream(client: &Client, table_name: &str, stream: Option<StreamSpecification>) -> Result<(), String> {
    let Some(stream) = stream else { return Ok(()) };
    let described = client.describe_table().table_name(table_name).send().await;
    let has_stream = described
        .map_err(|e| aws_sdk_dynamodb::error::DisplayErrorContext(&e).to_string())?
        .table()
        .and_then(|t| t.latest_stream_arn())
        .is_some();
    if has_stream {
        return Ok(());
    }
    client
        .update_table()
        .table_name(table_name)
        .stream_specification(stream)
        .send()
        .await
        .map_err(|e| aws_sdk_dynamodb::error::DisplayErrorContext(&e).to_string())?;
    Ok(())
}

fn key_schema(elements: &[KeyElement]) -> Result<Vec<KeySchemaElement>, String> {
    elements
        .iter()
        .map(|k| {
            KeySchemaElement::builder()
                .attribute_name(&k.attribute)
                .key_type(KeyType::from(k.key_type.as_str()))
                .build()
                .map_err(|e| e.to_string())
        })
        .collect()
}

async fn wait_active(client: &Client, table_name: &str) -> Result<(), ProvisionError> {
    for _ in 0..100 {
        let described = client.describe_table().table_name(table_name).send().await;
        let status = described.ok().and_then(|output| output.table()?.table_status().cloned());
        if status == Some(TableStatus::Active) {
            return Ok(());
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    Err(ProvisionError::NotActive(table_name.to_owned()))
}

/// Creates the template's queues (dead-letter queues first, then the queues that redrive
/// to them) named `<prefix>-<LogicalId>`; returns logical id → queue URL.
pub async fn create_queues(
    sqs: &aws_sdk_sqs::Client,
    prefix: &str,
    queues: &[crate::template::QueueDecl],
) -> Result<std::collections::HashMap<String, String>, ProvisionError> {
    use aws_sdk_sqs::types::QueueAttributeName;

    let fail = |name: &str, e: String| ProvisionError::Create { table: name.to_owned(), message: e };
    let mut urls = std::collections::HashMap::new();
    let mut ordered: Vec<&crate::template::QueueDecl> = queues.iter().filter(|q| q.dead_letter.is_none()).collect();
    ordered.extend(queues.iter().filter(|q| q.dead_letter.is_some()));
    for queue in ordered {
        let name = format!("{prefix}-{}", queue.logical_id);
        let mut request = sqs.create_queue().queue_name(&name);
        if let Some((target, receives)) = &queue.dead_letter {
            let target_url =
                urls.get(target).ok_or_else(|| fail(&name, format!("dead-letter queue {target} unknown")))?;
            let attributes = sqs
                .get_queue_attributes()
                .queue_url(target_url)
                .attribute_names(QueueAttributeName::QueueArn)
                .send()
                .await
                .map_err(|e| fail(&name, aws_sdk_sqs::error::DisplayErrorContext(&e).to_string()))?;
            let arn =
                attributes.attributes().and_then(|a| a.get(&QueueAttributeName::QueueArn)).cloned().unwrap_or_default();
            let policy = serde_json::json!({ "deadLetterTargetArn": arn, "maxReceiveCount": receives }).to_string();
            request = request.attributes(QueueAttributeName::RedrivePolicy, policy);
        }
        let created =
            request.send().await.map_err(|e| fail(&name, aws_sdk_sqs::error::DisplayErrorContext(&e).to_string()))?;
        urls.insert(queue.logical_id.clone(), created.queue_url().unwrap_or_default().to_owned());
    }
    Ok(urls)
}

/// Creates the SNS platform applications pushes go through (APNs for iOS, FCM for
/// Android), named `<prefix>-ios` and `<prefix>-android`, as a deployment passes their ARNs.
pub async fn create_push_applications(
    sns: &aws_sdk_sns::Client,
    prefix: &str,
) -> Result<tandem_api::config::PushApplications, ProvisionError> {
    let create = |name: String, platform: &'static str| async move {
        let created = sns
            .create_platform_application()
            .name(&name)
            .platform(platform)
            .attributes("PlatformCredential", "local-credential")
            .send()
            .await
            .map_err(|e| ProvisionError::Create {
                table: name.clone(),
                message: aws_sdk_sns::error::DisplayErrorContext(&e).to_string(),
            })?;
        Ok::<_, ProvisionError>(created.platform_application_arn().map(str::to_owned))
    };
    Ok(tandem_api::config::PushApplications {
        ios: create(format!("{prefix}-ios"), "APNS").await?,
        android: create(format!("{prefix}-android"), "GCM").await?,
    })
}

/// Stores `keys` as the signing keys' secret `name` (created, or given a new current
/// version when it exists), as the deployed stack's secret holds them.
pub async fn put_signing_keys_secret(
    secrets: &aws_sdk_secretsmanager::Client,
    name: &str,
    keys: &tandem_api::config::SigningKeys,
) -> Result<(), ProvisionError> {
    let fail = |e: String| ProvisionError::Create { table: name.to_owned(), message: e };
    let created = secrets.create_secret().name(name).secret_string(keys.to_json()).send().await;
    match created {
        Ok(_) => Ok(()),
        Err(error)
            if aws_sdk_secretsmanager::error::ProvideErrorMetadata::code(&error) == Some("ResourceExistsException") =>
        {
            secrets
                .put_secret_value()
                .secret_id(name)
                .secret_string(keys.to_json())
                .send()
                .await
                .map(|_| ())
                .map_err(|e| fail(aws_sdk_secretsmanager::error::DisplayErrorContext(&e).to_string()))
        }
        Err(error) => Err(fail(aws_sdk_secretsmanager::error::DisplayErrorContext(&error).to_string())),
    }
}

/// What the stack provisioned in moto besides the queues, to provision again when moto loses
/// it (a restarted moto starts empty; the pipes re-create the queues they send to).
#[derive(Clone)]
pub struct MotoProvisions {
    pub sns: aws_sdk_sns::Client,
    pub secrets: aws_sdk_secretsmanager::Client,
    /// The platform applications' name prefix (`<prefix>-ios`, `<prefix>-android`).
    pub push_prefix: String,
    pub push_applications: tandem_api::config::PushApplications,
    pub secret_name: Option<String>,
    pub signing_keys: Option<tandem_api::config::SigningKeys>,
}

impl MotoProvisions {
    /// Watches, every `period`, that moto still has the push platform applications; when
    /// they are gone (moto restarted, or someone deleted them), creates them again under the
    /// same names — so under the same ARNs the functions were given — and stores the
    /// signing keys' secret again. Runs until the handle is aborted.
    pub fn keep(self, period: std::time::Duration) -> tokio::task::JoinHandle<()> {
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(period).await;
                let Some(arn) = self.push_applications.ios.clone() else { return };
                let read = self.sns.get_platform_application_attributes().platform_application_arn(&arn).send().await;
                let lost = match &read {
                    Ok(_) => false,
                    Err(error) => aws_sdk_sns::error::ProvideErrorMetadata::code(error) == Some("NotFound"),
                };
                if !lost {
                    // Present, or moto is down right now: look again later.
                    continue;
                }
                tracing::warn!("moto lost the push platform applications (restarted?): provisioning them again");
                if let Err(error) = create_push_applications(&self.sns, &self.push_prefix).await {
                    tracing::warn!(%error, "re-creating the push platform applications failed; retrying");
                    continue;
                }
                if let (Some(name), Some(keys)) = (&self.secret_name, &self.signing_keys)
                    && let Err(error) = put_signing_keys_secret(&self.secrets, name, keys).await
                {
                    tracing::warn!(%error, "storing the signing keys again failed");
                }
            }
        })
    }
}
