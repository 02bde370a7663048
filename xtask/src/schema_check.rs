//! Validation of example values against OpenAPI 3.0 schema objects.
//!
//! OpenAPI 3.0 schemas are not JSON Schema (they have `nullable`, and `$ref` points
//! into `components`), so a JSON Schema validator would need a translation layer that
//! is longer than this checker of the subset the spec uses: `$ref`, `type`,
//! `nullable`, `enum`, `properties`, `required`, `additionalProperties`, `items`,
//! `allOf`/`oneOf`/`anyOf`, numeric and length bounds.

use serde_json::Value;

use crate::lint::resolve;

/// Checks `value` against `schema`; each returned line names the JSON path that fails.
pub fn validate(spec: &Value, schema: &Value, value: &Value) -> Vec<String> {
    let mut errors = Vec::new();
    check(spec, schema, value, "$", &mut errors);
    errors
}

fn check(spec: &Value, schema: &Value, value: &Value, path: &str, errors: &mut Vec<String>) {
    let schema = resolve(spec, schema);
    if value.is_null() {
        if !schema
            .get("nullable")
            .and_then(Value::as_bool)
            .unwrap_or(false)
            && schema.get("type").is_some()
        {
            errors.push(format!("{path}: null but the schema is not nullable"));
        }
        return;
    }
    if let Some(all) = schema.get("allOf").and_then(Value::as_array) {
        for sub in all {
            check(spec, sub, value, path, errors);
        }
    }
    for key in ["oneOf", "anyOf"] {
        if let Some(options) = schema.get(key).and_then(Value::as_array) {
            let matching = options
                .iter()
                .filter(|s| validate(spec, s, value).is_empty())
                .count();
            let ok = if key == "oneOf" {
                matching == 1
            } else {
                matching >= 1
            };
            if !ok {
                errors.push(format!(
                    "{path}: matches {matching} of the {key} alternatives"
                ));
            }
        }
    }
    if let Some(allowed) = schema.get("enum").and_then(Value::as_array)
        && !allowed.contains(value)
    {
        errors.push(format!(
            "{path}: {value} is not one of {}",
            Value::Array(allowed.clone())
        ));
    }
    match schema.get("type").and_then(Value::as_str) {
        Some("string") => check_string(schema, value, path, errors),
        Some("integer") => match value.as_f64() {
            Some(n) if n.fract() == 0.0 => check_bounds(schema, n, path, errors),
            _ => errors.push(format!("{path}: expected an integer, found {value}")),
        },
        Some("number") => match value.as_f64() {
            Some(n) => check_bounds(schema, n, path, errors),
            None => errors.push(format!("{path}: expected a number, found {value}")),
        },
        Some("boolean") if !value.is_boolean() => {
            errors.push(format!("{path}: expected a boolean, found {value}"));
        }
        Some("array") => check_array(spec, schema, value, path, errors),
        Some("object") => check_object(spec, schema, value, path, errors),
        _ => {}
    }
}

fn check_string(schema: &Value, value: &Value, path: &str, errors: &mut Vec<String>) {
    let Some(text) = value.as_str() else {
        errors.push(format!("{path}: expected a string, found {value}"));
        return;
    };
    let length = text.chars().count() as u64;
    if let Some(max) = schema.get("maxLength").and_then(Value::as_u64)
        && length > max
    {
        errors.push(format!(
            "{path}: {length} characters, more than maxLength {max}"
        ));
    }
    if let Some(min) = schema.get("minLength").and_then(Value::as_u64)
        && length < min
    {
        errors.push(format!(
            "{path}: {length} characters, fewer than minLength {min}"
        ));
    }
}

fn check_bounds(schema: &Value, n: f64, path: &str, errors: &mut Vec<String>) {
    if let Some(min) = schema.get("minimum").and_then(Value::as_f64)
        && n < min
    {
        errors.push(format!("{path}: {n} is below the minimum {min}"));
    }
    if let Some(max) = schema.get("maximum").and_then(Value::as_f64)
        && n > max
    {
        errors.push(format!("{path}: {n} is above the maximum {max}"));
    }
}

fn check_array(spec: &Value, schema: &Value, value: &Value, path: &str, errors: &mut Vec<String>) {
    let Some(items) = value.as_array() else {
        errors.push(format!("{path}: expected an array, found {value}"));
        return;
    };
    if let Some(min) = schema.get("minItems").and_then(Value::as_u64)
        && (items.len() as u64) < min
    {
        errors.push(format!(
            "{path}: {} items, fewer than minItems {min}",
            items.len()
        ));
    }
    if let Some(max) = schema.get("maxItems").and_then(Value::as_u64)
        && (items.len() as u64) > max
    {
        errors.push(format!(
            "{path}: {} items, more than maxItems {max}",
            items.len()
        ));
    }
    if let Some(item_schema) = schema.get("items") {
        for (i, item) in items.iter().enumerate() {
            check(spec, item_schema, item, &format!("{path}[{i}]"), errors);
        }
    }
}

fn check_object(spec: &Value, schema: &Value, value: &Value, path: &str, errors: &mut Vec<String>) {
    let Some(object) = value.as_object() else {
        errors.push(format!("{path}: expected an object, found {value}"));
        return;
    };
    let required = schema.get("required").and_then(Value::as_array);
    for name in required.into_iter().flatten().filter_map(Value::as_str) {
        if !object.contains_key(name) {
            errors.push(format!("{path}: required property `{name}` is missing"));
        }
    }
    let properties = schema.get("properties").and_then(Value::as_object);
    for (name, field) in object {
        let field_path = format!("{path}.{name}");
        match properties.and_then(|p| p.get(name)) {
            Some(field_schema) => check(spec, field_schema, field, &field_path, errors),
            None => match schema.get("additionalProperties") {
                Some(Value::Bool(false)) => {
                    errors.push(format!("{field_path}: property not allowed by the schema"));
                }
                Some(extra) if extra.is_object() => check(spec, extra, field, &field_path, errors),
                _ => {}
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::validate;

    fn spec() -> serde_json::Value {
        json!({"components": {"schemas": {
            "Host": {"type": "object", "required": ["id", "name"], "properties": {
                "id": {"type": "integer"}, "name": {"type": "string"},
                "last_trace": {"type": "integer", "nullable": true}}},
            "Row": {"type": "array", "items": {"type": "number", "nullable": true}}
        }}})
    }

    #[test]
    fn accepts_a_matching_value() {
        let schema = json!({"$ref": "#/components/schemas/Host"});
        let value = json!({"id": 1, "name": "web", "last_trace": null});
        assert!(validate(&spec(), &schema, &value).is_empty());
    }

    #[test]
    fn names_the_failing_path() {
        let schema = json!({"type": "array", "items": {"$ref": "#/components/schemas/Host"}});
        let value = json!([{"id": 1, "name": "a"}, {"id": 1.5, "last_trace": "x"}]);
        let errors = validate(&spec(), &schema, &value);
        assert_eq!(
            errors,
            vec![
                "$[1]: required property `name` is missing",
                "$[1].id: expected an integer, found 1.5",
                "$[1].last_trace: expected an integer, found \"x\"",
            ]
        );
    }

    #[test]
    fn null_needs_nullable() {
        let schema = json!({"type": "string"});
        assert_eq!(validate(&spec(), &schema, &json!(null)).len(), 1);
        let row = json!({"$ref": "#/components/schemas/Row"});
        assert!(validate(&spec(), &row, &json!([1, null, 2.5])).is_empty());
    }

    #[test]
    fn enums_and_bounds() {
        let schema = json!({"type": "string", "enum": ["hour", "day"], "maxLength": 3});
        let errors = validate(&spec(), &schema, &json!("week"));
        assert_eq!(errors.len(), 2, "{errors:?}");
    }
}
