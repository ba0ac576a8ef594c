//! A pipe's `InputTemplate`: `<$.path>` placeholders replaced by the record's values. A
//! placeholder inside quotes becomes a JSON string; one outside quotes is inserted as JSON
//! (the rule EventBridge Pipes documents).

use serde_json::Value;

pub fn render(template: &str, event: &Value) -> Result<String, String> {
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(start) = rest.find("<$.") {
        let end = rest[start..].find('>').map(|e| start + e).ok_or("an unclosed <$. placeholder")?;
        let path = &rest[start + 3..end];
        let value = path.split('.').try_fold(event, |v, key| v.get(key)).unwrap_or(&Value::Null);
        let quoted = rest[..start].ends_with('"') && rest[end + 1..].starts_with('"');
        if quoted {
            out.push_str(&rest[..start - 1]);
            out.push_str(&match value {
                Value::String(text) => Value::String(text.clone()).to_string(),
                other => Value::String(other.to_string()).to_string(),
            });
            rest = &rest[end + 2..];
        } else {
            out.push_str(&rest[..start]);
            out.push_str(&value.to_string());
            rest = &rest[end + 1..];
        }
    }
    out.push_str(rest);
    serde_json::from_str::<Value>(&out).map_err(|e| format!("the rendered input is not JSON ({e}): {out}"))?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn quoted_placeholders_are_strings_and_bare_ones_json() {
        let event = json!({"eventName": "INSERT", "dynamodb": {"Keys": {"pk": {"S": "CONV#\"1"}}}});
        let rendered =
            render(r#"{"e": "<$.eventName>", "pk": "<$.dynamodb.Keys.pk.S>", "keys": <$.dynamodb.Keys>}"#, &event)
                .unwrap();
        let value: Value = serde_json::from_str(&rendered).unwrap();
        assert_eq!(value, json!({"e": "INSERT", "pk": "CONV#\"1", "keys": {"pk": {"S": "CONV#\"1"}}}));
        assert!(render("{\"a\": \"<$.x", &event).is_err());
    }
}
