use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = swml_sec::cli::Cli::parse();
    ExitCode::from(swml_sec::commands::run(cli))
}
