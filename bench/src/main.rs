//! `tv-bench`, the binary behind `cargo xtask bench` and `cargo xtask bench-readme`, which
//! run `cargo run -p tv-bench -- <the same arguments>`:
//!
//! ```text
//! tv-bench bench [--quick] [--runs N] [--fan-out-runs N] [--sizes N,N,…]
//!                [--latencies D,D,…] [--no-cargo-bench] [--write-readme]
//! tv-bench bench-readme [FILE]
//! ```
//!
//! It also runs itself as `tv-bench bench-child …`, the small helper that spawns each
//! measured command (`measure::run_isolated`); that one is not for people.

use std::process::ExitCode;

fn usage() -> String {
    format!(
        "usage: cargo xtask bench {} | cargo xtask bench-readme [FILE]",
        tv_bench::USAGE
    )
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let root = xtask::workspace_root();
    let result = match args.as_slice() {
        // The bench's measuring helper (see `measure::run_isolated`); not for people.
        ["bench-child", rest @ ..] => tv_bench::child(rest),
        ["bench", rest @ ..] => tv_bench::Options::parse(rest).and_then(|options| {
            // As the report shows it: the command people type, which forwards here.
            let command_line = ["cargo", "xtask"]
                .iter()
                .chain(args.iter())
                .copied()
                .collect::<Vec<_>>()
                .join(" ");
            tv_bench::run(&root, &options, &command_line).map(|_| ())
        }),
        ["bench-readme"] => tv_bench::readme::from_file(&root, None),
        ["bench-readme", file] => tv_bench::readme::from_file(&root, Some(file)),
        _ => {
            eprintln!("{}", usage());
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}
