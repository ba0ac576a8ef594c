//! Reads `template.yaml`: the HTTP routes (function → method + path) and the table.

use serde_yaml::Value;

/// The SAM template, compiled in so the gateway serves exactly what is deployed.
pub const TEMPLATE: &str = include_str!("../../../template.yaml");

#[derive(Debug, thiserror::Error)]
pub enum TemplateError {
    #[error("template.yaml is not valid YAML: {0}")]
    Yaml(#[from] serde_yaml::Error),
    #[error("template.yaml: {0}")]
    Shape(String),
}

/// An `HttpApi` event of a function: the route API Gateway sends to it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct HttpRoute {
    pub method: String,
    pub path: String,
    /// The function's binary (its `Metadata.BuildProperties.Binary`).
    pub function: String,
}

/// A function declared in the template, by logical id and binary.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FunctionDecl {
    pub logical_id: String,
    pub binary: String,
    pub policy_actions: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyElement {
    pub attribute: String,
    /// `HASH` or `RANGE`.
    pub key_type: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IndexDecl {
    pub name: String,
    pub key_schema: Vec<KeyElement>,
    pub projection: String,
}

/// The table as declared: what local provisioning creates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableDecl {
    pub logical_id: String,
    /// Attribute name → scalar type (`S`, `N`, `B`).
    pub attributes: Vec<(String, String)>,
    pub key_schema: Vec<KeyElement>,
    pub global_indexes: Vec<IndexDecl>,
    pub ttl_attribute: Option<String>,
    pub billing_mode: String,
}

/// An SQS queue of the template, with its dead-letter queue if it has one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueueDecl {
    pub logical_id: String,
    pub dead_letter: Option<(String, u32)>,
}

/// A route of the WebSocket API and the function its integration invokes.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct WebSocketRoute {
    pub route_key: String,
    pub function: String,
}

/// A function run by an EventBridge schedule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScheduleDecl {
    pub function: String,
    pub every_seconds: u64,
}

pub struct Template {
    root: Value,
}

impl Template {
    pub fn load() -> Result<Self, TemplateError> {
        Self::parse(TEMPLATE)
    }

    pub fn parse(text: &str) -> Result<Self, TemplateError> {
        Ok(Self { root: serde_yaml::from_str(text)? })
    }

    fn resources(&self) -> impl Iterator<Item = (&str, &Value)> {
        self.root
            .get("Resources")
            .and_then(Value::as_mapping)
            .into_iter()
            .flat_map(|m| m.iter())
            .filter_map(|(k, v)| Some((k.as_str()?, v)))
    }

    fn resources_of_type<'a>(&'a self, kind: &'a str) -> impl Iterator<Item = (&'a str, &'a Value)> + 'a {
        self.resources().filter(move |(_, v)| v.get("Type").and_then(Value::as_str) == Some(kind))
    }

    pub fn functions(&self) -> Result<Vec<FunctionDecl>, TemplateError> {
        self.resources_of_type("AWS::Serverless::Function")
            .map(|(id, resource)| {
                let binary = str_at(resource, &["Metadata", "BuildProperties", "Binary"])
                    .ok_or_else(|| TemplateError::Shape(format!("{id} has no Metadata.BuildProperties.Binary")))?;
                let policy_actions = resource
                    .get("Properties")
                    .and_then(|p| p.get("Policies"))
                    .and_then(Value::as_sequence)
                    .into_iter()
                    .flatten()
                    .filter_map(|policy| policy.get("Statement").and_then(Value::as_sequence))
                    .flatten()
                    .filter_map(|statement| statement.get("Action").and_then(Value::as_sequence))
                    .flatten()
                    .filter_map(|action| action.as_str().map(str::to_owned))
                    .collect();
                Ok(FunctionDecl { logical_id: id.to_owned(), binary: binary.to_owned(), policy_actions })
            })
            .collect()
    }

    pub fn http_routes(&self) -> Result<Vec<HttpRoute>, TemplateError> {
        let mut routes = Vec::new();
        for (id, resource) in self.resources_of_type("AWS::Serverless::Function") {
            let Some(events) = resource.get("Properties").and_then(|p| p.get("Events")).and_then(Value::as_mapping)
            else {
                continue;
            };
            for event in events.values().filter(|e| e.get("Type").and_then(Value::as_str) == Some("HttpApi")) {
                let (Some(method), Some(path)) =
                    (str_at(event, &["Properties", "Method"]), str_at(event, &["Properties", "Path"]))
                else {
                    return Err(TemplateError::Shape(format!("{id}: HttpApi event without Method and Path")));
                };
                let function = str_at(resource, &["Metadata", "BuildProperties", "Binary"])
                    .ok_or_else(|| TemplateError::Shape(format!("{id} has no Binary")))?;
                routes.push(HttpRoute {
                    method: method.to_uppercase(),
                    path: path.to_owned(),
                    function: function.to_owned(),
                });
            }
        }
        routes.sort();
        Ok(routes)
    }

    pub fn queues(&self) -> Vec<QueueDecl> {
        self.resources_of_type("AWS::SQS::Queue")
            .map(|(id, resource)| {
                let redrive = resource.get("Properties").and_then(|p| p.get("RedrivePolicy"));
                let dead_letter = redrive.and_then(|r| {
                    let target = tagged_argument(r.get("deadLetterTargetArn")?, "!GetAtt")?;
                    let receives = r.get("maxReceiveCount").and_then(Value::as_u64).unwrap_or(5) as u32;
                    Some((target.split('.').next()?.to_owned(), receives))
                });
                QueueDecl { logical_id: id.to_owned(), dead_letter }
            })
            .collect()
    }

    /// Global function environment variables that are `!Ref` to a resource: (name, logical id).
    pub fn environment_refs(&self) -> Vec<(String, String)> {
        let variables = self
            .root
            .get("Globals")
            .and_then(|g| g.get("Function"))
            .and_then(|f| f.get("Environment"))
            .and_then(|e| e.get("Variables"))
            .and_then(Value::as_mapping);
        variables
            .into_iter()
            .flatten()
            .filter_map(|(name, value)| Some((name.as_str()?.to_owned(), tagged_argument(value, "!Ref")?.to_owned())))
            .collect()
    }

    /// `AWS::ApiGatewayV2::Route`s of the WebSocket API, resolved through their integration
    /// (`Target: !Sub integrations/${X}` → `IntegrationUri: !Sub …${F.Arn}/invocations`) to
    /// the function's binary.
    pub fn websocket_routes(&self) -> Result<Vec<WebSocketRoute>, TemplateError> {
        let binaries: std::collections::HashMap<&str, &str> = self
            .resources_of_type("AWS::Serverless::Function")
            .filter_map(|(id, r)| Some((id, str_at(r, &["Metadata", "BuildProperties", "Binary"])?)))
            .collect();
        let resource = |id: &str| self.resources().find(|(rid, _)| *rid == id).map(|(_, r)| r);
        let mut routes = Vec::new();
        for (id, route) in self.resources_of_type("AWS::ApiGatewayV2::Route") {
            let shape = |what: &str| TemplateError::Shape(format!("{id}: {what}"));
            let props = route.get("Properties").ok_or_else(|| shape("no Properties"))?;
            let route_key = str_at(props, &["RouteKey"]).ok_or_else(|| shape("no RouteKey"))?;
            let target = props
                .get("Target")
                .and_then(|t| tagged_argument(t, "!Sub"))
                .ok_or_else(|| shape("Target is not !Sub"))?;
            let integration_id = between(target, "${", "}").ok_or_else(|| shape("Target names no integration"))?;
            let integration = resource(integration_id).ok_or_else(|| shape("integration not found"))?;
            let uri = integration
                .get("Properties")
                .and_then(|p| p.get("IntegrationUri"))
                .and_then(|u| tagged_argument(u, "!Sub"))
                .ok_or_else(|| shape("IntegrationUri is not !Sub"))?;
            let function_id = uri.split("${").filter_map(|part| part.split_once(".Arn}")).map(|(f, _)| f).next();
            let binary =
                function_id.and_then(|f| binaries.get(f)).ok_or_else(|| shape("integration names no function"))?;
            routes.push(WebSocketRoute { route_key: route_key.to_owned(), function: (*binary).to_owned() });
        }
        routes.sort();
        Ok(routes)
    }

    /// Functions with `Schedule` events and their rate.
    pub fn schedules(&self) -> Result<Vec<ScheduleDecl>, TemplateError> {
        let mut schedules = Vec::new();
        for (id, resource) in self.resources_of_type("AWS::Serverless::Function") {
            let Some(events) = resource.get("Properties").and_then(|p| p.get("Events")).and_then(Value::as_mapping)
            else {
                continue;
            };
            for event in events.values().filter(|e| e.get("Type").and_then(Value::as_str) == Some("Schedule")) {
                let rate = str_at(event, &["Properties", "Schedule"]).unwrap_or_default();
                let every_seconds = parse_rate(rate)
                    .ok_or_else(|| TemplateError::Shape(format!("{id}: unsupported schedule {rate:?}")))?;
                let function = str_at(resource, &["Metadata", "BuildProperties", "Binary"])
                    .ok_or_else(|| TemplateError::Shape(format!("{id} has no Binary")))?;
                schedules.push(ScheduleDecl { function: function.to_owned(), every_seconds });
            }
        }
        Ok(schedules)
    }

    pub fn table(&self) -> Result<TableDecl, TemplateError> {
        let mut tables = self.resources_of_type("AWS::DynamoDB::Table");
        let (id, resource) = tables.next().ok_or_else(|| TemplateError::Shape("no AWS::DynamoDB::Table".into()))?;
        if tables.next().is_some() {
            return Err(TemplateError::Shape("more than one table: the design is single-table".into()));
        }
        let props =
            resource.get("Properties").ok_or_else(|| TemplateError::Shape(format!("{id} has no Properties")))?;
        let attributes = seq(props, "AttributeDefinitions")
            .map(|a| Ok((req_str(a, "AttributeName")?, req_str(a, "AttributeType")?)))
            .collect::<Result<_, TemplateError>>()?;
        let global_indexes = seq(props, "GlobalSecondaryIndexes")
            .map(|index| {
                Ok(IndexDecl {
                    name: req_str(index, "IndexName")?,
                    key_schema: key_schema(index)?,
                    projection: str_at(index, &["Projection", "ProjectionType"]).unwrap_or("ALL").to_owned(),
                })
            })
            .collect::<Result<_, TemplateError>>()?;
        let ttl_enabled = props.get("TimeToLiveSpecification").and_then(|t| t.get("Enabled")).and_then(Value::as_bool);
        Ok(TableDecl {
            logical_id: id.to_owned(),
            attributes,
            key_schema: key_schema(props)?,
            global_indexes,
            ttl_attribute: ttl_enabled
                .filter(|enabled| *enabled)
                .and_then(|_| str_at(props, &["TimeToLiveSpecification", "AttributeName"]).map(str::to_owned)),
            billing_mode: str_at(props, &["BillingMode"]).unwrap_or("PROVISIONED").to_owned(),
        })
    }
}

fn between<'a>(text: &'a str, open: &str, close: &str) -> Option<&'a str> {
    let start = text.find(open)? + open.len();
    let end = text[start..].find(close)? + start;
    Some(&text[start..end])
}

/// `rate(1 minute)`, `rate(15 minutes)`, `rate(1 hour)`, `rate(1 day)` in seconds.
pub fn parse_rate(expression: &str) -> Option<u64> {
    let inner = expression.strip_prefix("rate(")?.strip_suffix(')')?;
    let (count, unit) = inner.trim().split_once(' ')?;
    let count: u64 = count.parse().ok()?;
    let unit_seconds = match unit.trim_end_matches('s') {
        "minute" => 60,
        "hour" => 3600,
        "day" => 86_400,
        _ => return None,
    };
    Some(count * unit_seconds)
}

/// The argument of a CloudFormation short-form tag such as `!Ref X` or `!GetAtt X.Arn`.
fn tagged_argument<'a>(value: &'a Value, tag: &str) -> Option<&'a str> {
    match value {
        Value::Tagged(tagged) if tagged.tag == tag => tagged.value.as_str(),
        _ => None,
    }
}

fn str_at<'a>(value: &'a Value, path: &[&str]) -> Option<&'a str> {
    path.iter().try_fold(value, |v, key| v.get(*key))?.as_str()
}

fn req_str(value: &Value, key: &str) -> Result<String, TemplateError> {
    value
        .get(key)
        .and_then(Value::as_str)
        .map(str::to_owned)
        .ok_or_else(|| TemplateError::Shape(format!("missing {key}")))
}

fn seq<'a>(value: &'a Value, key: &str) -> impl Iterator<Item = &'a Value> {
    value.get(key).and_then(Value::as_sequence).into_iter().flatten()
}

fn key_schema(value: &Value) -> Result<Vec<KeyElement>, TemplateError> {
    seq(value, "KeySchema")
        .map(|k| Ok(KeyElement { attribute: req_str(k, "AttributeName")?, key_type: req_str(k, "KeyType")? }))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_project_template() {
        let template = Template::load().unwrap();
        let table = template.table().unwrap();
        assert_eq!(table.billing_mode, "PAY_PER_REQUEST");
        assert_eq!(table.ttl_attribute.as_deref(), Some("ttl"));
        let routes = template.http_routes().unwrap();
        assert!(
            routes.iter().any(|r| r.method == "POST" && r.path == "/v1/auth/register" && r.function == "auth-register")
        );
    }
}
