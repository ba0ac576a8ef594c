//! What IAM evaluates for one AWS API request: the caller (from the SigV4 credential) and
//! each (action, resource) the call needs. A `TransactWriteItems` needs the action of each
//! of its items on that item's table, a `TransactGetItems` `GetItem`, a `Query` or `Scan`
//! on an index the index's ARN; `BatchGetItem` and `BatchWriteItem` are actions of their
//! own on each table they name.

use serde_json::Value;

use super::policy::LocalResources;

/// The protocol family of a service, which decides how a refusal is spelled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Protocol {
    /// JSON over POST with `X-Amz-Target` (DynamoDB, Streams, SQS, Secrets Manager).
    Json,
    /// Form-encoded `Action=` with XML answers (SNS).
    Query,
}

/// The SigV4 credential of a request: who calls which service.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Credential {
    pub access_key: String,
    pub service: String,
}

/// `Authorization: AWS4-HMAC-SHA256 Credential=<key>/<date>/<region>/<service>/aws4_request, …`
pub fn credential(authorization: &str) -> Option<Credential> {
    let scope = authorization.split("Credential=").nth(1)?.split([',', ' ']).next()?;
    let mut parts = scope.split('/');
    let access_key = parts.next()?.to_owned();
    let service = parts.nth(2)?.to_owned();
    Some(Credential { access_key, service })
}

/// One action on one resource, as IAM evaluates it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Needed {
    pub action: String,
    pub resource: String,
}

fn needed(action: impl Into<String>, resource: impl Into<String>) -> Needed {
    Needed { action: action.into(), resource: resource.into() }
}

/// What a request needs, from its `X-Amz-Target` (JSON protocols) or its form body (query).
pub fn evaluate(target: Option<&str>, body: &[u8], local: &LocalResources) -> (Protocol, Vec<Needed>) {
    match target {
        Some(target) => {
            (Protocol::Json, json_request(target, &serde_json::from_slice(body).unwrap_or(Value::Null), local))
        }
        None => (Protocol::Query, query_request(body)),
    }
}

fn json_request(target: &str, body: &Value, local: &LocalResources) -> Vec<Needed> {
    let (prefix, operation) = target.split_once('.').unwrap_or((target, ""));
    let text = |key: &str| body.get(key).and_then(Value::as_str);
    match prefix {
        "DynamoDB_20120810" => dynamodb(operation, body, local),
        "DynamoDBStreams_20120810" => {
            let resource = text("StreamArn")
                .map(str::to_owned)
                .or_else(|| text("TableName").map(|t| local.table_arn(t)))
                .unwrap_or_else(|| "*".into());
            vec![needed(format!("dynamodb:{operation}"), resource)]
        }
        "secretsmanager" => {
            let resource = text("SecretId").map(|id| local.secret_arn(id)).unwrap_or_else(|| "*".into());
            vec![needed(format!("secretsmanager:{operation}"), resource)]
        }
        "AmazonSQS" => {
            let resource = text("QueueUrl")
                .map(|url| local.queue_arn(url))
                .or_else(|| text("QueueName").map(|name| local.queue_arn(name)))
                .unwrap_or_else(|| "*".into());
            vec![needed(format!("sqs:{operation}"), resource)]
        }
        other => vec![needed(format!("{}:{operation}", other.to_lowercase()), "*")],
    }
}

fn dynamodb(operation: &str, body: &Value, local: &LocalResources) -> Vec<Needed> {
    let table = |value: &Value| value.get("TableName").and_then(Value::as_str).map(|t| local.table_arn(t));
    let action = |op: &str| format!("dynamodb:{op}");
    match operation {
        "Query" | "Scan" => {
            let Some(table) = table(body) else { return vec![needed(action(operation), "*")] };
            let resource = match body.get("IndexName").and_then(Value::as_str) {
                Some(index) => format!("{table}/index/{index}"),
                None => table,
            };
            vec![needed(action(operation), resource)]
        }
        "TransactWriteItems" | "TransactGetItems" => body
            .get("TransactItems")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|item| {
                let (kind, inner) = item.as_object()?.iter().next()?;
                let op = match kind.as_str() {
                    "Put" => "PutItem",
                    "Update" => "UpdateItem",
                    "Delete" => "DeleteItem",
                    "ConditionCheck" => "ConditionCheckItem",
                    "Get" => "GetItem",
                    _ => return None,
                };
                Some(needed(action(op), table(inner).unwrap_or_else(|| "*".into())))
            })
            .collect(),
        "BatchGetItem" | "BatchWriteItem" => body
            .get("RequestItems")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
            .map(|(name, _)| needed(action(operation), local.table_arn(name)))
            .collect(),
        _ => vec![needed(action(operation), table(body).unwrap_or_else(|| "*".into()))],
    }
}

/// SNS (the query protocol): `Action=Publish&TargetArn=…`.
fn query_request(body: &[u8]) -> Vec<Needed> {
    let form: Vec<(String, String)> = form_urlencoded(body);
    let field = |key: &str| form.iter().find(|(k, _)| k == key).map(|(_, v)| v.clone());
    let Some(operation) = field("Action") else { return vec![needed("unknown:Unknown", "*")] };
    let resource = ["TargetArn", "TopicArn", "EndpointArn", "PlatformApplicationArn", "ResourceArn"]
        .iter()
        .find_map(|key| field(key))
        .unwrap_or_else(|| "*".into());
    vec![needed(format!("sns:{operation}"), resource)]
}

fn form_urlencoded(body: &[u8]) -> Vec<(String, String)> {
    fn decode(text: &str) -> String {
        let bytes = text.as_bytes();
        let mut out = Vec::with_capacity(bytes.len());
        let mut i = 0;
        while i < bytes.len() {
            let escaped =
                bytes.get(i + 1..i + 3).and_then(|hex| u8::from_str_radix(std::str::from_utf8(hex).ok()?, 16).ok());
            match (bytes[i], escaped) {
                (b'+', _) => out.push(b' '),
                (b'%', Some(byte)) => {
                    out.push(byte);
                    i += 2;
                }
                (other, _) => out.push(other),
            }
            i += 1;
        }
        String::from_utf8_lossy(&out).into_owned()
    }
    String::from_utf8_lossy(body)
        .split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            (decode(key), decode(value))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn local() -> LocalResources {
        crate::iam::policy::test_resources()
    }

    fn json_needs(target: &str, body: Value) -> Vec<(String, String)> {
        let (protocol, needs) = evaluate(Some(target), body.to_string().as_bytes(), &local());
        assert_eq!(protocol, Protocol::Json);
        needs.into_iter().map(|n| (n.action, n.resource)).collect()
    }

    const TABLE: &str = "arn:aws:dynamodb:us-east-1:123456789012:table/t1";

    #[test]
    fn the_credential_names_the_caller_and_the_service() {
        let header = "AWS4-HMAC-SHA256 Credential=TANDEMFN6d65/20261207/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=ab";
        assert_eq!(
            credential(header),
            Some(Credential { access_key: "TANDEMFN6d65".into(), service: "dynamodb".into() })
        );
        assert_eq!(credential("Bearer x"), None);
    }

    #[test]
    fn a_transaction_needs_the_action_of_each_item() {
        let needs = json_needs(
            "DynamoDB_20120810.TransactWriteItems",
            json!({"TransactItems": [
                {"Put": {"TableName": "t1", "Item": {}}},
                {"Update": {"TableName": "t1", "Key": {}}},
                {"Delete": {"TableName": "t1", "Key": {}}},
                {"ConditionCheck": {"TableName": "t1", "Key": {}}}
            ]}),
        );
        let actions: Vec<&str> = needs.iter().map(|(a, _)| a.as_str()).collect();
        assert_eq!(
            actions,
            ["dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem", "dynamodb:ConditionCheckItem"]
        );
        assert!(needs.iter().all(|(_, r)| r == TABLE));
    }

    #[test]
    fn a_query_on_an_index_needs_the_index_arn() {
        let needs = json_needs("DynamoDB_20120810.Query", json!({"TableName": "t1", "IndexName": "gsi1"}));
        assert_eq!(needs, [("dynamodb:Query".to_owned(), format!("{TABLE}/index/gsi1"))]);
        let needs = json_needs("DynamoDB_20120810.Query", json!({"TableName": "t1"}));
        assert_eq!(needs, [("dynamodb:Query".to_owned(), TABLE.to_owned())]);
    }

    #[test]
    fn batches_are_actions_of_their_own_on_each_table() {
        let needs = json_needs("DynamoDB_20120810.BatchWriteItem", json!({"RequestItems": {"t1": []}}));
        assert_eq!(needs, [("dynamodb:BatchWriteItem".to_owned(), TABLE.to_owned())]);
    }

    #[test]
    fn secrets_and_sns_name_their_resource() {
        let needs = json_needs("secretsmanager.GetSecretValue", json!({"SecretId": "keys"}));
        assert_eq!(needs[0].1, "arn:aws:secretsmanager:us-east-1:123456789012:secret:keys");
        let (protocol, needs) = evaluate(
            None,
            b"Action=Publish&TargetArn=arn%3Aaws%3Asns%3Aus-east-1%3A1%3Aendpoint%2FAPNS%2Fa%2Fb&Message=hi+there",
            &local(),
        );
        assert_eq!(protocol, Protocol::Query);
        assert_eq!(needs[0], needed("sns:Publish", "arn:aws:sns:us-east-1:1:endpoint/APNS/a/b"));
    }
}
