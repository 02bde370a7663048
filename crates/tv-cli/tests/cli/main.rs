//! The integration tests of `tv`, one test binary (linking is what a test run on two cores
//! spends most of its time on): each module runs the real `tv` binary against an
//! in-process sandbox (`common`) or, in the tests marked `#[ignore = "real tool: …"]`, a
//! real outside tool (`real_tools`; run by `cargo xtask integration`).

mod common;
mod real_tools;

mod absence;
mod check;
mod commands;
mod config;
mod csv_is_json;
mod deploy;
mod exporter;
mod failures;
mod graphite;
mod history;
mod one_now;
mod otlp;
mod prometheus;
mod reliability_bad_input;
mod reliability_deletes;
mod reliability_faults;
mod reliability_writes;
mod report_rows;
mod settings_edges;
mod terminal;
mod terminal_tmux;
mod writes;
