//! A plain-text listing of the API surface (operations, methods, paths, parameters),
//! snapshot-tested so that any change to the public API shows up in review.

use std::fmt::Write;

use openapiv3::{OpenAPI, Parameter, ReferenceOr};

/// One line per operation, sorted by operationId, then one indented line per parameter
/// and request body field: `name (in, type, required|optional)` (numbers with their
/// bounds), whether the body is required, and the schema of the `200` answer.
pub fn describe(spec: &OpenAPI) -> String {
    let mut operations: Vec<(String, String)> = spec
        .operations()
        .map(|(path, method, op)| {
            let id = op.operation_id.clone().unwrap_or_default();
            let mut text = format!("{id}: {} {path}\n", method.to_uppercase());
            for parameter in &op.parameters {
                if let Some(data) = resolve_parameter(spec, parameter) {
                    let (location, data) = data;
                    let kind = schema_kind(spec, &data.format);
                    let need = if data.required {
                        "required"
                    } else {
                        "optional"
                    };
                    let _ = writeln!(text, "    {} ({location}, {kind}, {need})", data.name);
                }
            }
            if let Some(body) = &op.request_body {
                describe_body(spec, body, &mut text);
            }
            describe_answer(op, &mut text);
            (id, text)
        })
        .collect();
    operations.sort();
    operations.into_iter().map(|(_, text)| text).collect()
}

fn resolve_parameter<'a>(
    spec: &'a OpenAPI,
    parameter: &'a ReferenceOr<Parameter>,
) -> Option<(&'static str, &'a openapiv3::ParameterData)> {
    let parameter = match parameter {
        ReferenceOr::Item(p) => p,
        ReferenceOr::Reference { reference } => {
            let name = reference.rsplit('/').next()?;
            spec.components.as_ref()?.parameters.get(name)?.as_item()?
        }
    };
    Some(match parameter {
        Parameter::Query { parameter_data, .. } => ("query", parameter_data),
        Parameter::Path { parameter_data, .. } => ("path", parameter_data),
        Parameter::Header { parameter_data, .. } => ("header", parameter_data),
        Parameter::Cookie { parameter_data, .. } => ("cookie", parameter_data),
    })
}

fn schema_kind(spec: &OpenAPI, format: &openapiv3::ParameterSchemaOrContent) -> String {
    match format {
        openapiv3::ParameterSchemaOrContent::Schema(schema) => schema_name(spec, schema),
        openapiv3::ParameterSchemaOrContent::Content(_) => "content".into(),
    }
}

fn schema_name(spec: &OpenAPI, schema: &ReferenceOr<openapiv3::Schema>) -> String {
    use openapiv3::{SchemaKind, Type};
    match schema {
        ReferenceOr::Reference { reference } => {
            let name = reference.rsplit('/').next().unwrap_or(reference);
            let target = spec.components.as_ref().and_then(|c| c.schemas.get(name));
            match target
                .and_then(ReferenceOr::as_item)
                .map(|s| &s.schema_kind)
            {
                Some(SchemaKind::Type(Type::String(s))) if !s.enumeration.is_empty() => {
                    let values: Vec<&str> =
                        s.enumeration.iter().flatten().map(String::as_str).collect();
                    format!("{name} = {}", values.join("|"))
                }
                _ => name.to_string(),
            }
        }
        ReferenceOr::Item(item) => match &item.schema_kind {
            SchemaKind::Type(Type::String(_)) => "string".into(),
            SchemaKind::Type(Type::Integer(i)) => {
                format!("integer{}", bounds(i.minimum, i.maximum))
            }
            SchemaKind::Type(Type::Number(n)) => format!("number{}", bounds(n.minimum, n.maximum)),
            SchemaKind::Type(Type::Boolean(_)) => "boolean".into(),
            SchemaKind::Type(Type::Array(_)) => "array".into(),
            SchemaKind::Type(Type::Object(_)) => "object".into(),
            _ => "schema".into(),
        },
    }
}

/// ` 0..9` for bounded numbers, empty otherwise.
fn bounds<T: std::fmt::Display>(minimum: Option<T>, maximum: Option<T>) -> String {
    match (minimum, maximum) {
        (None, None) => String::new(),
        (min, max) => format!(
            " {}..{}",
            min.map(|v| v.to_string()).unwrap_or_default(),
            max.map(|v| v.to_string()).unwrap_or_default()
        ),
    }
}

/// `    200: SchemaName` for the success answer.
fn describe_answer(op: &openapiv3::Operation, text: &mut String) {
    let ok = op
        .responses
        .responses
        .get(&openapiv3::StatusCode::Code(200))
        .and_then(ReferenceOr::as_item);
    for content in ok.iter().flat_map(|r| r.content.values()) {
        if let Some(ReferenceOr::Reference { reference }) = &content.schema {
            let name = reference.rsplit('/').next().unwrap_or(reference);
            let _ = writeln!(text, "    200: {name}");
        }
    }
}

fn describe_body(spec: &OpenAPI, body: &ReferenceOr<openapiv3::RequestBody>, text: &mut String) {
    let Some(body) = body.as_item() else { return };
    let need = if body.required {
        "required"
    } else {
        "optional"
    };
    for (media, content) in &body.content {
        let Some(ReferenceOr::Reference { reference }) = &content.schema else {
            continue;
        };
        let name = reference.rsplit('/').next().unwrap_or(reference);
        let _ = writeln!(text, "    body {media} ({need}): {name}");
        let schema = spec.components.as_ref().and_then(|c| c.schemas.get(name));
        let Some(schema) = schema.and_then(ReferenceOr::as_item) else {
            continue;
        };
        if let openapiv3::SchemaKind::Type(openapiv3::Type::Object(object)) = &schema.schema_kind {
            for (field, field_schema) in &object.properties {
                let need = if object.required.contains(field) {
                    "required"
                } else {
                    "optional"
                };
                let kind = schema_name(spec, &field_schema.clone().unbox());
                let _ = writeln!(text, "      {field} ({kind}, {need})");
            }
        }
    }
}
