//! The filter table (`tv_api::filter_table!`) and the spec agree: every timeseries
//! operation takes exactly the filters of one family, and every filter the spec has is
//! in the table.

use std::collections::BTreeSet;

use serde_yaml::Value;
use tv_api::filters::{CLIENT_FILTERS, SCOPE_FILTERS, SERVER_FILTERS, all_filters};

/// The spec, as YAML.
fn spec() -> Value {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../openapi/traceview-v2.yaml"
    );
    let text = std::fs::read_to_string(path).expect("the spec is readable");
    serde_yaml::from_str(&text).expect("the spec is YAML")
}

/// The query parameter names of one operation (references resolved).
fn query_parameters(spec: &Value, operation: &Value) -> Vec<String> {
    let Some(parameters) = operation["parameters"].as_sequence() else {
        return Vec::new();
    };
    parameters
        .iter()
        .map(|parameter| match parameter["$ref"].as_str() {
            Some(reference) => {
                let name = reference
                    .strip_prefix("#/components/parameters/")
                    .expect("parameters are referenced from components");
                spec["components"]["parameters"][name].clone()
            }
            None => parameter.clone(),
        })
        .filter(|parameter| parameter["in"].as_str() == Some("query"))
        .map(|parameter| parameter["name"].as_str().expect("named").to_owned())
        .collect()
}

/// `(operationId, filters)` of every operation that takes a `time_window`.
fn timeseries_operations() -> Vec<(String, Vec<String>)> {
    let spec = spec();
    let mut found = Vec::new();
    for (_, item) in spec["paths"].as_mapping().expect("paths") {
        for (_, operation) in item.as_mapping().expect("a path item") {
            if !operation.is_mapping() {
                continue;
            }
            let names = query_parameters(&spec, operation);
            if !names.iter().any(|name| name == "time_window") {
                continue;
            }
            let filters = names
                .into_iter()
                .filter(|name| !matches!(name.as_str(), "time_window" | "time_end" | "key"))
                .collect();
            let id = operation["operationId"].as_str().expect("an operationId");
            found.push((id.to_owned(), filters));
        }
    }
    found
}

fn family(parts: &[&[&str]]) -> Vec<String> {
    parts
        .iter()
        .flat_map(|p| p.iter())
        .map(|s| s.to_string())
        .collect()
}

#[test]
fn every_timeseries_operation_takes_one_family_of_the_table() {
    let families = [
        family(&[SCOPE_FILTERS]),
        family(&[SCOPE_FILTERS, SERVER_FILTERS]),
        family(&[SCOPE_FILTERS, SERVER_FILTERS, CLIENT_FILTERS]),
    ];
    let operations = timeseries_operations();
    assert!(operations.len() >= 8, "found {operations:?}");
    for (id, filters) in &operations {
        assert!(
            families.contains(filters),
            "{id} takes {filters:?}, which is not a family of tv_api::filter_table! \
             (in the table's order)"
        );
    }
}

#[test]
fn every_filter_of_the_spec_is_in_the_table_and_used() {
    let in_spec: BTreeSet<String> = timeseries_operations()
        .into_iter()
        .flat_map(|(_, filters)| filters)
        .collect();
    let in_table: BTreeSet<String> = all_filters().map(str::to_owned).collect();
    assert_eq!(in_spec, in_table);
}
