use std::process::ExitCode;

fn main() -> ExitCode {
    ExitCode::from(swml_sec::commands::main_with_args(std::env::args_os()))
}
