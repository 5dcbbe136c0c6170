//! `swml-sec check`: the security checklist over the resolved settings.

use crate::cli::ColorChoice;
use crate::report::redact::{Redactor, secrets_of_run};

use super::UsageError;
use super::inputs::{prepare, resolve_inputs};
use super::report::report;

pub(crate) fn run_check(args: crate::cli::CheckArgs, color: ColorChoice) -> Result<u8, UsageError> {
    let judging = prepare(&args.report)?;
    let (env, res) = resolve_inputs(&args.input)?;
    let findings = crate::checks::run_all(&res, &judging.options);
    let redactor = Redactor::new(secrets_of_run(&res, &env, []));
    report(
        findings,
        &res,
        redactor,
        &judging,
        &args.report,
        color,
        None,
    )
}
