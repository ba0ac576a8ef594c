//! `tandem-local generate`: the functions' part of `template.yaml` (each function and the
//! alarms on their errors), their bootstraps (`functions/src/bin/`) and `[[bin]]` entries,
//! the watch router in the workspace manifest and a first sample event, written from the declarations beside the handlers
//! (`tandem_api::deploy`). Each goes between two marker lines; everything else in those
//! files stays hand-written. `--check` writes nothing and fails when a committed file differs
//! from what would be written (CI runs it through the test suite too).

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use tandem_api::deploy::{Declared, Deploy, Grant, Trigger};

pub const TEMPLATE_BEGIN: &str =
    "  # ---- BEGIN generated from the functions' declarations (tandem-local generate); edit those, not this ----";
pub const TEMPLATE_END: &str = "  # ---- END generated functions ----";
pub const ALARMS_BEGIN: &str =
    "  # ---- BEGIN generated: each function's errors, ten functions an alarm (tandem-local generate) ----";
pub const ALARMS_END: &str = "  # ---- END generated alarms ----";
pub const ROUTER_BEGIN: &str =
    "# ---- BEGIN generated from the HTTP functions' declarations (tandem-local generate) ----";
pub const ROUTER_END: &str = "# ---- END generated router ----";
/// CloudWatch metric math takes at most ten metrics an alarm.
const FUNCTIONS_PER_ALARM: usize = 10;
pub const BINS_BEGIN: &str = "# ---- BEGIN generated from the functions' declarations (tandem-local generate) ----";
pub const BINS_END: &str = "# ---- END generated bins ----";

/// A file the generator owns a part of, and what that part should be.
pub struct Generated {
    pub path: PathBuf,
    pub current: String,
    pub wanted: String,
}

impl Generated {
    pub fn differs(&self) -> bool {
        self.current != self.wanted
    }
}

/// The template's logical id of a function: its binary name in CamelCase + `Function`.
pub fn logical_id(name: &str) -> String {
    let camel: String = name
        .split('-')
        .map(|word| {
            let mut chars = word.chars();
            chars.next().map(|first| first.to_ascii_uppercase().to_string() + chars.as_str()).unwrap_or_default()
        })
        .collect();
    format!("{camel}Function")
}

/// A YAML scalar: plain when that reads back as the same string, else single-quoted.
fn scalar(text: &str) -> String {
    let risky = text.is_empty()
        || text.contains(": ")
        || text.contains(" #")
        || text.ends_with(':')
        || text.starts_with(|c: char| "-?:,[]{}#&*!|>'\"%@`".contains(c) || c.is_whitespace())
        || text.ends_with(char::is_whitespace);
    if risky { format!("'{}'", text.replace('\'', "''")) } else { text.to_owned() }
}

fn list(out: &mut String, indent: &str, items: &[&str]) {
    for item in items {
        let _ = writeln!(out, "{indent}- {item}");
    }
}

fn statement(out: &mut String, actions: &[&str], resources: &[String]) {
    out.push_str("            - Effect: Allow\n              Action:\n");
    list(out, "                ", actions);
    match resources {
        [one] => {
            let _ = writeln!(out, "              Resource: {one}");
        }
        many => {
            out.push_str("              Resource:\n");
            for resource in many {
                let _ = writeln!(out, "                - {resource}");
            }
        }
    }
}

fn grant(out: &mut String, grant: &Grant) {
    const ACCOUNT: &str = "arn:${AWS::Partition}:${SERVICE}:${AWS::Region}:${AWS::AccountId}";
    let arn = |service: &str, rest: &str| format!("!Sub {}:{rest}", ACCOUNT.replace("${SERVICE}", service));
    match grant {
        Grant::Table(actions) => statement(out, actions, &["!GetAtt TandemTable.Arn".to_owned()]),
        Grant::Indexes(indexes, actions) => {
            let resources: Vec<String> =
                indexes.iter().map(|index| format!("!Sub ${{TandemTable.Arn}}/index/{index}")).collect();
            statement(out, actions, &resources)
        }
        Grant::SigningKeys => statement(out, &["secretsmanager:GetSecretValue"], &["!Ref JwtSigningKeys".to_owned()]),
        Grant::ManageConnections(methods) => {
            let resources: Vec<String> = methods
                .iter()
                .map(|method| arn("execute-api", &format!("${{WebSocketApi}}/live/{method}/@connections/*")))
                .collect();
            statement(out, &["execute-api:ManageConnections"], &resources)
        }
        Grant::PushApplications(actions) => statement(out, actions, &[arn("sns", "app/*")]),
        Grant::PushEndpoints(actions) => statement(out, actions, &[arn("sns", "endpoint/*")]),
    }
}

/// One function's resource.
pub fn render_function(name: &str, deploy: &Deploy) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "  {}:", logical_id(name));
    out.push_str("    Type: AWS::Serverless::Function\n    Metadata:\n      BuildMethod: rust-cargolambda\n");
    let _ = writeln!(out, "      BuildProperties:\n        Binary: {name}");
    out.push_str("    Properties:\n");
    let _ = writeln!(out, "      Description: {}", scalar(deploy.description));
    out.push_str(
        "      CodeUri: .\n      LoggingConfig:\n        LogFormat: JSON\n        LogGroup: !Ref FunctionLogs\n",
    );
    if let Some(memory) = deploy.memory_mb {
        let _ = writeln!(out, "      MemorySize: {memory}");
    }
    if let Some(timeout) = deploy.timeout_seconds {
        let _ = writeln!(out, "      Timeout: {timeout}");
    }
    let scheduled = matches!(deploy.trigger, Trigger::Schedule { .. });
    if scheduled {
        out.push_str(
            "      ReservedConcurrentExecutions: !If [HasJobConcurrency, !Ref JobReservedConcurrency, !Ref AWS::NoValue]\n",
        );
    }
    let signs = deploy.grants.contains(&Grant::SigningKeys);
    if signs || !deploy.environment.is_empty() {
        out.push_str("      Environment:\n        Variables:\n");
        if signs {
            out.push_str("          JWT_SIGNING_KEYS_SECRET: !Ref JwtSigningKeys\n");
        }
        for (variable, parameter) in deploy.environment {
            let _ = writeln!(out, "          {variable}: !Ref {parameter}");
        }
    }
    if !deploy.grants.is_empty() {
        out.push_str("      Policies:\n        - Statement:\n");
        for each in deploy.grants {
            grant(&mut out, each);
        }
    }
    if scheduled {
        out.push_str(concat!(
            "      # No asynchronous retries by Lambda either (EventBridge's own are off): a failed or\n",
            "      # stale run is recorded on JobFailureQueue and the next scheduled run does the work.\n",
            "      EventInvokeConfig:\n",
            "        MaximumRetryAttempts: 0\n",
            "        MaximumEventAgeInSeconds: 60\n",
            "        DestinationConfig:\n",
            "          OnFailure:\n",
            "            Type: SQS\n",
            "            Destination: !GetAtt JobFailureQueue.Arn\n",
        ));
    }
    match deploy.trigger {
        Trigger::Http { method, path } => {
            let _ = write!(
                out,
                "      Events:\n        Api:\n          Type: HttpApi\n          Properties:\n            ApiId: !Ref HttpApi\n            Path: {path}\n            Method: {method}\n"
            );
        }
        Trigger::HttpDefault => {
            out.push_str(
                "      Events:\n        Default:\n          Type: HttpApi\n          Properties:\n            ApiId: !Ref HttpApi\n",
            );
        }
        Trigger::WebSocket => {}
        Trigger::Schedule { event, rate } => {
            let _ = write!(
                out,
                "      Events:\n        {event}:\n          Type: Schedule\n          Properties:\n            Schedule: {rate}\n            RetryPolicy:\n              MaximumRetryAttempts: 0\n"
            );
        }
        Trigger::Queue { queue, batch_size, max_concurrency } => {
            let _ = write!(
                out,
                "      Events:\n        Queue:\n          Type: SQS\n          Properties:\n            Queue: !GetAtt {queue}.Arn\n            BatchSize: {batch_size}\n            MaximumBatchingWindowInSeconds: 0\n            FunctionResponseTypes:\n              - ReportBatchItemFailures\n            ScalingConfig:\n              MaximumConcurrency: {max_concurrency}\n"
            );
        }
    }
    out
}

/// Every declared function's resource, in declaration order, blank-line separated.
pub fn render_functions() -> String {
    let blocks: Vec<String> =
        tandem_api::deploy::functions().into_iter().map(|f| render_function(f.name, f.deploy)).collect();
    blocks.join("\n")
}

/// Every function's `Errors`, watched by `FunctionErrors<n>Alarm`s of up to ten functions
/// each (metric math over the functions; the graph has one line per function).
pub fn render_alarms() -> String {
    let names: Vec<&str> = tandem_api::deploy::functions().into_iter().map(|f| f.name).collect();
    let mut out = String::new();
    for (index, group) in names.chunks(FUNCTIONS_PER_ALARM).enumerate() {
        let n = index + 1;
        let _ = write!(
            out,
            "  FunctionErrors{n}Alarm:\n    Type: AWS::CloudWatch::Alarm\n    Properties:\n      AlarmName: !Sub tandem-${{Stage}}-function-errors-{n}\n      AlarmDescription: \"A function failed: {}. The graph shows which (one line per function); its logs: the FunctionLogs group, filtered on the function field.\"\n      AlarmActions: [!Ref OperatorAlarmsTopic]\n      ComparisonOperator: GreaterThanThreshold\n      Threshold: 0\n      EvaluationPeriods: 1\n      TreatMissingData: notBreaching\n      Metrics:\n        - Id: failures\n          Expression: SUM(METRICS())\n          Label: errors\n",
            group.join(", ")
        );
        for (i, name) in group.iter().enumerate() {
            let _ = write!(
                out,
                "        - Id: e{i}\n          ReturnData: false\n          Label: {name}\n          MetricStat:\n            Metric:\n              Namespace: AWS/Lambda\n              MetricName: Errors\n              Dimensions: [{{Name: FunctionName, Value: !Ref {}}}]\n            Period: 300\n            Stat: Sum\n",
                logical_id(name)
            );
        }
        out.push('\n');
    }
    out.trim_end().to_owned() + "\n"
}

/// `cargo lambda watch`'s router (the workspace manifest): each HTTP path to its functions
/// by method, as API Gateway routes them.
pub fn render_router() -> String {
    let mut paths: std::collections::BTreeMap<&str, Vec<(&str, &str)>> = std::collections::BTreeMap::new();
    for function in tandem_api::deploy::functions() {
        if let Trigger::Http { method, path } = function.deploy.trigger {
            paths.entry(path).or_default().push((method, function.name));
        }
    }
    let mut out = String::new();
    for (path, routes) in paths {
        let routes: Vec<String> =
            routes.iter().map(|(method, name)| format!("{{ method = \"{method}\", function = \"{name}\" }}")).collect();
        let _ = writeln!(out, "\"{path}\" = [{}]", routes.join(", "));
    }
    out
}

/// The `[[bin]]` entries of `functions/Cargo.toml`.
pub fn render_bins() -> String {
    let mut out = String::new();
    for Declared { name, .. } in tandem_api::deploy::functions() {
        let _ = write!(out, "[[bin]]\nname = \"{name}\"\npath = \"src/bin/{name}.rs\"\ntest = false\n\n");
    }
    out.trim_end().to_owned() + "\n"
}

/// A function's bootstrap (`functions/src/bin/<name>.rs`): its `main` serves its handler.
pub fn render_bootstrap(function: &Declared) -> String {
    let module = function.module.replace(' ', "");
    let (parent, leaf) = module.rsplit_once("::").unwrap_or(("", module.as_str()));
    let mut out = String::new();
    if function.prepare.is_some() {
        out.push_str("use tandem_api::App;\n");
    }
    let _ = writeln!(out, "use tandem_api::edge::lambda::{{Error, {}}};", function.serve);
    let _ = writeln!(out, "use tandem_api::{parent}::{leaf};");
    out.push_str("\n#[tokio::main]\nasync fn main() -> Result<(), Error> {\n");
    match function.prepare {
        Some(prepare) => {
            let _ = writeln!(
                out,
                "    {}(\"{}\", {}, {leaf}::handle).await",
                function.serve,
                function.name,
                prepare.replace(' ', "")
            );
        }
        None => {
            let _ = writeln!(out, "    {}(\"{}\", {leaf}::handle).await", function.serve, function.name);
        }
    }
    out.push_str("}\n");
    out
}

/// `text` with what lies between the lines `begin` and `end` replaced by `body`.
fn between(text: &str, begin: &str, end: &str, body: &str) -> Result<String, String> {
    let start = text.find(begin).ok_or_else(|| format!("no line {begin:?}"))? + begin.len();
    let stop = text[start..].find(end).ok_or_else(|| format!("no line {end:?}"))? + start;
    Ok(format!("{}\n{}{}", &text[..start], body, &text[stop..]))
}

/// A starting sample event for a function that has none yet (`events/<name>.json`, for
/// `sam local invoke`); samples already there are the developers' and are left alone.
pub fn sample_event(name: &str, deploy: &Deploy) -> serde_json::Value {
    use serde_json::json;
    match deploy.trigger {
        Trigger::Http { method, path } => json!({
            "version": "2.0",
            "routeKey": format!("{method} {path}"),
            "rawPath": path,
            "rawQueryString": "",
            "headers": {
                "accept": "application/json",
                "content-type": "application/json",
                "host": "abc123.execute-api.eu-west-1.amazonaws.com",
                "authorization": "Bearer REPLACE-WITH-AN-ACCESS-TOKEN"
            },
            "requestContext": {
                "accountId": "123456789012",
                "apiId": "abc123",
                "domainName": "abc123.execute-api.eu-west-1.amazonaws.com",
                "http": { "method": method, "path": path, "protocol": "HTTP/1.1", "sourceIp": "203.0.113.10" },
                "requestId": format!("sample-{name}"),
                "routeKey": format!("{method} {path}"),
                "stage": "$default",
                "timeEpoch": 1_795_248_000_000_u64
            },
            "body": if method == "GET" || method == "DELETE" { serde_json::Value::Null } else { json!("{}") },
            "isBase64Encoded": false
        }),
        Trigger::Schedule { event, .. } => json!({
            "version": "0",
            "id": "53dc4d37-cffa-4f76-80c9-8b7d4a4d2eaa",
            "detail-type": "Scheduled Event",
            "source": "aws.events",
            "account": "123456789012",
            "time": "2026-11-21T08:00:00Z",
            "region": "eu-west-1",
            "resources": [format!("arn:aws:events:eu-west-1:123456789012:rule/tandem-dev-{}{event}", logical_id(name))],
            "detail": {}
        }),
        Trigger::Queue { queue, .. } => json!({
            "Records": [{
                "messageId": format!("sample-{name}"),
                "body": "{\"eventName\": \"INSERT\", \"pk\": \"REPLACE\", \"sk\": \"REPLACE\"}",
                "attributes": { "ApproximateReceiveCount": "1" },
                "eventSource": "aws:sqs",
                "eventSourceARN": format!("arn:aws:sqs:eu-west-1:123456789012:{queue}"),
                "awsRegion": "eu-west-1"
            }]
        }),
        Trigger::HttpDefault | Trigger::WebSocket => json!({
            "requestContext": { "requestId": format!("sample-{name}"), "connectionId": "REPLACE", "routeKey": "$default" },
            "isBase64Encoded": false
        }),
    }
}

/// What the generator owns in the workspace at `root`, as it is and as it should be.
pub fn outputs(root: &Path) -> Result<Vec<Generated>, String> {
    let read = |path: &Path| std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()));
    let template = root.join("template.yaml");
    let current = read(&template)?;
    let wanted = between(&current, TEMPLATE_BEGIN, TEMPLATE_END, &(render_functions() + "\n"))?;
    let wanted = between(&wanted, ALARMS_BEGIN, ALARMS_END, &(render_alarms() + "\n"))?;
    let workspace = root.join("Cargo.toml");
    let current_router = read(&workspace)?;
    let wanted_router = between(&current_router, ROUTER_BEGIN, ROUTER_END, &render_router())?;
    let manifest = root.join("functions/Cargo.toml");
    let current_bins = read(&manifest)?;
    let wanted_bins = between(&current_bins, BINS_BEGIN, BINS_END, &(render_bins() + "\n"))?;
    let mut outputs = vec![
        Generated { path: template, current, wanted },
        Generated { path: manifest, current: current_bins, wanted: wanted_bins },
        Generated { path: workspace, current: current_router, wanted: wanted_router },
    ];
    let declared = tandem_api::deploy::functions();
    // A sample event for every function: a new one gets a starting sample.
    for function in &declared {
        let path = root.join("events").join(format!("{}.json", function.name));
        if !path.exists() {
            let sample =
                serde_json::to_string_pretty(&sample_event(function.name, function.deploy)).unwrap_or_default();
            outputs.push(Generated { path, current: String::new(), wanted: sample + "\n" });
        }
    }
    // Every declared function's bootstrap, and no bootstrap without a declaration.
    let bins = root.join("functions/src/bin");
    for function in &declared {
        let path = bins.join(format!("{}.rs", function.name));
        let current = std::fs::read_to_string(&path).unwrap_or_default();
        outputs.push(Generated { path, current, wanted: render_bootstrap(function) });
    }
    let names: std::collections::BTreeSet<String> = declared.iter().map(|f| format!("{}.rs", f.name)).collect();
    let undeclared: Vec<String> = std::fs::read_dir(&bins)
        .map_err(|e| format!("{}: {e}", bins.display()))?
        .filter_map(|entry| entry.ok().map(|e| e.file_name().to_string_lossy().into_owned()))
        .filter(|file| !names.contains(file))
        .collect();
    if !undeclared.is_empty() {
        return Err(format!("functions/src/bin: bootstraps without a declaration: {undeclared:?}"));
    }
    Ok(outputs)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// CI's check: the committed template and manifest are what the declarations give.
    #[test]
    fn the_committed_files_are_what_the_generator_writes() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
        for output in outputs(&root).unwrap() {
            assert!(!output.differs(), "{} is out of date: run `tandem-local generate`", output.path.display());
        }
    }

    #[test]
    fn a_new_function_gets_a_starting_sample_of_its_trigger() {
        let deploy = Deploy::new("Gets a thing.", Trigger::Http { method: "GET", path: "/v1/things/{id}" });
        let sample = sample_event("things-get", &deploy);
        assert_eq!(sample["routeKey"], "GET /v1/things/{id}");
        assert_eq!(sample["requestContext"]["http"]["method"], "GET");
        let job = Deploy::new("Sweeps.", Trigger::Schedule { event: "EveryMinute", rate: "rate(1 minute)" });
        assert_eq!(sample_event("things-sweep", &job)["detail-type"], "Scheduled Event");
    }

    #[test]
    fn a_logical_id_is_the_binary_name_in_camel_case() {
        assert_eq!(logical_id("me-profile-put"), "MeProfilePutFunction");
        assert_eq!(logical_id("ws-connect"), "WsConnectFunction");
    }

    #[test]
    fn a_description_that_would_not_read_back_is_quoted() {
        assert_eq!(scalar("Pairs today's pool."), "Pairs today's pool.");
        assert_eq!(scalar("Sends: pushes"), "'Sends: pushes'");
        assert_eq!(scalar("'quoted'"), "'''quoted'''");
    }
}
