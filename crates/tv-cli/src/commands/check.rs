//! `tv check`: a Monitoring Plugins check. Its exit codes are the plugin convention
//! (0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN), not tv's table, and every failure —
//! bad arguments, no key, server down, unknown app — is one UNKNOWN line on stdout.

use std::io::Write;
use std::process::ExitCode;
use std::time::Duration;

use tv_client::check::{CheckSpec, Metric, Status, ThresholdRange, Thresholds, unknown_output};

use crate::cli::{CheckArgs, Cli, Command};
use crate::context;

/// Runs `tv check` and returns the plugin's exit code.
pub async fn run(cli: Cli, settings: &context::RunSettings) -> ExitCode {
    let Command::Check(args) = &cli.command else {
        return unknown("tv check was not invoked", None);
    };
    let spec = match spec(args) {
        Ok(spec) => spec,
        Err(why) => return unknown(&why, None),
    };
    let deadline = args
        .plugin_timeout
        .map(Duration::from_secs)
        .or(cli.global.deadline)
        .or(cli.global.timeout)
        .unwrap_or(DEFAULT_PLUGIN_TIMEOUT);
    let on_timeout = timeout_state(&args.timeout_state);
    match tokio::time::timeout(deadline, judge(&cli, args, settings, &spec)).await {
        Ok(code) => code,
        Err(_) => {
            let line = format!(
                "TRACEVIEW {} - no answer within {} (-t)",
                on_timeout.label(),
                humantime::format_duration(deadline)
            );
            print_line(&line);
            ExitCode::from(on_timeout.code())
        }
    }
}

/// How long a check may run without -t or --timeout: the Monitoring Plugins default.
const DEFAULT_PLUGIN_TIMEOUT: Duration = Duration::from_secs(10);

/// The state of `--timeout-state` (clap allows only the four names).
fn timeout_state(name: &str) -> Status {
    match name {
        "ok" => Status::Ok,
        "warning" => Status::Warning,
        "critical" => Status::Critical,
        _ => Status::Unknown,
    }
}

/// Connects, runs the check and prints its line; returns the plugin's exit code.
async fn judge(
    cli: &Cli,
    args: &CheckArgs,
    settings: &context::RunSettings,
    spec: &CheckSpec,
) -> ExitCode {
    let connection = match context::connect(&cli.global, settings).await {
        Ok(connection) => connection,
        Err(error) => return unknown(&error.message, None),
    };
    // A misspelt layer is UNKNOWN naming the nearest known one, not a quiet app.
    let layer = crate::filter_check::ListedValues::layer(args.layer.as_deref());
    if let Err(error) = crate::filter_check::check(&connection.tv, &args.app, &layer).await {
        return unknown(&error.message, Some(&connection.key));
    }
    let now = context::now_resolver(&connection.tv);
    let spec = match end(args, &now).await {
        Ok(end) => CheckSpec {
            end,
            ..spec.clone()
        },
        Err(why) => return unknown(&why, Some(&connection.key)),
    };
    match tv_client::check::run_check(&connection.tv, &now, &spec).await {
        Ok(result) => {
            let status = result.status();
            print_line(&clean(&connection.key.scrub(&result.output())));
            ExitCode::from(status.code())
        }
        Err(error) => {
            let message = crate::exit::CliError::from(error).message;
            unknown(&message, Some(&connection.key))
        }
    }
}

/// `--end` as an instant: a relative time counts from the server's now (the one `now`
/// the check then judges the end against).
async fn end(
    args: &CheckArgs,
    now: &tv_client::workflow::Now,
) -> Result<Option<chrono::DateTime<chrono::Utc>>, String> {
    let Some(end) = args.end else {
        return Ok(None);
    };
    let reference = if end.is_relative() {
        now.get(Some(&args.app))
            .await
            .map_err(|e| crate::exit::CliError::from(e).message)?
    } else {
        chrono::Utc::now()
    };
    crate::filters::end_at(Some(end), reference).map_err(|e| e.message)
}

/// What `args` ask to check, or why they make no sense.
fn spec(args: &CheckArgs) -> Result<CheckSpec, String> {
    let mut thresholds: Vec<(Metric, Thresholds)> = Vec::new();
    let mut entry = |metric: Metric| -> usize {
        match thresholds.iter().position(|(m, _)| *m == metric) {
            Some(i) => i,
            None => {
                thresholds.push((metric, Thresholds::default()));
                thresholds.len() - 1
            }
        }
    };
    for name in &args.metric {
        entry(name.parse().map_err(|e| format!("--metric: {e}"))?);
    }
    let mut pairs = Vec::new();
    for (flag, values) in [("--warning", &args.warning), ("--critical", &args.critical)] {
        for text in values {
            let (metric, range) = threshold(flag, text)?;
            pairs.push((flag, metric, range, entry(metric)));
        }
    }
    for (flag, metric, range, i) in pairs {
        let Some((_, t)) = thresholds.get_mut(i) else {
            continue;
        };
        let slot = if flag == "--warning" {
            &mut t.warning
        } else {
            &mut t.critical
        };
        if slot.replace(range).is_some() {
            return Err(format!("{flag} given twice for {metric}"));
        }
    }
    if thresholds.is_empty() {
        return Err(
            "nothing to check: give --warning/--critical METRIC=RANGE or --metric METRIC".into(),
        );
    }
    Ok(CheckSpec {
        app: args.app.clone(),
        layer: args.layer.clone(),
        window: args.window,
        metrics: thresholds,
        end: None,
    })
}

fn threshold(flag: &str, text: &str) -> Result<(Metric, ThresholdRange), String> {
    let (metric, range) = text
        .split_once('=')
        .ok_or_else(|| format!("{flag} {text:?}: expected METRIC=RANGE, e.g. latency=500"))?;
    let metric = metric.parse().map_err(|e| format!("{flag}: {e}"))?;
    let range = range.parse().map_err(|e| format!("{flag}: {e}"))?;
    Ok((metric, range))
}

/// Prints the UNKNOWN line for `why` and returns exit code 3.
pub fn unknown(why: &str, key: Option<&tv_client::ApiKey>) -> ExitCode {
    let line = unknown_output(why);
    let line = match key {
        Some(key) => key.scrub(&line),
        None => tv_client::redact(&line).into_owned(),
    };
    print_line(&clean(&line));
    ExitCode::from(Status::Unknown.code())
}

/// The line without escape sequences or control characters (the app and layer names
/// are the user's): tv-client's one cleaner.
fn clean(line: &str) -> std::borrow::Cow<'_, str> {
    tv_client::redact::printable(line)
}

fn print_line(line: &str) {
    let mut out = std::io::stdout().lock();
    // A closed pipe cannot be reported anywhere; the exit code still tells.
    let _ = writeln!(out, "{line}").and_then(|()| out.flush());
}

/// Whether a command line that clap refused was meant for `tv check`: its first word
/// that is neither a global flag nor a global flag's value is `check`.
pub fn is_check_invocation(args: &[std::ffi::OsString]) -> bool {
    let root = crate::cli::command();
    let takes_value: Vec<String> = root
        .get_arguments()
        .filter(|a| a.get_action().takes_values())
        .flat_map(|a| {
            let long = a.get_long().map(|l| format!("--{l}"));
            let short = a.get_short().map(|s| format!("-{s}"));
            long.into_iter().chain(short)
        })
        .collect();
    let mut words = args.iter().skip(1).map(|a| a.to_string_lossy());
    while let Some(word) = words.next() {
        if takes_value.iter().any(|flag| *flag == *word) {
            words.next();
        } else if !word.starts_with('-') {
            return word == "check";
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(warning: &[&str], critical: &[&str], metric: &[&str]) -> CheckArgs {
        let owned = |v: &[&str]| v.iter().map(|s| s.to_string()).collect();
        CheckArgs {
            app: "web-shop".into(),
            layer: None,
            window: tv_client::TimeWindow::Hour,
            end: None,
            warning: owned(warning),
            critical: owned(critical),
            metric: owned(metric),
            plugin_timeout: None,
            timeout_state: "unknown".into(),
        }
    }

    #[test]
    fn thresholds_are_grouped_per_metric() {
        let spec = spec(&args(
            &["latency=500", "traffic=0.5:"],
            &["latency=1000"],
            &["stale"],
        ));
        let Ok(spec) = spec else { panic!("{spec:?}") };
        let metrics: Vec<Metric> = spec.metrics.iter().map(|(m, _)| *m).collect();
        assert_eq!(metrics, [Metric::Stale, Metric::Latency, Metric::Traffic]);
        assert_eq!(spec.metrics[1].1.critical, "1000".parse().ok());
        assert_eq!(spec.metrics[0].1, Thresholds::default());
    }

    #[test]
    fn bad_arguments_say_why() {
        let cases = [
            (args(&[], &[], &[]), "nothing to check"),
            (args(&["latency"], &[], &[]), "expected METRIC=RANGE"),
            (args(&["speed=1"], &[], &[]), "unknown metric \"speed\""),
            (
                args(&[], &["latency=20:10"], &[]),
                "the start is above the end",
            ),
            (
                args(&["latency=1", "latency=2"], &[], &[]),
                "--warning given twice for latency",
            ),
        ];
        for (args, expected) in cases {
            match spec(&args) {
                Ok(spec) => panic!("{spec:?}"),
                Err(why) => assert!(why.contains(expected), "{why}"),
            }
        }
    }

    #[test]
    fn check_invocations_are_recognized_past_global_flags() {
        let words = |s: &str| -> Vec<std::ffi::OsString> { s.split(' ').map(Into::into).collect() };
        assert!(is_check_invocation(&words("tv check web-shop --bogus")));
        assert!(is_check_invocation(&words(
            "tv --api-key check --base-url http://x -v check"
        )));
        assert!(!is_check_invocation(&words("tv --api-key check report")));
        assert!(!is_check_invocation(&words("tv annotate check")));
    }
}
