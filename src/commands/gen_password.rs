//! `swml-sec gen-password`: credentials from the OS CSPRNG.

use crate::cli::{GenPasswordArgs, PasswordFormat};
use crate::password::{DEFAULT_BYTES, Shape, generate};
use crate::report::resolve_out;

use super::{EXIT_OK, UsageError, write_stdout};

pub(crate) fn run_gen_password(args: GenPasswordArgs) -> Result<u8, UsageError> {
    let shape = match (args.bytes, args.length) {
        (_, Some(n)) => Shape::Length(n),
        (Some(n), None) => Shape::Bytes(n),
        (None, None) => Shape::Bytes(DEFAULT_BYTES),
    };
    shape.validate()?;
    if args.count == 0 || args.count > 1000 {
        return Err(UsageError::Other(
            "--count must be between 1 and 1000".into(),
        ));
    }
    if args.format == PasswordFormat::Env && args.count > 1 {
        return Err(UsageError::Other(
            "--format env prints one password: drop --count".into(),
        ));
    }
    let passwords = (0..args.count)
        .map(|_| generate(shape))
        .collect::<Result<Vec<_>, _>>()?;
    let text = match args.format {
        PasswordFormat::Raw => passwords.iter().map(|p| format!("{p}\n")).collect(),
        PasswordFormat::Env => format!(
            "export SWML_BASIC_AUTH_PASSWORD={}\n",
            resolve_out::shell_quote(&passwords[0])
        ),
        PasswordFormat::Json => {
            let doc = serde_json::json!({
                "version": 1,
                "entropy_bits": shape.entropy_bits(),
                "passwords": passwords,
            });
            serde_json::to_string_pretty(&doc).unwrap_or_default() + "\n"
        }
    };
    write_stdout(&text)?;
    Ok(EXIT_OK)
}
