//! `tv schema COMMAND`: the JSON Schema of a command's `--output json`.

use schemars::schema::RootSchema;
use schemars::schema_for;

use super::listing::{HostList, Names};
use super::print_raw;
use super::timeseries::{
    ByLayerOutput, ErrorsOutput, LatencySeriesOutput, LatencySummaryOutput, RequestsOutput,
    RequestsSummaryOutput,
};
use crate::cli::SchemaTarget;
use crate::exit::{CliError, Exit};
use tv_client::workflow::{AppReport, AppsReport, CompareResult};

/// The schema of a command's JSON output.
pub fn schema(target: SchemaTarget) -> RootSchema {
    match target {
        SchemaTarget::Report => schema_for!(AppsReport),
        SchemaTarget::ReportApp => schema_for!(AppReport),
        SchemaTarget::Names => schema_for!(Names),
        SchemaTarget::Hosts => schema_for!(HostList),
        SchemaTarget::Versions => schema_for!(Vec<tv_client::InstrumentationVersion>),
        SchemaTarget::Annotations => schema_for!(Vec<tv_client::workflow::NamedAnnotation>),
        SchemaTarget::Org => schema_for!(tv_client::Organization),
        SchemaTarget::Users => schema_for!(Vec<tv_client::User>),
        SchemaTarget::Licenses => schema_for!(tv_client::Licenses),
        SchemaTarget::Errors => schema_for!(ErrorsOutput),
        SchemaTarget::Requests => schema_for!(RequestsOutput),
        SchemaTarget::RequestsSummary => schema_for!(RequestsSummaryOutput),
        SchemaTarget::LatencySeries => schema_for!(LatencySeriesOutput),
        SchemaTarget::LatencySummary => schema_for!(LatencySummaryOutput),
        SchemaTarget::ByLayer => schema_for!(ByLayerOutput),
        SchemaTarget::Compare => schema_for!(CompareResult),
        SchemaTarget::Chart => schema_for!(super::report_app::ChartOutput),
        SchemaTarget::DryRun => schema_for!(super::dry_run::DryRunOutput),
        SchemaTarget::AnnotateFile => schema_for!(Vec<super::annotate_file::LineResult>),
        SchemaTarget::Watch => schema_for!(super::watch_view::WatchFrame),
    }
}

/// Prints the schema of the command `words` name as pretty JSON on stdout.
pub fn print(words: &[String]) -> Result<Exit, CliError> {
    let target = SchemaTarget::from_words(words).ok_or_else(|| {
        let known: Vec<&str> = SchemaTarget::NAMES
            .iter()
            .map(|(_, names)| names[0])
            .collect();
        CliError::usage(format!(
            "no schema for `{}` (known: {})",
            crate::render::clean(&words.join(" ")),
            known.join(", ")
        ))
    })?;
    let text = serde_json::to_string_pretty(&schema(target))
        .map_err(|e| CliError::new(Exit::Runtime, format!("cannot serialize the schema: {e}")))?;
    print_raw(format!("{text}\n").as_bytes())
}
