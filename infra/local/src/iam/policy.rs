//! Each function's policy as `template.yaml` declares it, with its resources resolved to the
//! ARNs of the local stack's table, queues, secret and APIs, and IAM's evaluation of one
//! (action, resource) pair against it: allowed when a statement's action and resource both
//! match (IAM's `*` and `?` wildcards; actions case-insensitive). Only `Allow` statements
//! are declared here, so nothing is denied explicitly.

use std::collections::BTreeMap;

use serde_yaml_ng::Value;

use crate::template::{Template, TemplateError, tagged_argument};

/// Where the local stack's resources are, to resolve the template's references.
#[derive(Debug, Clone)]
pub struct LocalResources {
    pub region: String,
    pub account: String,
    pub table_name: String,
    /// Queue URLs by logical id.
    pub queue_urls: BTreeMap<String, String>,
    /// The signing keys' secret name, when the functions read one.
    pub secret_name: Option<String>,
    /// SNS platform application ARNs by parameter name (`PushIosApplicationArn`, …).
    pub parameters: BTreeMap<String, String>,
    /// The id the WebSocket API's ARNs carry locally.
    pub websocket_api_id: String,
    /// The WebSocket API's stage (`StageName`), part of a connection's ARN.
    pub websocket_stage: String,
}

/// moto's account: the ARNs it makes (platform applications, endpoints) carry it.
pub const LOCAL_ACCOUNT: &str = "123456789012";

impl LocalResources {
    /// The stack's resources for `table` and its queues (URLs by logical id), in the region
    /// the SDK is configured for; no secret and no push applications until set.
    pub fn new(template: &Template, table_name: &str, queue_urls: BTreeMap<String, String>) -> Self {
        Self {
            region: std::env::var("AWS_REGION").unwrap_or_else(|_| "us-east-1".into()),
            account: LOCAL_ACCOUNT.into(),
            table_name: table_name.to_owned(),
            queue_urls,
            secret_name: None,
            parameters: BTreeMap::new(),
            websocket_api_id: "local".into(),
            websocket_stage: template.websocket_stage().unwrap_or_else(|| "live".into()),
        }
    }

    pub fn table_arn(&self, table: &str) -> String {
        if table.starts_with("arn:") {
            return table.to_owned();
        }
        format!("arn:aws:dynamodb:{}:{}:table/{table}", self.region, self.account)
    }

    pub fn queue_arn(&self, url: &str) -> String {
        let name = url.rsplit('/').next().unwrap_or(url);
        format!("arn:aws:sqs:{}:{}:{name}", self.region, self.account)
    }

    /// A secret named in a request (`SecretId`: a name or an ARN).
    pub fn secret_arn(&self, id: &str) -> String {
        if id.starts_with("arn:") {
            return id.to_owned();
        }
        format!("arn:aws:secretsmanager:{}:{}:secret:{id}", self.region, self.account)
    }

    /// What a Management API call on a connection is authorised as.
    pub fn connection_arn(&self, method: &str, connection_id: &str) -> String {
        format!(
            "arn:aws:execute-api:{}:{}:{}/{}/{method}/@connections/{connection_id}",
            self.region, self.account, self.websocket_api_id, self.websocket_stage
        )
    }
}

/// One `Allow` statement, as written and as resolved.
#[derive(Debug, Clone)]
pub struct Statement {
    pub actions: Vec<String>,
    /// Resolved ARN patterns.
    pub resources: Vec<String>,
    /// The resources as the template writes them (`!GetAtt TandemTable.Arn`), for reports.
    pub written: Vec<String>,
}

/// A function's policy: the statements of its `Policies`.
#[derive(Debug, Clone)]
pub struct Policy {
    pub function: String,
    pub logical_id: String,
    pub statements: Vec<Statement>,
}

/// A grant that allowed a call: which statement, which of its actions.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Grant {
    pub function: String,
    pub action: String,
    pub resource: String,
}

impl Policy {
    /// The grant that allows `action` on `resource`, if one does.
    pub fn allows(&self, action: &str, resource: &str) -> Option<Grant> {
        self.statements.iter().find_map(|statement| {
            let granted = statement
                .actions
                .iter()
                .find(|pattern| wildcard_match(&pattern.to_lowercase(), &action.to_lowercase()))?;
            let index = statement.resources.iter().position(|pattern| wildcard_match(pattern, resource))?;
            Some(Grant {
                function: self.function.clone(),
                action: granted.clone(),
                resource: statement.written[index].clone(),
            })
        })
    }

    /// Every (action, resource as written) this policy grants.
    pub fn grants(&self) -> Vec<Grant> {
        self.statements
            .iter()
            .flat_map(|statement| {
                statement.actions.iter().flat_map(move |action| {
                    statement.written.iter().map(move |resource| Grant {
                        function: self.function.clone(),
                        action: action.clone(),
                        resource: resource.clone(),
                    })
                })
            })
            .collect()
    }
}

/// IAM's wildcard match: `*` any run of characters, `?` any one.
pub fn wildcard_match(pattern: &str, text: &str) -> bool {
    let (pattern, text): (Vec<char>, Vec<char>) = (pattern.chars().collect(), text.chars().collect());
    let (mut p, mut t) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while t < text.len() {
        if p < pattern.len() && (pattern[p] == '?' || pattern[p] == text[t]) {
            p += 1;
            t += 1;
        } else if p < pattern.len() && pattern[p] == '*' {
            star = Some((p, t));
            p += 1;
        } else if let Some((star_p, star_t)) = star {
            p = star_p + 1;
            t = star_t + 1;
            star = Some((star_p, star_t + 1));
        } else {
            return false;
        }
    }
    pattern[p..].iter().all(|c| *c == '*')
}

/// Every function's policy, by binary.
pub fn policies(template: &Template, local: &LocalResources) -> Result<BTreeMap<String, Policy>, TemplateError> {
    let resolver = Resolver { template, local };
    template
        .functions()?
        .into_iter()
        .map(|function| {
            let statements = function
                .statements
                .iter()
                .map(|statement| resolver.statement(&function.logical_id, statement))
                .collect::<Result<Vec<_>, _>>()?;
            let policy = Policy { function: function.binary.clone(), logical_id: function.logical_id, statements };
            Ok((function.binary, policy))
        })
        .collect()
}

struct Resolver<'a> {
    template: &'a Template,
    local: &'a LocalResources,
}

impl Resolver<'_> {
    fn statement(&self, function: &str, statement: &Value) -> Result<Statement, TemplateError> {
        let shape = |what: &str| TemplateError::Shape(format!("{function}: a policy statement {what}"));
        if statement.get("Effect").and_then(Value::as_str) != Some("Allow") {
            return Err(shape("is not Effect: Allow (the local IAM check models Allow only)"));
        }
        let list = |key: &str| -> Vec<Value> {
            match statement.get(key) {
                Some(Value::Sequence(items)) => items.clone(),
                Some(one) => vec![one.clone()],
                None => Vec::new(),
            }
        };
        let actions: Vec<String> = list("Action").iter().filter_map(Value::as_str).map(str::to_owned).collect();
        let written_values = list("Resource");
        if actions.is_empty() || written_values.is_empty() {
            return Err(shape("has no Action or no Resource"));
        }
        let resources = written_values.iter().map(|v| self.resolve(function, v)).collect::<Result<Vec<_>, _>>()?;
        let written = written_values.iter().map(written_form).collect();
        Ok(Statement { actions, resources, written })
    }

    fn resolve(&self, function: &str, value: &Value) -> Result<String, TemplateError> {
        if let Some(name) = tagged_argument(value, "!Ref").or_else(|| value.get("Ref").and_then(Value::as_str)) {
            return self.reference(function, name);
        }
        if let Some(path) = tagged_argument(value, "!GetAtt") {
            return self.reference(function, path);
        }
        if let Some(text) = tagged_argument(value, "!Sub").or_else(|| value.get("Fn::Sub").and_then(Value::as_str)) {
            return self.substitute(function, text);
        }
        // Not `as_str`: it reads a tagged value as its argument.
        if let Value::String(text) = value {
            return Ok(text.clone());
        }
        Err(TemplateError::Shape(format!(
            "{function}: a policy resource the local IAM check cannot resolve: {value:?}"
        )))
    }

    fn substitute(&self, function: &str, text: &str) -> Result<String, TemplateError> {
        let mut out = String::new();
        let mut rest = text;
        while let Some(start) = rest.find("${") {
            out.push_str(&rest[..start]);
            let end = rest[start..]
                .find('}')
                .ok_or_else(|| TemplateError::Shape(format!("{function}: an unclosed ${{ in {text}")))?;
            out.push_str(&self.reference(function, &rest[start + 2..start + end])?);
            rest = &rest[start + end + 1..];
        }
        out.push_str(rest);
        Ok(out)
    }

    /// `Name` (a `Ref`) or `Name.Attribute` (a `GetAtt`).
    fn reference(&self, function: &str, name: &str) -> Result<String, TemplateError> {
        let local = self.local;
        match name {
            "AWS::Partition" => return Ok("aws".into()),
            "AWS::Region" => return Ok(local.region.clone()),
            "AWS::AccountId" => return Ok(local.account.clone()),
            "AWS::URLSuffix" => return Ok("amazonaws.com".into()),
            _ => {}
        }
        if let Some(value) = local.parameters.get(name) {
            return Ok(value.clone());
        }
        let (id, attribute) = name.split_once('.').map_or((name, None), |(id, attr)| (id, Some(attr)));
        let kind = self.template.resource_type(id).unwrap_or_default();
        let unknown =
            || TemplateError::Shape(format!("{function}: the local IAM check cannot resolve {name} ({kind})"));
        match (kind.as_str(), attribute) {
            ("AWS::DynamoDB::Table", None) => Ok(local.table_name.clone()),
            ("AWS::DynamoDB::Table", Some("Arn")) => Ok(local.table_arn(&local.table_name)),
            ("AWS::DynamoDB::Table", Some("StreamArn")) => {
                Ok(format!("{}/stream/*", local.table_arn(&local.table_name)))
            }
            ("AWS::SQS::Queue", None) => local.queue_urls.get(id).cloned().ok_or_else(unknown),
            ("AWS::SQS::Queue", Some("Arn")) => {
                local.queue_urls.get(id).map(|url| local.queue_arn(url)).ok_or_else(unknown)
            }
            // moto's ARN of a secret ends in a random suffix; a name in a request has none.
            ("AWS::SecretsManager::Secret", None) => Ok(match &local.secret_name {
                Some(secret) => format!("{}*", local.secret_arn(secret)),
                None => format!("{}no-secret-configured", local.secret_arn("")),
            }),
            ("AWS::ApiGatewayV2::Api", None) => Ok(local.websocket_api_id.clone()),
            ("AWS::SNS::Topic", None) => Ok(format!("arn:aws:sns:{}:{}:{id}", local.region, local.account)),
            _ => Err(unknown()),
        }
    }
}

/// A resource as the template writes it: `!GetAtt TandemTable.Arn`, `!Sub ${…}/index/gsi1`.
fn written_form(value: &Value) -> String {
    for tag in ["!Ref", "!GetAtt", "!Sub"] {
        if let Some(argument) = tagged_argument(value, tag) {
            return format!("{tag} {argument}");
        }
    }
    match value {
        Value::String(text) => text.clone(),
        other => format!("{other:?}"),
    }
}

/// The resources the unit tests resolve against: table `t1`, secret `keys`, us-east-1.
#[cfg(test)]
pub(crate) fn test_resources() -> LocalResources {
    LocalResources {
        region: "us-east-1".into(),
        account: LOCAL_ACCOUNT.into(),
        table_name: "t1".into(),
        queue_urls: BTreeMap::new(),
        secret_name: Some("keys".into()),
        parameters: BTreeMap::new(),
        websocket_api_id: "local".into(),
        websocket_stage: "live".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn local() -> LocalResources {
        test_resources()
    }

    #[test]
    fn wildcards_match_as_iam_matches_them() {
        assert!(wildcard_match("arn:aws:dynamodb:r:a:table/t1/index/*", "arn:aws:dynamodb:r:a:table/t1/index/gsi1"));
        assert!(!wildcard_match("arn:aws:dynamodb:r:a:table/t1", "arn:aws:dynamodb:r:a:table/t1/index/gsi1"));
        assert!(wildcard_match("dynamodb:*", "dynamodb:getitem"));
        assert!(wildcard_match("a?c*", "abcdef"));
        assert!(!wildcard_match("a?c", "ac"));
        assert!(wildcard_match("*", ""));
    }

    #[test]
    fn the_project_policies_resolve_and_decide() {
        let policies = policies(&Template::load().unwrap(), &local()).unwrap();
        assert_eq!(policies.len(), Template::load().unwrap().functions().unwrap().len());
        let table = local().table_arn("t1");
        let sweep = &policies["pairing-sweep"];
        assert!(sweep.allows("dynamodb:Query", &table).is_some());
        // A table grant does not cover its indexes, nor an index grant another index.
        let health = &policies["system-health"];
        assert!(health.allows("dynamodb:PutItem", &table).is_none());
        let keys = local().secret_arn("keys");
        let me = &policies["me-get"];
        assert!(me.allows("secretsmanager:GetSecretValue", &keys).is_some());
        assert!(me.allows("secretsmanager:GetSecretValue", &format!("{keys}-AbCdEf")).is_some());
        assert!(me.allows("secretsmanager:GetSecretValue", &local().secret_arn("other")).is_none());
        let grant = me.allows("dynamodb:GetItem", &table).unwrap();
        assert_eq!(grant.resource, "!GetAtt TandemTable.Arn");
    }
}
