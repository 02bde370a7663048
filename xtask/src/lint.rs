//! House rules for `openapi/traceview-v2.yaml`, checked before every generation.
//!
//! Each problem names where it is (an operation, a schema or a parameter) and the
//! rule it breaks, so a failing lint says exactly what to fix.

use std::collections::BTreeSet;
use std::fmt;

use serde_json::Value;

use crate::schema_check;

/// Tags an operation may carry: one per group of the API reference.
pub const TAGS: [&str; 8] = [
    "discovery",
    "hosts",
    "apps",
    "annotations",
    "organization",
    "errors",
    "requests",
    "latency",
];

const METHODS: [&str; 5] = ["get", "post", "put", "patch", "delete"];

/// One broken rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// Where: `operation list_apps (GET /apps)`, `schema Host`, ...
    pub location: String,
    /// The rule's short name, e.g. `has-description`.
    pub rule: &'static str,
    /// What is wrong, for people.
    pub detail: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: [{}] {}", self.location, self.rule, self.detail)
    }
}

/// Lints a spec already parsed into JSON values. An empty result means it passes.
pub fn lint(spec: &Value) -> Vec<Problem> {
    let mut problems = Vec::new();
    let mut push = |location: &str, rule: &'static str, detail: String| {
        problems.push(Problem {
            location: location.to_string(),
            rule,
            detail,
        });
    };

    if spec.get("openapi").and_then(Value::as_str) != Some("3.0.3") {
        push(
            "document",
            "openapi-3.0.3",
            "`openapi` must be \"3.0.3\" (progenitor rejects 3.1)".into(),
        );
    }
    let mut seen_ids = BTreeSet::new();
    let paths = spec.get("paths").and_then(Value::as_object);
    for (path, item) in paths.into_iter().flatten() {
        for method in METHODS {
            let Some(op) = item.get(method) else { continue };
            let id = op.get("operationId").and_then(Value::as_str);
            let location = format!(
                "operation {} ({} {path})",
                id.unwrap_or("<no operationId>"),
                method.to_uppercase()
            );
            for problem in lint_operation(spec, method, op) {
                push(&location, problem.0, problem.1);
            }
            if let Some(id) = id
                && !seen_ids.insert(id.to_string())
            {
                push(
                    &location,
                    "unique-operation-id",
                    format!("operationId `{id}` is used twice"),
                );
            }
        }
    }
    let mut slips = Vec::new();
    find_null_keys(spec, "", &mut slips);
    for pointer in slips {
        push(
            &format!("at {pointer}"),
            "no-null-keys",
            "a key without a value; an unquoted comma inside `{ ... }` splits a description".into(),
        );
    }
    for (location, example, schema) in collect_examples(spec) {
        for error in schema_check::validate(spec, &schema, &example) {
            push(&location, "example-matches-schema", error);
        }
    }
    problems
}

/// The one schema of string path parameters: it refuses `.` and `..`.
const PATH_SEGMENT_SCHEMA: &str = "#/components/schemas/PathSegment";

fn lint_operation(spec: &Value, method: &str, op: &Value) -> Vec<(&'static str, String)> {
    let mut out = Vec::new();
    match op.get("operationId").and_then(Value::as_str) {
        None => out.push((
            "has-operation-id",
            "every operation needs an operationId".into(),
        )),
        Some(id) if !is_snake_case(id) => out.push((
            "snake-case-operation-id",
            format!("`{id}` is not snake_case"),
        )),
        Some(_) => {}
    }
    let tags: Vec<&str> = op
        .get("tags")
        .and_then(Value::as_array)
        .map(|t| t.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    if tags.len() != 1 {
        out.push((
            "one-tag",
            format!("expected exactly one tag, found {}", tags.len()),
        ));
    }
    for tag in tags {
        if !TAGS.contains(&tag) {
            out.push(("known-tag", format!("tag `{tag}` is not one of {TAGS:?}")));
        }
    }
    for field in ["summary", "description"] {
        let text = op.get(field).and_then(Value::as_str).unwrap_or("").trim();
        if text.is_empty() {
            let rule = if field == "summary" {
                "has-summary"
            } else {
                "has-description"
            };
            out.push((rule, format!("`{field}` is missing or empty")));
        }
    }
    let responses = op.get("responses").and_then(Value::as_object);
    let has = |code: &str| responses.is_some_and(|r| r.contains_key(code));
    let ok_json = op
        .pointer("/responses/200")
        .map(|r| resolve(spec, r))
        .and_then(|r| r.pointer("/content/application~1json/schema"));
    if ok_json.is_none() {
        out.push((
            "has-200-json",
            "a `200` response with an application/json schema is required".into(),
        ));
    }
    for code in ["4XX", "5XX"] {
        if !has(code) {
            out.push((
                "has-error-responses",
                format!("a `{code}` error response is required"),
            ));
        }
    }
    if has("default") {
        out.push((
            "no-default-response",
            "use `4XX`/`5XX` instead of `default` (progenitor panics on `default` next to `200`)"
                .into(),
        ));
    }
    for parameter in op
        .get("parameters")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let parameter = resolve(spec, parameter);
        if parameter.get("in").and_then(Value::as_str) != Some("path") {
            continue;
        }
        let schema = parameter.get("schema");
        let is_segment =
            schema.and_then(|s| s.get("$ref")).and_then(Value::as_str) == Some(PATH_SEGMENT_SCHEMA);
        let is_integer = schema.map(|s| resolve(spec, s)).and_then(|s| s.get("type"))
            == Some(&Value::from("integer"));
        if !is_segment && !is_integer {
            let name = parameter.get("name").and_then(Value::as_str).unwrap_or("?");
            out.push((
                "path-parameter-segment",
                format!(
                    "path parameter `{name}` is neither an integer nor `{PATH_SEGMENT_SCHEMA}` \
                     (which refuses the dot segments a URL parser resolves)"
                ),
            ));
        }
    }
    if method == "post" {
        let form = op
            .get("requestBody")
            .map(|b| resolve(spec, b))
            .and_then(|b| b.pointer("/content/application~1x-www-form-urlencoded"));
        if form.is_none() {
            out.push((
                "form-body",
                "POST bodies are application/x-www-form-urlencoded".into(),
            ));
        }
    }
    out
}

/// Collects JSON pointers of keys whose value is null outside examples, defaults and
/// enums: in a YAML flow mapping, `description: a, b` silently becomes two keys.
fn find_null_keys(value: &Value, pointer: &str, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (key, child) in map {
                if matches!(key.as_str(), "example" | "examples" | "default" | "enum") {
                    continue;
                }
                let child_pointer =
                    format!("{pointer}/{}", key.replace('~', "~0").replace('/', "~1"));
                if child.is_null() {
                    out.push(child_pointer);
                } else {
                    find_null_keys(child, &child_pointer, out);
                }
            }
        }
        Value::Array(items) => {
            for (i, child) in items.iter().enumerate() {
                find_null_keys(child, &format!("{pointer}/{i}"), out);
            }
        }
        _ => {}
    }
}

fn is_snake_case(id: &str) -> bool {
    !id.is_empty()
        && id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        && !id.starts_with('_')
}

/// Follows a local `$ref` (`#/components/...`) one or more times.
pub fn resolve<'a>(spec: &'a Value, value: &'a Value) -> &'a Value {
    let mut current = value;
    for _ in 0..16 {
        let Some(reference) = current.get("$ref").and_then(Value::as_str) else {
            break;
        };
        match reference
            .strip_prefix('#')
            .and_then(|pointer| spec.pointer(pointer))
        {
            Some(target) => current = target,
            None => break,
        }
    }
    current
}

/// Every example in the document with its location and the schema it must match.
fn collect_examples(spec: &Value) -> Vec<(String, Value, Value)> {
    let mut found = Vec::new();
    let schemas = spec
        .pointer("/components/schemas")
        .and_then(Value::as_object);
    for (name, schema) in schemas.into_iter().flatten() {
        if let Some(example) = schema.get("example") {
            found.push((format!("schema {name}"), example.clone(), schema.clone()));
        }
        let properties = schema.get("properties").and_then(Value::as_object);
        for (prop, prop_schema) in properties.into_iter().flatten() {
            if let Some(example) = prop_schema.get("example") {
                found.push((
                    format!("schema {name}.{prop}"),
                    example.clone(),
                    prop_schema.clone(),
                ));
            }
        }
    }
    let parameters = spec
        .pointer("/components/parameters")
        .and_then(Value::as_object);
    for (name, parameter) in parameters.into_iter().flatten() {
        if let (Some(example), Some(schema)) = (parameter.get("example"), parameter.get("schema")) {
            found.push((format!("parameter {name}"), example.clone(), schema.clone()));
        }
    }
    let paths = spec.get("paths").and_then(Value::as_object);
    for (path, item) in paths.into_iter().flatten() {
        for method in METHODS {
            let Some(op) = item.get(method) else { continue };
            let id = op.get("operationId").and_then(Value::as_str).unwrap_or("?");
            let responses = op.get("responses").and_then(Value::as_object);
            for (code, response) in responses.into_iter().flatten() {
                let response = resolve(spec, response);
                let content = response.get("content").and_then(Value::as_object);
                for (media, body) in content.into_iter().flatten() {
                    let Some(schema) = body.get("schema") else {
                        continue;
                    };
                    let location = format!(
                        "operation {id} ({} {path}) response {code} {media}",
                        method.to_uppercase()
                    );
                    if let Some(example) = body.get("example") {
                        found.push((location.clone(), example.clone(), schema.clone()));
                    }
                    let named = body.get("examples").and_then(Value::as_object);
                    for (example_name, example) in named.into_iter().flatten() {
                        if let Some(value) = resolve(spec, example).get("value") {
                            found.push((
                                format!("{location} example {example_name}"),
                                value.clone(),
                                schema.clone(),
                            ));
                        }
                    }
                }
            }
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::lint;

    fn spec_with(operation: serde_json::Value) -> serde_json::Value {
        json!({
            "openapi": "3.0.3",
            "paths": {"/apps": {"get": operation}},
            "components": {"schemas": {"Names": {"type": "array", "items": {"type": "string"}}}}
        })
    }

    fn good_operation() -> serde_json::Value {
        json!({
            "operationId": "list_apps", "tags": ["discovery"], "summary": "s", "description": "d",
            "responses": {
                "200": {"description": "ok", "content": {"application/json": {
                    "schema": {"$ref": "#/components/schemas/Names"}, "example": ["Default"]}}},
                "4XX": {"description": "e"}, "5XX": {"description": "e"}
            }
        })
    }

    #[test]
    fn a_complete_operation_passes() {
        assert_eq!(lint(&spec_with(good_operation())), vec![]);
    }

    #[test]
    fn a_failure_names_the_operation_and_the_rule() {
        let mut op = good_operation();
        op["description"] = json!("");
        op["tags"] = json!(["misc"]);
        op["responses"].as_object_mut().map(|r| r.remove("5XX"));
        let problems: Vec<String> = lint(&spec_with(op))
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(
            problems,
            vec![
                "operation list_apps (GET /apps): [known-tag] tag `misc` is not one of [\"discovery\", \"hosts\", \"apps\", \"annotations\", \"organization\", \"errors\", \"requests\", \"latency\"]",
                "operation list_apps (GET /apps): [has-description] `description` is missing or empty",
                "operation list_apps (GET /apps): [has-error-responses] a `5XX` error response is required",
            ]
        );
    }

    #[test]
    fn an_example_must_match_its_schema() {
        let mut op = good_operation();
        op["responses"]["200"]["content"]["application/json"]["example"] = json!(["Default", 3]);
        let problems = lint(&spec_with(op));
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].rule, "example-matches-schema");
        assert!(
            problems[0].detail.contains("$[1]: expected a string"),
            "{}",
            problems[0]
        );
    }

    #[test]
    fn a_comma_split_description_is_caught() {
        let mut spec = spec_with(good_operation());
        spec["components"]["schemas"]["Names"]["description"] = json!("Names");
        spec["components"]["schemas"]["Names"][" and more"] = json!(null);
        let problems: Vec<String> = lint(&spec).iter().map(ToString::to_string).collect();
        assert_eq!(problems.len(), 1);
        assert!(problems[0].starts_with("at /components/schemas/Names/ and more: [no-null-keys]"));
    }

    #[test]
    fn default_responses_and_missing_ids_are_refused() {
        let mut op = good_operation();
        op.as_object_mut().map(|o| o.remove("operationId"));
        op["responses"]["default"] = json!({"description": "e"});
        let rules: Vec<&str> = lint(&spec_with(op)).iter().map(|p| p.rule).collect();
        assert_eq!(rules, vec!["has-operation-id", "no-default-response"]);
    }

    #[test]
    fn a_string_path_parameter_must_be_a_path_segment() {
        let mut op = good_operation();
        op["parameters"] = json!([
            {"name": "app", "in": "path", "required": true, "schema": {"type": "string"}},
            {"name": "id", "in": "path", "required": true, "schema": {"type": "integer"}},
            {"name": "name", "in": "path", "required": true,
             "schema": {"$ref": "#/components/schemas/PathSegment"}}
        ]);
        let problems: Vec<String> = lint(&spec_with(op))
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert!(
            problems[0].contains("[path-parameter-segment] path parameter `app`"),
            "{}",
            problems[0]
        );
    }
}
