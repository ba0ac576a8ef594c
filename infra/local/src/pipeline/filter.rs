//! EventBridge event patterns, as pipes filter stream records: a pattern is an object whose
//! leaves are lists of accepted values (literals, `prefix`, `suffix`, `exists`,
//! `anything-but`, `equals-ignore-case`); a record passes when every key of the pattern
//! matches. Unsupported operators are refused when the template is read, never ignored.

use serde_json::Value;

#[derive(Debug, Clone, PartialEq)]
pub struct Pattern(Vec<(String, Node)>);

#[derive(Debug, Clone, PartialEq)]
enum Node {
    Nested(Pattern),
    AnyOf(Vec<Matcher>),
}

#[derive(Debug, Clone, PartialEq)]
enum Matcher {
    Equals(Value),
    Prefix(String),
    Suffix(String),
    Exists(bool),
    AnythingBut(Vec<Value>),
    EqualsIgnoreCase(String),
}

impl Pattern {
    pub fn parse(pattern: &Value) -> Result<Self, String> {
        let object = pattern.as_object().ok_or("a pattern is a JSON object")?;
        let mut fields = Vec::new();
        for (key, value) in object {
            let node = match value {
                Value::Object(_) => Node::Nested(Pattern::parse(value)?),
                Value::Array(options) => Node::AnyOf(options.iter().map(Matcher::parse).collect::<Result<_, _>>()?),
                other => return Err(format!("{key}: expected an object or an array, got {other}")),
            };
            fields.push((key.clone(), node));
        }
        Ok(Self(fields))
    }

    pub fn matches(&self, event: &Value) -> bool {
        self.0.iter().all(|(key, node)| {
            let field = event.get(key);
            match node {
                Node::Nested(pattern) => field.is_some_and(|f| f.is_object() && pattern.matches(f)),
                Node::AnyOf(matchers) => matchers.iter().any(|m| m.matches(field)),
            }
        })
    }
}

impl Matcher {
    fn parse(option: &Value) -> Result<Self, String> {
        let Value::Object(operator) = option else { return Ok(Self::Equals(option.clone())) };
        let (name, argument) = match operator.iter().next() {
            Some(entry) if operator.len() == 1 => entry,
            _ => return Err(format!("an operator object has exactly one key: {option}")),
        };
        let text = || argument.as_str().map(str::to_owned).ok_or(format!("{name} takes a string"));
        Ok(match name.as_str() {
            "prefix" => Self::Prefix(text()?),
            "suffix" => Self::Suffix(text()?),
            "equals-ignore-case" => Self::EqualsIgnoreCase(text()?),
            "exists" => Self::Exists(argument.as_bool().ok_or("exists takes true or false")?),
            "anything-but" => match argument {
                Value::Array(values) => Self::AnythingBut(values.clone()),
                Value::Object(_) => return Err("anything-but with an operator is not supported locally".into()),
                value => Self::AnythingBut(vec![value.clone()]),
            },
            other => return Err(format!("the filter operator {other:?} is not supported by the local pipes")),
        })
    }

    /// A missing field matches only `exists: false`; an array field matches when any
    /// element does (EventBridge's rule).
    fn matches(&self, field: Option<&Value>) -> bool {
        match (self, field) {
            (Self::Exists(expected), field) => field.is_some() == *expected,
            (_, None) => false,
            (_, Some(Value::Array(values))) => values.iter().any(|v| self.matches_leaf(v)),
            (_, Some(value)) => self.matches_leaf(value),
        }
    }

    fn matches_leaf(&self, value: &Value) -> bool {
        let text = value.as_str();
        match self {
            Self::Equals(expected) => expected == value,
            Self::Prefix(prefix) => text.is_some_and(|t| t.starts_with(prefix.as_str())),
            Self::Suffix(suffix) => text.is_some_and(|t| t.ends_with(suffix.as_str())),
            Self::EqualsIgnoreCase(expected) => text.is_some_and(|t| t.eq_ignore_ascii_case(expected)),
            Self::AnythingBut(excluded) => !excluded.contains(value),
            Self::Exists(_) => true,
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn record(event_name: &str, sk: &str) -> Value {
        json!({"eventName": event_name, "dynamodb": {"Keys": {"pk": {"S": "CONV#1"}, "sk": {"S": sk}}}})
    }

    #[test]
    fn the_message_pipe_pattern_passes_only_message_inserts() {
        let pattern = Pattern::parse(&json!(
            {"eventName": ["INSERT"], "dynamodb": {"Keys": {"sk": {"S": [{"prefix": "MSG#"}]}}}}
        ))
        .unwrap();
        assert!(pattern.matches(&record("INSERT", "MSG#abc")));
        assert!(!pattern.matches(&record("MODIFY", "MSG#abc")));
        assert!(!pattern.matches(&record("INSERT", "CMID#abc")));
        assert!(!pattern.matches(&json!({"eventName": "INSERT"})));
    }

    #[test]
    fn operators_behave_as_eventbridge_documents() {
        let pattern = Pattern::parse(
            &json!({"a": [{"anything-but": ["x"]}], "b": [{"exists": false}], "c": [{"suffix": "z"}, 3]}),
        )
        .unwrap();
        assert!(pattern.matches(&json!({"a": "y", "c": "baz"})));
        assert!(pattern.matches(&json!({"a": "y", "c": [1, 3]})));
        assert!(!pattern.matches(&json!({"a": "x", "c": "baz"})));
        assert!(!pattern.matches(&json!({"a": "y", "b": 1, "c": "baz"})));
        assert!(!pattern.matches(&json!({"a": "y", "c": "bar"})));
    }

    #[test]
    fn unsupported_operators_are_refused_not_ignored() {
        assert!(Pattern::parse(&json!({"n": [{"numeric": [">", 3]}]})).is_err());
        assert!(Pattern::parse(&json!({"n": "scalar"})).is_err());
    }
}
