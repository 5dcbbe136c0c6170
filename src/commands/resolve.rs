//! `swml-sec resolve`: the effective settings and where each came from.

use crate::cli::{ResolveArgs, ResolveFormat};
use crate::policy::{Profile, apply_profile};
use crate::report::human::render_findings;
use crate::report::output::{Document, Output};
use crate::report::redact::{Redactor, secrets_of_run};
use crate::report::{Secrets, resolve_out};

use super::inputs::{build_inputs, resolve_config, sources_of};
use super::{EXIT_ERROR, EXIT_OK, UsageError};

pub(crate) fn run_resolve(args: ResolveArgs, stderr_color: bool) -> Result<u8, UsageError> {
    let (env, config) = build_inputs(&args.input)?;
    let mut res = resolve_config(&env, &config, args.input.sdk);
    // resolve reports its diagnostics with the production severities.
    res.findings = apply_profile(std::mem::take(&mut res.findings), Profile::Prod);
    res.findings.sort_by_key(|f| std::cmp::Reverse(f.severity));
    let redactor = if args.show_secrets {
        Redactor::none()
    } else {
        Redactor::new(secrets_of_run(&res, &env, []))
    };
    let output = Output::new(redactor, false, stderr_color);
    output.sanitize(&mut res.findings);
    let secrets = Secrets {
        show: args.show_secrets,
        redactor: &output.redactor,
    };
    let eprint_findings = |findings: &[crate::finding::Finding]| {
        if !findings.is_empty() {
            let sources = sources_of(&res, &output.redactor);
            let mut text = Vec::new();
            // Writing into memory cannot fail.
            let _ = render_findings(findings, &sources, stderr_color, &mut text);
            output.stderr(&String::from_utf8_lossy(&text));
        }
    };
    // An unreadable or invalid config file always comes back as not loaded.
    if res.blocks_start() || res.config_ignored() {
        let fatal: Vec<_> = res
            .findings
            .iter()
            .filter(|f| f.blocks_start || f.rule.starts_with("config-"))
            .cloned()
            .collect();
        eprint_findings(&fatal);
        let summary = if res.blocks_start() {
            "error: the SDK would fail to start with these settings"
        } else if res.config.as_ref().is_some_and(|c| c.beyond_swml_sec) {
            "error: swml-sec cannot follow this config file, which the SDK may still load"
        } else {
            "error: the SDK would silently ignore the config file"
        };
        output.stderr(summary);
        if args.format == ResolveFormat::Json {
            output.stdout(Document::Json(resolve_out::to_json(&res, secrets)))?;
        }
        return Ok(EXIT_ERROR);
    }
    let document = match args.format {
        ResolveFormat::Human => {
            eprint_findings(&res.findings);
            Document::Text(resolve_out::render_human(&res, secrets))
        }
        ResolveFormat::Json => Document::Json(resolve_out::to_json(&res, secrets)),
        ResolveFormat::Toml => Document::Toml(resolve_out::to_json(&res, secrets)),
        ResolveFormat::Env => {
            eprint_findings(&res.findings);
            Document::Text(resolve_out::render_env(&res, secrets))
        }
    };
    output.stdout(document)?;
    Ok(EXIT_OK)
}
