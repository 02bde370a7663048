//! `tv`: see `tv --help`.

fn main() -> std::process::ExitCode {
    tv_cli::main()
}
