//! The declarations that must agree: template.yaml, the handler registry, the function
//! binaries, the OpenAPI document, the store's key names and the sample events.

use std::collections::BTreeSet;

use serde_json::json;
use tandem_api::jobs::SCHEDULED_JOBS;
use tandem_api::routes::HTTP_FUNCTIONS;
use tandem_api::routes::ws::WS_FUNCTIONS;
use tandem_api::workers::QUEUE_WORKERS;
use tandem_local::pipeline::Pattern;
use tandem_local::template::Template;
use tandem_store::keys;
use tandem_tests::workspace_root;

fn set<T: Ord>(items: impl IntoIterator<Item = T>) -> BTreeSet<T> {
    items.into_iter().collect()
}

fn files_in(dir: &str, extension: &str) -> BTreeSet<String> {
    std::fs::read_dir(workspace_root().join(dir))
        .unwrap()
        .filter_map(|entry| {
            let path = entry.ok()?.path();
            (path.extension()? == extension).then(|| path.file_stem()?.to_str().map(str::to_owned))?
        })
        .collect()
}

#[test]
fn every_function_is_in_the_template_the_registry_and_the_workspace() {
    let template = Template::load().unwrap();
    let declared = set(template.functions().unwrap().into_iter().map(|f| f.binary));
    let registered = set(HTTP_FUNCTIONS
        .iter()
        .map(|f| f.name.to_owned())
        .chain(SCHEDULED_JOBS.iter().map(|j| j.name.to_owned()))
        .chain(WS_FUNCTIONS.iter().map(|f| f.name.to_owned()))
        .chain(QUEUE_WORKERS.iter().map(|w| w.name.to_owned())));
    let binaries = files_in("functions/src/bin", "rs");
    assert_eq!(declared, binaries, "template.yaml functions vs functions/src/bin");
    assert_eq!(
        registered, binaries,
        "HTTP_FUNCTIONS, WS_FUNCTIONS, SCHEDULED_JOBS and QUEUE_WORKERS vs functions/src/bin"
    );
    let manifest = std::fs::read_to_string(workspace_root().join("functions/Cargo.toml")).unwrap();
    for binary in &binaries {
        assert!(manifest.contains(&format!("name = \"{binary}\"")), "{binary} missing from functions/Cargo.toml");
    }
}

#[test]
fn each_binary_runs_the_handler_registered_under_its_name() {
    for function in HTTP_FUNCTIONS {
        let main =
            std::fs::read_to_string(workspace_root().join(format!("functions/src/bin/{}.rs", function.name))).unwrap();
        let module = function.name.split_once('-').map(|(_, rest)| rest.replace('-', "_")).unwrap();
        assert!(main.contains(&format!("::{module};")), "{} should serve routes::…::{module}", function.name);
        let serves = |entry: &str| main.contains(&format!("{entry}(\"{}\",", function.name));
        assert!(serves("serve_http") || serves("serve_http_with"), "{} names itself", function.name);
    }
    for job in SCHEDULED_JOBS {
        let main =
            std::fs::read_to_string(workspace_root().join(format!("functions/src/bin/{}.rs", job.name))).unwrap();
        assert!(
            main.contains(&format!("jobs::{};", job.name.replace('-', "_"))),
            "{} should run jobs::{}",
            job.name,
            job.name
        );
        assert!(main.contains(&format!("serve_job(\"{}\",", job.name)), "{} names itself", job.name);
    }
    for worker in QUEUE_WORKERS {
        let main =
            std::fs::read_to_string(workspace_root().join(format!("functions/src/bin/{}.rs", worker.name))).unwrap();
        let module = worker.name.trim_end_matches("-worker").replace('-', "_");
        assert!(main.contains(&format!("workers::{module}")), "{} should run workers::{module}", worker.name);
        assert!(main.contains(&format!("serve_worker(\"{}\",", worker.name)), "{} names itself", worker.name);
    }
}

/// The keys of each item family, as the store spells them, and the pipe that must carry its
/// inserts (`None`: no pipe).
fn item_families() -> Vec<(&'static str, (String, String), Option<&'static str>)> {
    use tandem_domain::{ConversationId, MatchId, MessageId, ReportId, UserId};
    let (user, other) = (UserId::generate(), UserId::generate());
    let conversation = ConversationId::generate();
    vec![
        ("message", keys::message(&conversation, &MessageId::generate()), Some("MessageScanPipe")),
        ("match", keys::pairing_match(&MatchId::generate()), Some("NotificationPipe")),
        ("conversation", keys::conversation(&conversation), None),
        ("client message guard", keys::client_message(&conversation, &user, "c-1"), None),
        ("read position", keys::read_position(&conversation, &user), None),
        ("user", keys::user(&user), None),
        ("availability", keys::availability(&user, chrono::NaiveDate::MIN), None),
        ("block", keys::relation(keys::BLOCKS, &user, &other), Some("NotificationPipe")),
        ("block mirror", keys::relation(keys::BLOCKED_BY, &other, &user), None),
        ("report", keys::report(&ReportId::generate()), None),
        ("notice", keys::notice(&user, &ReportId::generate()), Some("NotificationPipe")),
        ("report filed pointer", keys::report_filed(&user, &ReportId::generate()), None),
        ("connection", keys::connection("abc"), None),
        ("push token", keys::push_token(&user, "0123456789abcdef0123456789abcdef"), None),
        ("push token owner", keys::push_token_owner("0123456789abcdef0123456789abcdef"), None),
        ("notification preferences", keys::notification_prefs(&user), None),
        ("push guard", keys::push_guard("match:m:u", "0123456789abcdef0123456789abcdef"), None),
        ("message push gate", keys::message_push_gate(&conversation, &user), None),
        ("deferred push", keys::deferred_push(&user, "match:m:u"), None),
        ("reminder", keys::reminder(&conversation, &user), Some("NotificationPipe")),
        ("conversation outcome", keys::conversation_outcome(&conversation, &user), None),
        ("active day", keys::active_day(&user, chrono::NaiveDate::MIN), None),
        ("rewards summary", keys::rewards(&user), None),
        ("ledger entry", keys::ledger_entry(&user, chrono::NaiveDate::MIN, "fast_reply"), None),
        ("badge", keys::badge(&user, tandem_domain::rewards::Badge::Streak7), Some("NotificationPipe")),
    ]
}

/// The modifications the notification pipe passes: exactly these transitions of these items.
#[test]
fn the_notification_pipe_passes_exactly_its_transitions() {
    use tandem_domain::{ConversationId, MessageId, UserId};
    let template = Template::load().unwrap();
    let pipes = template.pipes().unwrap();
    let (conversation, user) = (ConversationId::generate(), UserId::generate());
    let message = keys::message(&conversation, &MessageId::generate());
    let deferred = keys::deferred_push(&user, "match:m:u");
    let whole = keys::conversation(&conversation);
    // A clean scan with the recipient online passes nowhere.
    let online = json!({
        "eventName": "MODIFY",
        "dynamodb": {
            "Keys": {"pk": {"S": message.0}, "sk": {"S": message.1}},
            "OldImage": {"moderation": {"S": "visible"}},
            "NewImage": {"moderation": {"S": "scanned"}, "recipientOffline": {"BOOL": false}},
        },
    });
    assert!(pipes.iter().all(|p| p.filters.iter().all(|f| !Pattern::parse(f).unwrap().matches(&online))));
    let cases = [
        (&message, ("moderation", json!({"S": "visible"}), json!({"S": "scanned"})), true),
        (&message, ("moderation", json!({"S": "visible"}), json!({"S": "hidden"})), false),
        (&message, ("moderation", json!({"S": "scanned"}), json!({"S": "scanned"})), false),
        (&whole, ("expiringSent", json!({"BOOL": false}), json!({"BOOL": true})), true),
        (&whole, ("expiringSent", json!({"BOOL": true}), json!({"BOOL": true})), false),
        (&whole, ("expiringSent", json!({"BOOL": true}), json!({"BOOL": false})), false),
        (&whole, ("state", json!({"S": "active"}), json!({"S": "expired"})), true),
        (&whole, ("state", json!({"S": "active"}), json!({"S": "closed"})), true),
        (&whole, ("state", json!({"S": "active"}), json!({"S": "ended_by_panic"})), true),
        (&whole, ("state", json!({"S": "active"}), json!({"S": "active"})), false),
        (&whole, ("state", json!({"S": "closed"}), json!({"S": "closed"})), false),
        (&deferred, ("status", json!({"S": "deferred"}), json!({"S": "released"})), true),
        (&deferred, ("status", json!({"S": "released"}), json!({"S": "released"})), false),
    ];
    for ((pk, sk), (attribute, old, new), passes) in cases {
        let mut record = json!({
            "eventName": "MODIFY",
            "dynamodb": {
                "Keys": {"pk": {"S": pk}, "sk": {"S": sk}},
                "OldImage": {"pk": {"S": pk}, "sk": {"S": sk}, attribute: old},
                "NewImage": {"pk": {"S": pk}, "sk": {"S": sk}, attribute: new},
            },
        });
        if attribute == "moderation" {
            record["dynamodb"]["NewImage"]["recipientOffline"] = json!({"BOOL": true});
        }
        let carried: Vec<&str> = pipes
            .iter()
            .filter(|pipe| pipe.filters.iter().any(|f| Pattern::parse(f).unwrap().matches(&record)))
            .map(|pipe| pipe.logical_id.as_str())
            .collect();
        let wanted: Vec<&str> = if passes { vec!["NotificationPipe"] } else { vec![] };
        assert_eq!(carried, wanted, "{sk}: {attribute} {old} → {new}");
    }
}

#[test]
fn each_pipe_carries_exactly_its_item_family_to_a_worker_with_a_dead_letter_queue() {
    let template = Template::load().unwrap();
    let pipes = template.pipes().unwrap();
    let workers = template.queue_events().unwrap();
    let queues = template.queues();
    for (family, (pk, sk), expected) in item_families() {
        for event_name in ["INSERT", "MODIFY", "REMOVE"] {
            let record = serde_json::json!({
                "eventName": event_name,
                "dynamodb": {"Keys": {"pk": {"S": pk}, "sk": {"S": sk}}},
            });
            let carried: Vec<&str> = pipes
                .iter()
                .filter(|pipe| pipe.filters.iter().any(|f| Pattern::parse(f).unwrap().matches(&record)))
                .map(|pipe| pipe.logical_id.as_str())
                .collect();
            let wanted: Vec<&str> = expected.filter(|_| event_name == "INSERT").into_iter().collect();
            assert_eq!(carried, wanted, "{event_name} of a {family} item");
        }
    }
    assert!(pipes.len() <= 2, "a DynamoDB stream shard serves at most two readers: add filters, not pipes");
    assert!(pipes.iter().all(|p| p.filters.len() <= 5), "a pipe takes at most five filters");
    for pipe in &pipes {
        let worker = workers.iter().find(|w| w.queue == pipe.target_queue);
        assert!(worker.is_some(), "{}: nothing consumes {}", pipe.logical_id, pipe.target_queue);
        assert!(pipe.input_template.is_some(), "{}: the queue gets keys, never whole items", pipe.logical_id);
    }
    for worker in &workers {
        assert!(worker.report_batch_item_failures, "{}: partial batch failures", worker.function);
        let queue = queues.iter().find(|q| q.logical_id == worker.queue).unwrap();
        assert_eq!(queue.dead_letter.as_ref().map(|(_, n)| *n), Some(5), "{}: DLQ after 5 receives", queue.logical_id);
        assert!(pipes.iter().any(|p| p.target_queue == worker.queue), "{}: fed by no pipe", worker.queue);
    }
}

#[test]
fn every_websocket_function_serves_a_route_and_every_route_has_a_function() {
    let routes = Template::load().unwrap().websocket_routes().unwrap();
    let routed = set(routes.iter().map(|r| r.function.clone()));
    assert_eq!(routed, set(WS_FUNCTIONS.iter().map(|f| f.name.to_owned())));
    let keys = set(routes.iter().map(|r| r.route_key.as_str()));
    for key in ["$connect", "$disconnect", "$default", "sendMessage", "typing", "read", "ping"] {
        assert!(keys.contains(key), "route {key} missing");
    }
    for function in WS_FUNCTIONS {
        let main =
            std::fs::read_to_string(workspace_root().join(format!("functions/src/bin/{}.rs", function.name))).unwrap();
        let module = function.name.trim_start_matches("ws-").replace('-', "_");
        assert!(main.contains(&format!("ws::{module};")), "{} should serve routes::ws::{module}", function.name);
        assert!(main.contains(&format!("serve_ws(\"{}\",", function.name)), "{} names itself", function.name);
    }
}

#[test]
fn every_function_has_a_sample_event() {
    let functions = set(Template::load().unwrap().functions().unwrap().into_iter().map(|f| f.binary));
    assert_eq!(files_in("events", "json"), functions, "events/<function>.json for every function");
}

#[test]
fn openapi_documents_exactly_the_template_routes() {
    let document: serde_json::Value = serde_json::from_str(tandem_api::routes::system::openapi::DOCUMENT).unwrap();
    assert_eq!(document["openapi"], "3.1.0");
    let documented: BTreeSet<(String, String)> = document["paths"]
        .as_object()
        .unwrap()
        .iter()
        .flat_map(|(path, ops)| ops.as_object().unwrap().keys().map(move |m| (m.to_uppercase(), path.clone())))
        .filter(|(method, _)| method != "PARAMETERS")
        .collect();
    // The `$default` route serves what no documented path does.
    let routed = set(Template::load()
        .unwrap()
        .http_routes()
        .unwrap()
        .into_iter()
        .filter(|r| r.path != tandem_local::template::DEFAULT_ROUTE)
        .map(|r| (r.method, r.path)));
    assert_eq!(documented, routed);
    for (path, ops) in document["paths"].as_object().unwrap() {
        for (method, op) in ops.as_object().unwrap() {
            assert!(op["responses"].as_object().is_some_and(|r| !r.is_empty()), "{method} {path} has no responses");
            assert!(op["operationId"].is_string(), "{method} {path} has no operationId");
        }
    }
}

/// `cargo lambda watch` routes exactly the template's HTTP routes (the workspace's
/// `[workspace.metadata.lambda.watch.router]`), so it serves `{id}` routes as deployed.
#[test]
fn the_watch_router_routes_exactly_the_template_routes() {
    let manifest = std::fs::read_to_string(workspace_root().join("Cargo.toml")).unwrap();
    let table = manifest.split("[workspace.metadata.lambda.watch.router]").nth(1).expect("a watch router");
    let line = regex_lite::Regex::new(r#"^"([^"]+)" = \[(.*)\]$"#).unwrap();
    let entry = regex_lite::Regex::new(r#"\{ method = "([A-Z]+)", function = "([a-z-]+)" \}"#).unwrap();
    let routed: BTreeSet<(String, String, String)> = table
        .lines()
        .take_while(|l| !l.starts_with('['))
        .filter_map(|l| line.captures(l))
        .flat_map(|c| {
            let path = c[1].to_owned();
            entry.captures_iter(&c[2]).map(|e| (e[1].to_owned(), path.clone(), e[2].to_owned())).collect::<Vec<_>>()
        })
        .collect();
    let template = set(Template::load()
        .unwrap()
        .http_routes()
        .unwrap()
        .into_iter()
        .filter(|r| r.path != tandem_local::template::DEFAULT_ROUTE)
        .map(|r| (r.method, r.path, r.function)));
    assert_eq!(routed, template);
}

/// One body limit: what the OpenAPI document promises for 413 is what the code refuses.
#[test]
fn the_documented_body_limit_is_the_enforced_one() {
    let document: serde_json::Value = serde_json::from_str(tandem_api::routes::system::openapi::DOCUMENT).unwrap();
    let limit = format!("{} KiB", tandem_api::edge::http::MAX_BODY_BYTES / 1024);
    let mut documented = 0;
    for (path, ops) in document["paths"].as_object().unwrap() {
        for (method, op) in ops.as_object().unwrap() {
            if let Some(too_large) = op["responses"].get("413") {
                let text = too_large["description"].as_str().unwrap_or_default();
                assert!(text.contains(&limit), "{method} {path}: 413 says {text:?}, the code refuses past {limit}");
                documented += 1;
            }
        }
    }
    assert!(documented > 0, "no 413 documented");
}

#[test]
fn the_table_declaration_has_the_keys_the_store_uses() {
    let table = Template::load().unwrap().table().unwrap();
    let key = |elements: &[tandem_local::template::KeyElement]| {
        elements.iter().map(|k| (k.attribute.clone(), k.key_type.clone())).collect::<Vec<_>>()
    };
    assert_eq!(key(&table.key_schema), [(keys::PK.into(), "HASH".into()), (keys::SK.into(), "RANGE".into())]);
    let gsi1 = table.global_indexes.iter().find(|i| i.name == keys::GSI1).expect("gsi1 declared");
    assert_eq!(key(&gsi1.key_schema), [(keys::GSI1_PK.into(), "HASH".into()), (keys::GSI1_SK.into(), "RANGE".into())]);
    let gsi2 = table.global_indexes.iter().find(|i| i.name == keys::GSI2).expect("gsi2 declared");
    assert_eq!(key(&gsi2.key_schema), [(keys::GSI2_PK.into(), "HASH".into()), (keys::GSI2_SK.into(), "RANGE".into())]);
    // The reminder index sorts by epoch seconds: a number.
    assert!(table.attributes.iter().any(|(name, kind)| name == keys::GSI2_SK && kind == "N"));
    assert_eq!(table.ttl_attribute.as_deref(), Some(keys::TTL));
    assert_eq!(table.billing_mode, "PAY_PER_REQUEST");
}

#[test]
fn functions_touching_the_table_have_only_table_actions() {
    // No `sqs:*`: no function sends to a queue; asynchronous work comes from the stream.
    // SNS only for the notification worker: pushes leave from committed writes, never from
    // a request path.
    let push_actions = ["sns:CreatePlatformEndpoint", "sns:SetEndpointAttributes", "sns:Publish"];
    let allowed = [
        "execute-api:ManageConnections",
        "dynamodb:BatchGetItem",
        "dynamodb:GetItem",
        "dynamodb:PutItem",
        "dynamodb:UpdateItem",
        "dynamodb:DeleteItem",
        // The retention purge deletes in batches of 25.
        "dynamodb:BatchWriteItem",
        "dynamodb:Query",
        "dynamodb:ConditionCheckItem",
    ];
    for function in Template::load().unwrap().functions().unwrap() {
        for action in &function.policy_actions {
            let pushes = function.logical_id == "NotificationWorkerFunction" && push_actions.contains(&action.as_str());
            // Checked by `only_token_handlers_read_the_signing_keys`.
            let keys = action == "secretsmanager:GetSecretValue";
            assert!(allowed.contains(&action.as_str()) || pushes || keys, "{} grants {action}", function.logical_id);
        }
        assert!(!function.policy_actions.iter().any(|a| a.ends_with('*')), "{} uses a wildcard", function.logical_id);
    }
}

/// The signing keys' secret is read by exactly the functions that sign access tokens (the
/// operations answering with one) or verify them (bearer operations, the WebSocket
/// `$connect`), each told where it is; no other function can read it.
#[test]
fn only_token_handlers_read_the_signing_keys() {
    let document: serde_json::Value = serde_json::from_str(tandem_api::routes::system::openapi::DOCUMENT).unwrap();
    let schemas = &document["components"]["schemas"];
    let answers_a_token = |operation: &serde_json::Value| {
        let responses = operation["responses"].as_object().into_iter().flatten();
        responses.filter(|(status, _)| status.starts_with('2')).any(|(_, response)| {
            let schema = &response["content"]["application/json"]["schema"];
            let schema = match schema["$ref"].as_str() {
                Some(reference) => &schemas[reference.trim_start_matches("#/components/schemas/")],
                None => schema,
            };
            schema.to_string().contains("accessToken")
        })
    };
    let mut handlers = BTreeSet::new();
    for (path, operations) in document["paths"].as_object().unwrap() {
        for (method, operation) in operations.as_object().unwrap() {
            if operation.get("security").is_some() || answers_a_token(operation) {
                handlers.insert((method.to_uppercase(), path.clone()));
            }
        }
    }
    let template = Template::load().unwrap();
    let routes = template.http_routes().unwrap();
    let mut expected: BTreeSet<String> = routes
        .iter()
        .filter(|r| handlers.contains(&(r.method.clone(), r.path.clone())))
        .map(|r| r.function.clone())
        .collect();
    let connect = template.websocket_routes().unwrap().into_iter().find(|r| r.route_key == "$connect").unwrap();
    expected.insert(connect.function);
    assert!(expected.contains("auth-login") && expected.contains("me-get"), "{expected:?}");
    let functions = template.functions().unwrap();
    let reading: BTreeSet<String> = functions
        .iter()
        .filter(|f| f.policy_actions.iter().any(|a| a == "secretsmanager:GetSecretValue"))
        .map(|f| f.binary.clone())
        .collect();
    let told: BTreeSet<String> = functions
        .iter()
        .filter(|f| f.environment.iter().any(|v| v == "JWT_SIGNING_KEYS_SECRET"))
        .map(|f| f.binary.clone())
        .collect();
    assert_eq!(reading, expected, "functions granted GetSecretValue vs those handling access tokens");
    assert_eq!(told, expected, "functions given JWT_SIGNING_KEYS_SECRET vs those handling access tokens");
    let text = std::fs::read_to_string(workspace_root().join("template.yaml")).unwrap();
    assert!(!text.contains("{{resolve:secretsmanager"), "no secret is resolved into an environment");
}

#[test]
fn no_request_path_can_call_sqs() {
    // The code every function links has no SQS client at all.
    let manifest = std::fs::read_to_string(workspace_root().join("shared/api/Cargo.toml")).unwrap();
    assert!(!manifest.contains("aws-sdk-sqs"), "shared/api must not depend on the SQS SDK");
    let template = Template::load().unwrap();
    for function in template.functions().unwrap() {
        assert!(!function.policy_actions.iter().any(|a| a.starts_with("sqs:")), "{} may call SQS", function.logical_id);
    }
}

/// Every property a schema of either document names is camelCase: the wire has one casing.
#[test]
fn every_documented_key_is_camel_case() {
    fn walk(schema: &serde_json::Value, path: &str) {
        match schema {
            serde_json::Value::Object(map) => {
                for (key, child) in map {
                    if key == "properties" {
                        for name in child.as_object().into_iter().flat_map(|p| p.keys()) {
                            let camel = name.chars().next().is_some_and(|c| c.is_ascii_lowercase())
                                && name.chars().all(|c| c.is_ascii_alphanumeric());
                            assert!(camel, "{path}.properties.{name} is not camelCase");
                        }
                    }
                    if key == "required" {
                        for name in child.as_array().into_iter().flatten().filter_map(|n| n.as_str()) {
                            assert!(!name.contains('_'), "{path}.required {name} is not camelCase");
                        }
                    }
                    walk(child, &format!("{path}.{key}"));
                }
            }
            serde_json::Value::Array(items) => items.iter().for_each(|item| walk(item, path)),
            _ => {}
        }
    }
    let openapi: serde_json::Value = serde_json::from_str(tandem_api::routes::system::openapi::DOCUMENT).unwrap();
    let asyncapi: serde_json::Value =
        serde_json::from_str(tandem_api::routes::system::openapi::ASYNCAPI_DOCUMENT).unwrap();
    walk(&openapi, "openapi");
    walk(&asyncapi, "asyncapi");
    for parameter in openapi["paths"].as_object().unwrap().values().flat_map(|ops| {
        ops.as_object().unwrap().values().flat_map(|op| op["parameters"].as_array().cloned().unwrap_or_default())
    }) {
        // Shared parameters are references into `components.parameters`.
        let parameter = match parameter["$ref"].as_str().and_then(|r| r.strip_prefix("#/components/parameters/")) {
            Some(name) => openapi["components"]["parameters"][name].clone(),
            None => parameter,
        };
        assert!(!parameter["name"].as_str().unwrap_or("_").contains('_'), "parameter {parameter}");
    }
}

/// The AsyncAPI document describes every server event the backend sends and every action
/// the template routes.
#[test]
fn asyncapi_documents_every_route_and_event() {
    let asyncapi: serde_json::Value =
        serde_json::from_str(tandem_api::routes::system::openapi::ASYNCAPI_DOCUMENT).unwrap();
    let messages = asyncapi["channels"]["live"]["messages"].as_object().unwrap();
    for route in Template::load().unwrap().websocket_routes().unwrap() {
        if !route.route_key.starts_with('$') {
            assert!(
                messages.contains_key(&format!("client.{}", route.route_key)),
                "action {} undocumented",
                route.route_key
            );
        }
    }
    let realtime = std::fs::read_to_string(workspace_root().join("docs/realtime.md")).unwrap();
    for name in messages.keys().filter_map(|k| k.strip_prefix("server.")) {
        let kind = name.replacen('_', ".", 1);
        assert!(realtime.contains(&format!("`{kind}`")), "docs/realtime.md does not describe {kind}");
    }
}

/// Every function logs to a declared group, kept `LogRetentionDays`; every function, job,
/// queue and API has the alarms an operator needs, and each alarm notifies the operators' topic.
#[test]
fn every_function_queue_and_api_is_watched() {
    use tandem_local::template::tagged_argument;
    let template = Template::load().unwrap();
    let log_groups: std::collections::HashMap<&str, &serde_yaml_ng::Value> =
        template.resources_of_type("AWS::Logs::LogGroup").collect();
    let alarms: Vec<(&str, &serde_yaml_ng::Value)> = template.resources_of_type("AWS::CloudWatch::Alarm").collect();
    let alarm_text = |value: &serde_yaml_ng::Value| serde_yaml_ng::to_string(value).unwrap();
    for (id, alarm) in &alarms {
        let actions = alarm["Properties"]["AlarmActions"].as_sequence().unwrap();
        assert!(
            actions.iter().any(|a| tagged_argument(a, "!Ref") == Some("OperatorAlarmsTopic")),
            "{id} notifies no one"
        );
    }
    let functions: Vec<(&str, &serde_yaml_ng::Value)> =
        template.resources_of_type("AWS::Serverless::Function").collect();
    for (id, function) in &functions {
        let properties = &function["Properties"];
        let group = tagged_argument(&properties["LoggingConfig"]["LogGroup"], "!Ref")
            .unwrap_or_else(|| panic!("{id} names no declared log group"));
        let retention = &log_groups.get(group).unwrap_or_else(|| panic!("{group} is not declared"))["Properties"]["RetentionInDays"];
        assert_eq!(tagged_argument(retention, "!Ref"), Some("LogRetentionDays"), "{group} retention");
        assert_eq!(properties["LoggingConfig"]["LogFormat"].as_str(), Some("JSON"), "{id} logs JSON");
        let watched = |metric: &str| {
            alarms.iter().any(|(_, alarm)| {
                let text = alarm_text(alarm);
                text.contains(&format!("MetricName: {metric}")) && text.contains(&format!("Value: !Ref {id}\n"))
            })
        };
        assert!(watched("Errors"), "{id}: no errors alarm");
        let timeout = properties["Timeout"].as_u64().unwrap_or(10);
        if properties["Events"].as_mapping().into_iter().flatten().any(|(_, e)| e["Type"].as_str() == Some("Schedule"))
        {
            let binary = function["Metadata"]["BuildProperties"]["Binary"].as_str().unwrap();
            let near = alarms.iter().find(|(_, alarm)| {
                let p = &alarm["Properties"];
                p["MetricName"].as_str() == Some("JobDuration") && p["Dimensions"][0]["Value"].as_str() == Some(binary)
            });
            let threshold =
                near.unwrap_or_else(|| panic!("{binary}: no near-timeout alarm")).1["Properties"]["Threshold"]
                    .as_u64()
                    .unwrap();
            assert_eq!(threshold, timeout * 800, "{binary}: alarm at 80 % of its {timeout} s timeout");
        }
    }
    // Metric math in an alarm takes at most 10 metrics (a deploy-time failure otherwise).
    for (id, alarm) in &alarms {
        let metrics = alarm["Properties"]["Metrics"]
            .as_sequence()
            .map(|m| m.iter().filter(|q| q.get("MetricStat").is_some()).count());
        assert!(metrics.unwrap_or(0) <= 10, "{id}: more than 10 metrics");
    }
    // Throttling is the account's concurrency running out: one alarm over every function.
    assert!(
        alarms.iter().any(|(_, alarm)| {
            let p = &alarm["Properties"];
            p["Namespace"].as_str() == Some("AWS/Lambda")
                && p["MetricName"].as_str() == Some("Throttles")
                && p.get("Dimensions").is_none()
        }),
        "no alarm on the functions' throttles"
    );
    for queue in template.queues() {
        let on_queue = |metric: &str| {
            alarms.iter().any(|(_, alarm)| {
                let text = alarm_text(alarm);
                text.contains(&format!("MetricName: {metric}"))
                    && text.contains(&format!("!GetAtt {}.QueueName", queue.logical_id))
            })
        };
        assert!(on_queue("ApproximateAgeOfOldestMessage"), "{}: no age alarm", queue.logical_id);
        let is_dead_letter =
            template.queues().iter().any(|q| q.dead_letter.as_ref().is_some_and(|(dlq, _)| dlq == &queue.logical_id))
                || queue.logical_id == "JobFailureQueue";
        if is_dead_letter {
            assert!(on_queue("ApproximateNumberOfMessagesVisible"), "{}: no not-empty alarm", queue.logical_id);
        }
    }
    let all = alarms.iter().map(|(_, a)| alarm_text(a)).collect::<String>();
    for metric in ["MetricName: 5xx", "MetricName: IntegrationError", "ReadThrottleEvents", "WriteThrottleEvents"] {
        assert!(all.contains(metric), "no alarm on {metric}");
    }
    assert_eq!(template.resources_of_type("AWS::CloudWatch::Dashboard").count(), 1, "the product dashboard");
}
