//! The commands `tv schema` knows, by the words that name them.

/// Commands whose JSON output has a published schema.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SchemaTarget {
    /// `tv report` (all apps).
    Report,
    /// `tv report APP`.
    ReportApp,
    /// `tv apps`, `tv layers`, `tv discover`.
    Names,
    /// `tv hosts`.
    Hosts,
    /// `tv host versions`.
    Versions,
    /// `tv annotations`.
    Annotations,
    /// `tv org`.
    Org,
    /// `tv org users`.
    Users,
    /// `tv org licenses`.
    Licenses,
    /// `tv errors`.
    Errors,
    /// `tv requests`.
    Requests,
    /// `tv requests --summary`.
    RequestsSummary,
    /// `tv latency series`.
    LatencySeries,
    /// `tv latency summary`.
    LatencySummary,
    /// `tv latency by-layer`.
    ByLayer,
    /// `tv compare`.
    Compare,
    /// `tv chart`.
    Chart,
    /// `--dry-run` of any write.
    DryRun,
    /// `tv annotate --from-file`: one object per line of the file.
    AnnotateFile,
    /// `tv watch` (one record per refresh).
    Watch,
}

impl SchemaTarget {
    /// Every target with the words that name it: the command as typed first, then the
    /// older one-word names.
    pub const NAMES: [(SchemaTarget, &'static [&'static str]); 20] = [
        (SchemaTarget::Report, &["report"]),
        (SchemaTarget::ReportApp, &["report app", "report-app"]),
        (
            SchemaTarget::Names,
            &["apps", "layers", "discover", "names"],
        ),
        (SchemaTarget::Hosts, &["hosts"]),
        (SchemaTarget::Versions, &["host versions", "versions"]),
        (SchemaTarget::Annotations, &["annotations"]),
        (SchemaTarget::Org, &["org"]),
        (SchemaTarget::Users, &["org users", "users"]),
        (SchemaTarget::Licenses, &["org licenses", "licenses"]),
        (SchemaTarget::Errors, &["errors"]),
        (SchemaTarget::Requests, &["requests"]),
        (
            SchemaTarget::RequestsSummary,
            &["requests --summary", "requests-summary"],
        ),
        (
            SchemaTarget::LatencySeries,
            &["latency series", "latency-series"],
        ),
        (
            SchemaTarget::LatencySummary,
            &["latency summary", "latency-summary"],
        ),
        (SchemaTarget::ByLayer, &["latency by-layer", "by-layer"]),
        (SchemaTarget::Compare, &["compare"]),
        (SchemaTarget::Chart, &["chart"]),
        (SchemaTarget::DryRun, &["--dry-run", "dry-run"]),
        (
            SchemaTarget::AnnotateFile,
            &["annotate --from-file", "annotate-file"],
        ),
        (SchemaTarget::Watch, &["watch"]),
    ];

    /// The target `words` name (`["latency", "summary"]`); an app name after `report`
    /// (`report web-shop`) means `report APP`, and `discover KIND` any discovery list.
    pub fn from_words(words: &[String]) -> Option<SchemaTarget> {
        let words: Vec<&str> = words
            .iter()
            .map(|w| w.trim())
            .filter(|w| !w.is_empty())
            .collect();
        let joined = words.join(" ").to_ascii_lowercase();
        let found = Self::NAMES
            .iter()
            .find(|(_, names)| names.contains(&joined.as_str()))
            .map(|(target, _)| *target);
        found.or(match words.as_slice() {
            ["report", _] => Some(SchemaTarget::ReportApp),
            ["discover", _] | ["layers", _] => Some(SchemaTarget::Names),
            _ => None,
        })
    }
}
