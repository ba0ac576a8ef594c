//! Reads `template.yaml`: the HTTP routes (function → method + path) and the table.

use serde_yaml_ng::Value;

/// The SAM template, compiled in so the gateway serves exactly what is deployed.
pub const TEMPLATE: &str = include_str!("../../../template.yaml");

#[derive(Debug, thiserror::Error)]
pub enum TemplateError {
    #[error("template.yaml is not valid YAML: {0}")]
    Yaml(#[from] serde_yaml_ng::Error),
    #[error("template.yaml: {0}")]
    Shape(String),
}

/// The HTTP API's CORS settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CorsDecl {
    pub origins: Vec<String>,
    pub methods: Vec<String>,
    pub headers: Vec<String>,
    pub expose: Vec<String>,
    pub max_age: u64,
}

/// The path of the HTTP API's catch-all route (an `HttpApi` event with no Method or Path).
pub const DEFAULT_ROUTE: &str = "$default";

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
    /// Its policy's statements as written (`Policies[*].Statement[*]`).
    pub statements: Vec<Value>,
    /// Names of the variables its own `Environment` sets (not the Globals').
    pub environment: Vec<String>,
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
    /// `StreamSpecification.StreamViewType` (the pipes read that stream).
    pub stream_view_type: Option<String>,
}

/// An SQS queue of the template, with its dead-letter queue if it has one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueueDecl {
    pub logical_id: String,
    pub dead_letter: Option<(String, u32)>,
    /// `VisibilityTimeout` in seconds (SQS's default, 30, when not declared).
    pub visibility_timeout: u32,
}

/// An `AWS::Pipes::Pipe` from the table's stream to a queue.
#[derive(Debug, Clone, PartialEq)]
pub struct PipeDecl {
    pub logical_id: String,
    /// Logical id of the target queue.
    pub target_queue: String,
    /// The filter patterns (EventBridge syntax); a record passes when any matches.
    pub filters: Vec<serde_json::Value>,
    pub starting_position: String,
    pub batch_size: u32,
    /// `TargetParameters.InputTemplate`: what the queue receives instead of the record.
    pub input_template: Option<String>,
}

/// An `SQS` event of a function: the queue a worker consumes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueueEventDecl {
    /// The function's binary.
    pub function: String,
    /// Logical id of the queue.
    pub queue: String,
    pub batch_size: u32,
    pub report_batch_item_failures: bool,
    pub maximum_concurrency: u32,
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
        Ok(Self { root: serde_yaml_ng::from_str(text)? })
    }

    fn resources(&self) -> impl Iterator<Item = (&str, &Value)> {
        self.root
            .get("Resources")
            .and_then(Value::as_mapping)
            .into_iter()
            .flat_map(|m| m.iter())
            .filter_map(|(k, v)| Some((k.as_str()?, v)))
    }

    /// Every resource of CloudFormation type `kind`, by logical id (for checks of parts the
    /// local stack does not run, such as alarms).
    pub fn resources_of_type<'a>(&'a self, kind: &'a str) -> impl Iterator<Item = (&'a str, &'a Value)> + 'a {
        self.resources().filter(move |(_, v)| v.get("Type").and_then(Value::as_str) == Some(kind))
    }

    pub fn functions(&self) -> Result<Vec<FunctionDecl>, TemplateError> {
        self.resources_of_type("AWS::Serverless::Function")
            .map(|(id, resource)| {
                let binary = str_at(resource, &["Metadata", "BuildProperties", "Binary"])
                    .ok_or_else(|| TemplateError::Shape(format!("{id} has no Metadata.BuildProperties.Binary")))?;
                let statements: Vec<Value> = resource
                    .get("Properties")
                    .and_then(|p| p.get("Policies"))
                    .and_then(Value::as_sequence)
                    .into_iter()
                    .flatten()
                    .filter_map(|policy| policy.get("Statement").and_then(Value::as_sequence))
                    .flatten()
                    .cloned()
                    .collect();
                let policy_actions = statements
                    .iter()
                    .filter_map(|statement| statement.get("Action").and_then(Value::as_sequence))
                    .flatten()
                    .filter_map(|action| action.as_str().map(str::to_owned))
                    .collect();
                let environment = resource
                    .get("Properties")
                    .and_then(|p| p.get("Environment"))
                    .and_then(|e| e.get("Variables"))
                    .and_then(Value::as_mapping)
                    .into_iter()
                    .flatten()
                    .filter_map(|(name, _)| name.as_str().map(str::to_owned))
                    .collect();
                Ok(FunctionDecl {
                    logical_id: id.to_owned(),
                    binary: binary.to_owned(),
                    policy_actions,
                    statements,
                    environment,
                })
            })
            .collect()
    }

    /// The WebSocket API's stage name.
    pub fn websocket_stage(&self) -> Option<String> {
        self.resources_of_type("AWS::ApiGatewayV2::Stage")
            .find_map(|(_, stage)| str_at(stage, &["Properties", "StageName"]))
            .map(str::to_owned)
    }

    /// The CloudFormation type of the resource `logical_id`.
    pub fn resource_type(&self, logical_id: &str) -> Option<String> {
        self.resources().find(|(id, _)| *id == logical_id).and_then(|(_, v)| str_at(v, &["Type"])).map(str::to_owned)
    }

    /// The HTTP API's CORS configuration (origins from their parameter's default, or the
    /// `CORS_ALLOWED_ORIGINS` environment variable, comma-separated).
    pub fn cors(&self) -> Result<Option<CorsDecl>, TemplateError> {
        let Some((_, api)) = self.resources_of_type("AWS::Serverless::HttpApi").next() else { return Ok(None) };
        let Some(cors) = api.get("Properties").and_then(|p| p.get("CorsConfiguration")) else { return Ok(None) };
        let list = |key: &str| -> Vec<String> {
            cors.get(key)
                .and_then(Value::as_sequence)
                .map(|s| s.iter().filter_map(Value::as_str).map(str::to_owned).collect())
                .unwrap_or_default()
        };
        let origins = match cors.get("AllowOrigins").and_then(|v| tagged_argument(v, "!Ref")) {
            Some(parameter) => {
                let default = std::env::var("CORS_ALLOWED_ORIGINS")
                    .ok()
                    .or_else(|| str_at(&self.root, &["Parameters", parameter, "Default"]).map(str::to_owned));
                default.unwrap_or_default().split(',').map(|o| o.trim().to_owned()).filter(|o| !o.is_empty()).collect()
            }
            None => list("AllowOrigins"),
        };
        Ok(Some(CorsDecl {
            origins,
            methods: list("AllowMethods"),
            headers: list("AllowHeaders"),
            expose: list("ExposeHeaders"),
            max_age: cors.get("MaxAge").and_then(Value::as_u64).unwrap_or(0),
        }))
    }

    /// Every HTTP route; the `$default` route has method `ANY` and path [`DEFAULT_ROUTE`].
    pub fn http_routes(&self) -> Result<Vec<HttpRoute>, TemplateError> {
        let mut routes = Vec::new();
        for (id, resource) in self.resources_of_type("AWS::Serverless::Function") {
            let Some(events) = resource.get("Properties").and_then(|p| p.get("Events")).and_then(Value::as_mapping)
            else {
                continue;
            };
            for event in events.values().filter(|e| e.get("Type").and_then(Value::as_str) == Some("HttpApi")) {
                // Neither Method nor Path: SAM's `$default` route (what no other route matches).
                let (method, path) =
                    match (str_at(event, &["Properties", "Method"]), str_at(event, &["Properties", "Path"])) {
                        (Some(method), Some(path)) => (method, path),
                        (None, None) => ("ANY", DEFAULT_ROUTE),
                        _ => {
                            return Err(TemplateError::Shape(format!(
                                "{id}: HttpApi event with only one of Method, Path"
                            )));
                        }
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
                let visibility_timeout = resource
                    .get("Properties")
                    .and_then(|p| p.get("VisibilityTimeout"))
                    .and_then(Value::as_u64)
                    .unwrap_or(30) as u32;
                QueueDecl { logical_id: id.to_owned(), dead_letter, visibility_timeout }
            })
            .collect()
    }

    /// The pipes from the table's stream to queues, with their filters.
    pub fn pipes(&self) -> Result<Vec<PipeDecl>, TemplateError> {
        let table = self.table()?.logical_id;
        self.resources_of_type("AWS::Pipes::Pipe")
            .map(|(id, resource)| {
                let shape = |what: &str| TemplateError::Shape(format!("{id}: {what}"));
                let props = resource.get("Properties").ok_or_else(|| shape("no Properties"))?;
                let source = props.get("Source").and_then(|v| tagged_argument(v, "!GetAtt"));
                if source != Some(format!("{table}.StreamArn").as_str()) {
                    return Err(shape("Source is not the table's StreamArn"));
                }
                let target = props
                    .get("Target")
                    .and_then(|v| tagged_argument(v, "!GetAtt"))
                    .and_then(|t| t.strip_suffix(".Arn"))
                    .ok_or_else(|| shape("Target is not !GetAtt <Queue>.Arn"))?;
                let stream = props.get("SourceParameters").and_then(|p| p.get("DynamoDBStreamParameters"));
                let filters = props
                    .get("SourceParameters")
                    .and_then(|p| p.get("FilterCriteria"))
                    .map(|f| seq(f, "Filters").collect::<Vec<_>>())
                    .unwrap_or_default()
                    .into_iter()
                    .map(|filter| {
                        let pattern = str_at(filter, &["Pattern"]).ok_or_else(|| shape("a filter without Pattern"))?;
                        serde_json::from_str(pattern).map_err(|e| shape(&format!("filter pattern is not JSON: {e}")))
                    })
                    .collect::<Result<_, _>>()?;
                Ok(PipeDecl {
                    logical_id: id.to_owned(),
                    target_queue: target.to_owned(),
                    filters,
                    starting_position: stream
                        .and_then(|s| str_at(s, &["StartingPosition"]))
                        .ok_or_else(|| shape("no DynamoDBStreamParameters.StartingPosition"))?
                        .to_owned(),
                    batch_size: stream.and_then(|s| s.get("BatchSize")).and_then(Value::as_u64).unwrap_or(100) as u32,
                    input_template: str_at(props, &["TargetParameters", "InputTemplate"]).map(str::to_owned),
                })
            })
            .collect()
    }

    /// Functions with `SQS` events: which worker consumes which queue, and how.
    pub fn queue_events(&self) -> Result<Vec<QueueEventDecl>, TemplateError> {
        let mut events = Vec::new();
        for (id, resource) in self.resources_of_type("AWS::Serverless::Function") {
            let Some(declared) = resource.get("Properties").and_then(|p| p.get("Events")).and_then(Value::as_mapping)
            else {
                continue;
            };
            for event in declared.values().filter(|e| e.get("Type").and_then(Value::as_str) == Some("SQS")) {
                let shape = |what: &str| TemplateError::Shape(format!("{id}: {what}"));
                let props = event.get("Properties").ok_or_else(|| shape("SQS event without Properties"))?;
                let queue = props
                    .get("Queue")
                    .and_then(|v| tagged_argument(v, "!GetAtt"))
                    .and_then(|q| q.strip_suffix(".Arn"))
                    .ok_or_else(|| shape("SQS event Queue is not !GetAtt <Queue>.Arn"))?;
                let function =
                    str_at(resource, &["Metadata", "BuildProperties", "Binary"]).ok_or_else(|| shape("no Binary"))?;
                let report_batch_item_failures =
                    seq(props, "FunctionResponseTypes").any(|t| t.as_str() == Some("ReportBatchItemFailures"));
                events.push(QueueEventDecl {
                    function: function.to_owned(),
                    queue: queue.to_owned(),
                    batch_size: props.get("BatchSize").and_then(Value::as_u64).unwrap_or(10) as u32,
                    report_batch_item_failures,
                    maximum_concurrency: props
                        .get("ScalingConfig")
                        .and_then(|c| c.get("MaximumConcurrency"))
                        .and_then(Value::as_u64)
                        .unwrap_or(2) as u32,
                });
            }
        }
        events.sort_by(|a, b| a.function.cmp(&b.function));
        Ok(events)
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
            stream_view_type: str_at(props, &["StreamSpecification", "StreamViewType"]).map(str::to_owned),
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
pub fn tagged_argument<'a>(value: &'a Value, tag: &str) -> Option<&'a str> {
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

    #[test]
    fn reads_the_pipes_and_the_workers_they_feed() {
        let template = Template::load().unwrap();
        let pipes = template.pipes().unwrap();
        let queues: Vec<&str> = pipes.iter().map(|p| p.target_queue.as_str()).collect();
        assert!(queues.contains(&"ModerationQueue") && queues.contains(&"NotificationQueue"), "{queues:?}");
        assert!(pipes.iter().all(|p| !p.filters.is_empty()), "every pipe filters by item type");
        let workers = template.queue_events().unwrap();
        assert!(workers.iter().all(|w| w.report_batch_item_failures));
        assert!(workers.iter().any(|w| w.function == "moderation-worker" && w.queue == "ModerationQueue"));
    }
}
