//! `swml-sec probe URL`: live checks of a running service.

use std::io::IsTerminal;

use crate::cli::ColorChoice;
use crate::report::output::Output;
use crate::report::redact::{Redactor, secrets_of_run};

use super::inputs::{prepare, resolve_inputs};
use super::report::report;
use super::{UsageError, use_color};

pub(crate) fn run_probe(args: crate::cli::ProbeArgs, color: ColorChoice) -> Result<u8, UsageError> {
    let mut judging = prepare(&args.report)?;
    // The probed URL is one service: the flag's class, or the first found.
    let services: Vec<crate::service::Service> =
        super::check::services_to_judge(args.service.service_class)
            .into_iter()
            .take(1)
            .collect();
    if let Some(s) = services.first() {
        judging.options.service = s.class;
    }
    judging.options.sdk = args.input.sdk;
    let target = crate::probe::http::Target::parse(&args.url).map_err(UsageError::Other)?;
    let (env, res) = resolve_inputs(&args.input)?;
    judging.options.env_settings =
        Some(crate::resolve::resolve_env_only(&env, args.input.sdk).settings);
    let password = match &args.password_env {
        Some(var) => Some(crate::model::Secret::new(std::env::var(var).map_err(
            |_| {
                UsageError::Other(format!(
                    "--password-env {var}: the variable is unset or not UTF-8"
                ))
            },
        )?)),
        None => None,
    };
    let options = crate::probe::ProbeOptions {
        url: args.url.clone(),
        target,
        user: args.user.clone(),
        password,
        insecure: args.insecure,
        allow_insecure_auth: args.allow_insecure_auth,
        limits: crate::probe::http::Limits {
            connect_timeout: std::time::Duration::from_secs(args.connect_timeout.clamp(1, 120)),
            total_timeout: std::time::Duration::from_secs(args.timeout.clamp(1, 300)),
        },
    };
    // The probe's own credentials, in every form a server could echo.
    let probe_secrets = options.secret_forms(&res);
    let redactor = Redactor::new(secrets_of_run(&res, &env, probe_secrets));
    let outcome = crate::probe::probe(&res, &judging.options, &options);
    let log_output = Output::new(
        redactor.clone(),
        false,
        use_color(color, std::io::stderr().is_terminal()),
    );
    for line in &outcome.log {
        log_output.stderr(&format!("probe: {}", crate::report::escape::escape(line)));
    }
    let observed = serde_json::json!({
        "url": args.url,
        "tls_version": outcome.tls_version,
        "credentials": outcome.credentials.as_str(),
        "log": outcome.log,
    });
    report(
        outcome.findings,
        &res,
        redactor,
        &judging,
        &args.report,
        color,
        super::report::About {
            extra: Some(("probe", observed)),
            services: &services,
        },
    )
}
