//! `swml-sec check`: the security checklist over the resolved settings.

use crate::cli::ColorChoice;
use crate::report::redact::{Redactor, secrets_of_run};

use super::UsageError;
use super::inputs::{prepare, resolve_inputs};
use super::report::report;

pub(crate) fn run_check(args: crate::cli::CheckArgs, color: ColorChoice) -> Result<u8, UsageError> {
    let mut judging = prepare(&args.report)?;
    judging.stage = Some(args.stage);
    let (env, mut res) = resolve_inputs(&args.input)?;
    let mut findings = crate::checks::run_all_taking(&mut res, &judging.options);
    if args.stage == crate::stage::Stage::Build {
        findings.extend(crate::stage::committed_secrets(&res, &env));
        crate::stage::defer_to_deploy(&mut findings, &res, &env);
    }
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

/// A whole `check` of an in-memory config, as the bytes it would print in
/// `format` (no colour): the entry point of the renderer and redaction
/// fuzzers and of property tests. Certificates are judged at `at`.
pub fn check_in_memory(
    config: &[u8],
    env: &crate::input::EnvView,
    format: crate::cli::CheckFormat,
    profile: crate::policy::Profile,
    at: i64,
) -> String {
    use crate::report::output::Output;
    let mut res = crate::resolve::resolve_with_config_bytes(env, "config.json", config);
    let judging = super::inputs::Judging::defaults(profile, at);
    let findings = crate::checks::run_all_taking(&mut res, &judging.options);
    let output = Output::new(Redactor::new(secrets_of_run(&res, env, [])), false, false);
    let view = super::report::ReportView {
        res: &res,
        judging: &judging,
        format,
        color: false,
        sarif_anchor: None,
        cwd: std::path::PathBuf::from("/nonexistent-swml-sec-cwd"),
        root: None,
        extra: None,
    };
    let (document, _) = super::report::render(findings, &view, &output);
    output.finish(document, false)
}
