//! Generation of `crates/tv-api/src/generated_filters.rs`: the filter groups of the
//! timeseries endpoints, from the spec's marks.
//!
//! A query parameter marked `x-tv-filter: "<help>"` is a traffic filter; an operation
//! marked `x-tv-filter-group: <family>` takes `time_window`, `time_end` and its
//! family's filters. The families must be nested (each one's filters extend a smaller
//! one's, in the same order): tv-client's typed filters and tv's flags rely on it.
//! The output is plain data and types: `FilterParam`, `FilterGroup` (with the table of
//! which family takes which filters and which operations are in it), one plain struct
//! of values per family, and the `TimeseriesRequest` impls that put a family's values on
//! the generated request builders.

use std::collections::BTreeMap;
use std::fmt::Write;

use anyhow::{Context, Result, bail, ensure};
use openapiv3::{OpenAPI, Parameter, ParameterData, ReferenceOr};

/// The generated file, relative to the workspace root.
pub const FILTERS_PATH: &str = "crates/tv-api/src/generated_filters.rs";

/// The extension that marks a filter parameter (its value: one line of help).
const FILTER_MARK: &str = "x-tv-filter";
/// The extension that puts an operation into a filter family.
const GROUP_MARK: &str = "x-tv-filter-group";

/// A filter parameter as the spec marks it.
#[derive(Debug, Clone, PartialEq)]
struct Param {
    name: String,
    help: String,
}

/// A family: its name, filters and operations.
#[derive(Debug, Default)]
struct Group {
    name: String,
    params: Vec<String>,
    operations: Vec<String>,
}

/// Reads the marks and generates the text of the file (before formatting).
fn source(spec: &OpenAPI) -> Result<String> {
    let (params, groups) = read_marks(spec)?;
    let mut out = String::new();
    write_params(&mut out, &params);
    write_groups(&mut out, &params, &groups);
    for group in &groups {
        write_struct(&mut out, &params, group);
    }
    write_requests(&mut out, &groups);
    Ok(out)
}

/// Generates the formatted text of `generated_filters.rs` (without the header).
pub fn generate(spec: &OpenAPI) -> Result<String> {
    let text = source(spec)?;
    let file: syn::File = syn::parse_str(&text).context("the filter code does not parse")?;
    Ok(prettyplease::unparse(&file))
}

fn resolve<'a>(spec: &'a OpenAPI, parameter: &'a ReferenceOr<Parameter>) -> Result<&'a Parameter> {
    match parameter {
        ReferenceOr::Item(p) => Ok(p),
        ReferenceOr::Reference { reference } => {
            let name = reference
                .strip_prefix("#/components/parameters/")
                .with_context(|| format!("unexpected parameter reference {reference}"))?;
            spec.components
                .as_ref()
                .and_then(|c| c.parameters.get(name))
                .and_then(ReferenceOr::as_item)
                .with_context(|| format!("no parameter {name} in components"))
        }
    }
}

fn query_data(parameter: &Parameter) -> Option<&ParameterData> {
    match parameter {
        Parameter::Query { parameter_data, .. } => Some(parameter_data),
        _ => None,
    }
}

/// The marked parameters (in the order the largest family lists them) and families
/// (smallest first), checked: every family's operations take the same filters, the
/// families nest, and every marked operation takes `time_window` and `time_end`.
fn read_marks(spec: &OpenAPI) -> Result<(Vec<Param>, Vec<Group>)> {
    let mut params: Vec<Param> = Vec::new();
    let mut groups: BTreeMap<String, Group> = BTreeMap::new();
    for (path, method, operation) in spec.operations() {
        let id = operation.operation_id.clone().unwrap_or_default();
        let mut filters = Vec::new();
        let mut window_and_end = 0;
        for parameter in &operation.parameters {
            let Some(data) = query_data(resolve(spec, parameter)?) else {
                continue;
            };
            if matches!(data.name.as_str(), "time_window" | "time_end") {
                window_and_end += 1;
            }
            let Some(help) = data.extensions.get(FILTER_MARK) else {
                continue;
            };
            let help = help
                .as_str()
                .with_context(|| format!("{FILTER_MARK} of {} is not a string", data.name))?;
            let param = Param {
                name: data.name.clone(),
                help: help.to_owned(),
            };
            match params.iter().find(|p| p.name == param.name) {
                Some(known) if *known != param => {
                    bail!("filter {} has two helps", param.name)
                }
                Some(_) => {}
                None => params.push(param),
            }
            filters.push(data.name.clone());
        }
        let Some(group) = operation.extensions.get(GROUP_MARK) else {
            ensure!(
                filters.is_empty(),
                "{id} ({method} {path}) takes filters but has no {GROUP_MARK}"
            );
            continue;
        };
        let group = group
            .as_str()
            .with_context(|| format!("{GROUP_MARK} of {id} is not a string"))?;
        ensure!(
            window_and_end == 2,
            "{id} is in filter family {group} but lacks time_window or time_end"
        );
        let entry = groups.entry(group.to_owned()).or_insert_with(|| Group {
            name: group.to_owned(),
            params: filters.clone(),
            operations: Vec::new(),
        });
        ensure!(
            entry.params == filters,
            "{id} takes {filters:?}, other operations of family {group} take {:?}",
            entry.params
        );
        entry.operations.push(id);
    }
    let mut groups: Vec<Group> = groups.into_values().collect();
    groups.sort_by_key(|g| g.params.len());
    for pair in groups.windows(2) {
        ensure!(
            pair[1].params.starts_with(&pair[0].params),
            "filter family {} does not extend {} ({:?} vs {:?})",
            pair[1].name,
            pair[0].name,
            pair[1].params,
            pair[0].params
        );
    }
    if let Some(largest) = groups.last() {
        params.sort_by_key(|p| largest.params.iter().position(|n| *n == p.name));
    }
    for group in &mut groups {
        group.operations.sort();
    }
    Ok((params, groups))
}

/// `snake_case` → `CamelCase`.
fn camel(name: &str) -> String {
    name.split('_')
        .map(|part| {
            let mut chars = part.chars();
            chars
                .next()
                .map(|c| c.to_ascii_uppercase().to_string() + chars.as_str())
                .unwrap_or_default()
        })
        .collect()
}

fn params_struct(group: &Group) -> String {
    format!("{}Params", camel(&group.name))
}

fn write_params(out: &mut String, params: &[Param]) {
    let _ = writeln!(
        out,
        "/// A filter parameter of the timeseries endpoints (marked `{FILTER_MARK}` in the spec)."
    );
    out.push_str("#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]\n");
    out.push_str("pub enum FilterParam {\n");
    for p in params {
        let _ = writeln!(out, "/// `{}`: {}\n{},", p.name, p.help, camel(&p.name));
    }
    out.push_str("}\n\nimpl FilterParam {\n");
    let _ = writeln!(
        out,
        "/// Every filter parameter, in the spec's order.\npub const ALL: [FilterParam; {}] = [{}];",
        params.len(),
        params
            .iter()
            .map(|p| format!("FilterParam::{}", camel(&p.name)))
            .collect::<Vec<_>>()
            .join(", ")
    );
    out.push_str("/// The query parameter's name.\npub const fn name(self) -> &'static str {\nmatch self {\n");
    for p in params {
        let _ = writeln!(out, "FilterParam::{} => {:?},", camel(&p.name), p.name);
    }
    out.push_str("}\n}\n");
    let _ = writeln!(
        out,
        "/// One line of help (the parameter's `{FILTER_MARK}`), for flags and docs.\npub const fn help(self) -> &'static str {{\nmatch self {{"
    );
    for p in params {
        let _ = writeln!(out, "FilterParam::{} => {:?},", camel(&p.name), p.help);
    }
    out.push_str("}\n}\n}\n\n");
}

fn write_groups(out: &mut String, params: &[Param], groups: &[Group]) {
    let _ = writeln!(
        out,
        "/// A family of timeseries endpoints, by the filters they take (`{GROUP_MARK}` in the\n\
         /// spec). Each family takes its parent's filters and more:\n///\n\
         /// | family | filters | operations |\n/// |---|---|---|"
    );
    for group in groups {
        let _ = writeln!(
            out,
            "/// | `{}` | {} | {} |",
            group.name,
            group
                .params
                .iter()
                .map(|p| format!("`{p}`"))
                .collect::<Vec<_>>()
                .join(", "),
            group
                .operations
                .iter()
                .map(|o| format!("`{o}`"))
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    out.push_str("#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]\n");
    out.push_str("pub enum FilterGroup {\n");
    for group in groups {
        let _ = writeln!(out, "/// `{}`\n{},", group.name, camel(&group.name));
    }
    out.push_str("}\n\nimpl FilterGroup {\n");
    let variant = |g: &Group| format!("FilterGroup::{}", camel(&g.name));
    let param = |name: &str| {
        let known = params.iter().any(|p| p.name == name);
        debug_assert!(known);
        format!("FilterParam::{}", camel(name))
    };
    let _ = writeln!(
        out,
        "/// Every family, smallest first.\npub const ALL: [FilterGroup; {}] = [{}];",
        groups.len(),
        groups.iter().map(variant).collect::<Vec<_>>().join(", ")
    );
    out.push_str("/// The family's name in the spec.\npub const fn name(self) -> &'static str {\nmatch self {\n");
    for g in groups {
        let _ = writeln!(out, "{} => {:?},", variant(g), g.name);
    }
    out.push_str("}\n}\n/// The filters the family's endpoints take, in the spec's order.\npub const fn params(self) -> &'static [FilterParam] {\nmatch self {\n");
    for g in groups {
        let list: Vec<String> = g.params.iter().map(|p| param(p)).collect();
        let _ = writeln!(out, "{} => &[{}],", variant(g), list.join(", "));
    }
    out.push_str("}\n}\n/// The family whose filters this one extends (`None` for the smallest).\npub const fn parent(self) -> Option<FilterGroup> {\nmatch self {\n");
    for (k, g) in groups.iter().enumerate() {
        let parent = match k.checked_sub(1) {
            Some(p) => format!("Some({})", variant(&groups[p])),
            None => "None".to_owned(),
        };
        let _ = writeln!(out, "{} => {parent},", variant(g));
    }
    out.push_str("}\n}\n/// The filters this family adds to its parent's.\npub const fn own_params(self) -> &'static [FilterParam] {\nmatch self {\n");
    for (k, g) in groups.iter().enumerate() {
        let skip = k.checked_sub(1).map_or(0, |p| groups[p].params.len());
        let list: Vec<String> = g.params[skip..].iter().map(|p| param(p)).collect();
        let _ = writeln!(out, "{} => &[{}],", variant(g), list.join(", "));
    }
    out.push_str("}\n}\n/// The family's operations (operationIds).\npub const fn operations(self) -> &'static [&'static str] {\nmatch self {\n");
    for g in groups {
        let list: Vec<String> = g.operations.iter().map(|o| format!("{o:?}")).collect();
        let _ = writeln!(out, "{} => &[{}],", variant(g), list.join(", "));
    }
    out.push_str("}\n}\n}\n\n");
}

fn write_struct(out: &mut String, params: &[Param], group: &Group) {
    let name = params_struct(group);
    let _ = writeln!(
        out,
        "/// The filter values of a request of the `{}` family; `None` is not given.\n\
         #[derive(Debug, Clone, Default, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]\n\
         #[cfg_attr(feature = \"schemars\", derive(schemars::JsonSchema))]\n\
         pub struct {name} {{",
        group.name
    );
    for p in &group.params {
        let help = params
            .iter()
            .find(|q| q.name == *p)
            .map(|q| q.help.as_str())
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "/// {help}\n#[serde(default, skip_serializing_if = \"Option::is_none\")]\npub {p}: Option<String>,"
        );
    }
    let _ = writeln!(
        out,
        "}}\n\nimpl crate::filters::FilterParams for {name} {{\n\
         const GROUP: FilterGroup = FilterGroup::{};\n\
         fn get(&self, param: FilterParam) -> Option<&str> {{\nmatch param {{",
        camel(&group.name)
    );
    for p in &group.params {
        let _ = writeln!(out, "FilterParam::{} => self.{p}.as_deref(),", camel(p));
    }
    if group.params.len() < params.len() {
        out.push_str("_ => None,\n");
    }
    out.push_str("}\n}\nfn slot(&mut self, param: FilterParam) -> Option<&mut Option<String>> {\nmatch param {\n");
    for p in &group.params {
        let _ = writeln!(out, "FilterParam::{} => Some(&mut self.{p}),", camel(p));
    }
    if group.params.len() < params.len() {
        out.push_str("_ => None,\n");
    }
    out.push_str("}\n}\n}\n\n");
}

fn write_requests(out: &mut String, groups: &[Group]) {
    for group in groups {
        let name = params_struct(group);
        for operation in &group.operations {
            let _ = writeln!(
                out,
                "impl crate::filters::TimeseriesRequest for crate::builder::{}<'_> {{\n\
                 type Params = {name};\n\
                 fn with_window(self, window: crate::types::TimeWindow) -> Self {{\nself.time_window(window)\n}}\n\
                 fn with_end(self, end: String) -> Self {{\nself.time_end(end)\n}}\n\
                 fn with_filters(self, params: &{name}) -> Self {{\nlet mut request = self;",
                camel(operation)
            );
            for p in &group.params {
                let _ = writeln!(
                    out,
                    "if let Some(value) = &params.{p} {{\nrequest = request.{p}(value.clone());\n}}"
                );
            }
            out.push_str("request\n}\n}\n\n");
        }
    }
}
