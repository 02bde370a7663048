//! Which apps a report covers and in which order: glob patterns chosen before anything
//! is fetched, then a sort by a metric and the top N.

use std::cmp::Ordering;
use std::fmt;

use super::report::AppRow;
use crate::error::{Error, Missing};

/// A metric the report's rows can be sorted by (`--sort`, `--top`).
///
/// Sorting is **descending** (biggest first: the busiest, slowest, most degraded or
/// most failing app on top) unless [`AppSelection::ascending`]; rows without the value
/// always come last, then rows tie-break by app name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum SortKey {
    /// Server traces in the window.
    #[default]
    Volume,
    /// Average latency.
    Average,
    /// Latency of the most recent slice.
    Latest,
    /// Change of the average against the window before.
    Change,
    /// Error rate.
    Errors,
    /// Requests per second.
    Requests,
}

impl SortKey {
    /// Every key, in the order `--help` lists them.
    pub const ALL: [SortKey; 6] = [
        SortKey::Volume,
        SortKey::Average,
        SortKey::Latest,
        SortKey::Change,
        SortKey::Errors,
        SortKey::Requests,
    ];

    /// The name on the command line: `volume`, `average`, `latest`, `change`,
    /// `errors`, `requests`.
    pub fn as_str(self) -> &'static str {
        match self {
            SortKey::Volume => "volume",
            SortKey::Average => "average",
            SortKey::Latest => "latest",
            SortKey::Change => "change",
            SortKey::Errors => "errors",
            SortKey::Requests => "requests",
        }
    }

    /// The row's value of this metric.
    pub fn value(self, row: &AppRow) -> Option<f64> {
        let secs = |d: Option<std::time::Duration>| d.map(|d| d.as_secs_f64());
        match self {
            SortKey::Volume => Some(row.volume as f64),
            SortKey::Average => secs(row.average),
            SortKey::Latest => secs(row.latest),
            SortKey::Change => row.change_fraction,
            SortKey::Errors => row.error_rate,
            SortKey::Requests => row.requests_per_second,
        }
    }
}

impl fmt::Display for SortKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Which apps, in which order, how many.
///
/// ```
/// use tv_client::workflow::{AppSelection, SortKey};
/// let selection = AppSelection::new()
///     .patterns(["web-*", "billing-?pi"])?
///     .sort(SortKey::Errors)
///     .top(3);
/// let apps = ["web-shop", "billing-api", "admin"].map(String::from).to_vec();
/// assert_eq!(selection.select(apps)?, ["web-shop", "billing-api"]);
/// # Ok::<(), tv_client::Error>(())
/// ```
#[derive(Debug, Clone, Default)]
pub struct AppSelection {
    patterns: Vec<glob::Pattern>,
    sort: SortKey,
    ascending: bool,
    top: Option<usize>,
}

impl AppSelection {
    /// Every app, busiest first.
    pub fn new() -> Self {
        Self::default()
    }

    /// Only apps whose name matches one of these glob patterns (`*`, `?`, `[a-z]`,
    /// `[!x]`; case-sensitive). A malformed pattern is an [`Error::InvalidArgument`].
    pub fn patterns<S: AsRef<str>>(
        mut self,
        patterns: impl IntoIterator<Item = S>,
    ) -> Result<Self, Error> {
        for text in patterns {
            let text = text.as_ref();
            let pattern = glob::Pattern::new(text).map_err(|e| {
                Error::invalid_argument(format!("bad app pattern `{text}`: {}", e.msg))
            })?;
            self.patterns.push(pattern);
        }
        Ok(self)
    }

    /// Sort by this metric (descending unless [`AppSelection::ascending`]).
    pub fn sort(self, sort: SortKey) -> Self {
        AppSelection { sort, ..self }
    }

    /// Smallest first.
    pub fn ascending(self, ascending: bool) -> Self {
        AppSelection { ascending, ..self }
    }

    /// Keep only the first `n` rows after sorting.
    pub fn top(self, n: usize) -> Self {
        AppSelection {
            top: Some(n),
            ..self
        }
    }

    /// The apps matching the patterns (all apps without any), in the given order —
    /// decided before anything is fetched. A pattern that matches no app is an
    /// [`Error::NotFound`] naming it (so a typo is not an empty report).
    pub fn select(&self, apps: Vec<String>) -> Result<Vec<String>, Error> {
        if self.patterns.is_empty() {
            return Ok(apps);
        }
        if let Some(unmatched) = self
            .patterns
            .iter()
            .find(|p| !apps.iter().any(|app| p.matches(app)))
        {
            return Err(Error::NotFound(Missing::Pattern(
                unmatched.as_str().to_string(),
            )));
        }
        Ok(apps
            .into_iter()
            .filter(|app| self.patterns.iter().any(|p| p.matches(app)))
            .collect())
    }

    /// The patterns as given.
    pub fn pattern_texts(&self) -> Vec<&str> {
        self.patterns.iter().map(glob::Pattern::as_str).collect()
    }

    /// Sorts `rows` by the metric and keeps the top N: [`AppRow`]s, or whatever a
    /// caller holds per row with the row inside (see [`super::collect_reduced`]).
    pub fn arrange<R: AsRef<AppRow>>(&self, rows: &mut Vec<R>) {
        // A total order (names break ties), so an unstable sort gives the same rows
        // without a scratch copy of them.
        rows.sort_unstable_by(|a, b| self.order(a.as_ref(), b.as_ref()));
        if let Some(n) = self.top {
            rows.truncate(n);
        }
    }

    /// While rows are being collected: with a top N, drops the rows that can no longer
    /// be among it once twice as many are held, so a collection holds O(N) rows, not
    /// one per app; [`AppSelection::arrange`] then gives the same rows as without.
    pub(crate) fn prune<R: AsRef<AppRow>>(&self, rows: &mut Vec<R>) {
        if let Some(n) = self.top
            && rows.len() >= n.saturating_mul(2).max(PRUNE_AT_LEAST)
        {
            self.arrange(rows);
        }
    }

    /// How many rows a collection of `apps` apps holds at most (see [`AppSelection::prune`]).
    pub(crate) fn rows_held(&self, apps: usize) -> usize {
        match self.top {
            Some(n) => apps.min(n.saturating_mul(2).max(PRUNE_AT_LEAST)),
            None => apps,
        }
    }

    /// The order of the rows: by the metric, rows without it last, then by name.
    fn order(&self, a: &AppRow, b: &AppRow) -> Ordering {
        let key = self.sort;
        let order = match (key.value(a), key.value(b)) {
            (Some(x), Some(y)) if self.ascending => x.total_cmp(&y),
            (Some(x), Some(y)) => y.total_cmp(&x),
            (Some(_), None) => Ordering::Less,
            (None, Some(_)) => Ordering::Greater,
            (None, None) => Ordering::Equal,
        };
        order.then_with(|| a.app.cmp(&b.app))
    }
}

/// Pruning a handful of rows is not worth a sort.
const PRUNE_AT_LEAST: usize = 64;

#[cfg(test)]
mod tests {
    use super::*;

    fn row(app: &str, volume: u64, error_rate: Option<f64>) -> AppRow {
        AppRow {
            app: app.into(),
            volume,
            average: None,
            latest: None,
            previous_average: None,
            change_fraction: None,
            error_rate,
            errors_approx: 0,
            requests_per_second: None,
            top_layer: None,
            top_layer_share: None,
            trend: Default::default(),
        }
    }

    fn apps() -> Vec<String> {
        ["web-shop", "web-api", "billing", "admin"]
            .map(String::from)
            .to_vec()
    }

    #[test]
    fn patterns_select_before_fetching_and_unmatched_is_not_found() {
        let web = AppSelection::new().patterns(["web-*", "adm?n"]).unwrap();
        assert_eq!(
            web.select(apps()).unwrap(),
            ["web-shop", "web-api", "admin"]
        );
        let typo = AppSelection::new().patterns(["web-*", "wbe-*"]).unwrap();
        match typo.select(apps()) {
            Err(Error::NotFound(missing)) => {
                assert_eq!(missing, Missing::Pattern("wbe-*".into()))
            }
            other => panic!("expected NotFound, got {other:?}"),
        }
        match AppSelection::new().patterns(["web-[a"]) {
            Err(Error::InvalidArgument {
                detail: message, ..
            }) => assert!(message.contains("web-[a")),
            other => panic!("expected InvalidArgument, got {other:?}"),
        }
        assert_eq!(AppSelection::new().select(apps()).unwrap(), apps());
    }

    #[test]
    fn sort_is_descending_missing_last_and_top_truncates() {
        let rows = || {
            vec![
                row("a", 5, Some(0.01)),
                row("b", 9, None),
                row("c", 1, Some(0.2)),
            ]
        };
        let names = |s: &AppSelection| {
            let mut r = rows();
            s.arrange(&mut r);
            r.into_iter().map(|r| r.app).collect::<Vec<_>>()
        };
        assert_eq!(names(&AppSelection::new()), ["b", "a", "c"]);
        let errors = AppSelection::new().sort(SortKey::Errors);
        assert_eq!(names(&errors), ["c", "a", "b"]);
        assert_eq!(names(&errors.clone().ascending(true)), ["a", "c", "b"]);
        assert_eq!(names(&errors.top(1)), ["c"]);
    }

    #[test]
    fn pruning_while_collecting_keeps_the_same_top() {
        let rows: Vec<AppRow> = (0..500u64)
            .map(|i| {
                let rate = (i % 7 != 0).then(|| (i * 37 % 101) as f64);
                row(&format!("app-{i:03}"), i * 13 % 50, rate)
            })
            .collect();
        for selection in [
            AppSelection::new().top(5),
            AppSelection::new()
                .sort(SortKey::Errors)
                .ascending(true)
                .top(40),
            AppSelection::new().sort(SortKey::Errors).top(1),
        ] {
            let mut all = rows.clone();
            selection.arrange(&mut all);
            let mut pruned = Vec::new();
            let mut most = 0;
            for row in rows.iter().cloned() {
                pruned.push(row);
                selection.prune(&mut pruned);
                most = most.max(pruned.len());
            }
            selection.arrange(&mut pruned);
            assert_eq!(pruned, all, "{selection:?}");
            assert!(most <= 80, "held {most} rows for {selection:?}");
        }
    }
}
