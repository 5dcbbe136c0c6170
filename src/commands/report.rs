//! What `check` and `probe` share after their checks ran: the policy, the
//! renderer for the chosen format, and the exit code.

use std::io::{IsTerminal, Write};

use crate::cli::{CheckFormat, ColorChoice};
use crate::finding::Finding;
use crate::report::output::{Document, Output, Stream};
use crate::report::redact::Redactor;
use crate::resolve::Resolution;

use super::inputs::{Judging, sources_of};
use super::{EXIT_FINDINGS, EXIT_OK, UsageError, use_color};

/// Applies the policy to `findings`, renders them, writes them, and gives
/// the exit code.
pub fn report(
    findings: Vec<Finding>,
    res: &Resolution,
    redactor: Redactor,
    judging: &Judging,
    args: &crate::cli::ReportArgs,
    color: ColorChoice,
    about: About<'_>,
) -> Result<u8, UsageError> {
    let on_github = std::env::var("GITHUB_ACTIONS").is_ok_and(|v| v == "true");
    let format = args.format.unwrap_or(if on_github {
        CheckFormat::Github
    } else {
        CheckFormat::Human
    });
    let stdout_color = use_color(color, std::io::stdout().is_terminal());
    let output = Output::new(redactor, stdout_color, false);
    let mut cwd = std::env::current_dir().unwrap_or_default();
    let root = match &args.repo_root {
        Some(dir) => {
            let (root, real_cwd) = repo_root(dir, &cwd)?;
            cwd = real_cwd;
            Some(root)
        }
        None => None,
    };
    let view = ReportView {
        res,
        judging,
        format,
        color: stdout_color,
        sarif_anchor: args.sarif_anchor.clone(),
        cwd,
        root,
        extra: about.extra,
        services: about.services,
    };
    let mut sink = std::io::BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
    let (code, written) = render(findings, &view, &output, &mut sink);
    match written {
        Ok(()) => Ok(code),
        // A closed pipe (`| head`) is not an error worth a message.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(code),
        Err(e) => Err(crate::report::output::WriteError::from(e).into()),
    }
}

/// What the run was about, besides its findings.
pub struct About<'a> {
    /// A command's own observations for JSON (`probe`).
    pub extra: Option<(&'a str, serde_json::Value)>,
    /// The services judged.
    pub services: &'a [crate::service::Service],
}

/// What a rendering of findings needs besides them.
pub struct ReportView<'a> {
    pub res: &'a Resolution,
    pub judging: &'a Judging,
    pub format: CheckFormat,
    pub color: bool,
    pub sarif_anchor: Option<String>,
    /// The working directory, which relative paths in findings start from.
    pub cwd: std::path::PathBuf,
    /// `--repo-root`, made absolute: the root repository-relative paths
    /// start from, an ancestor of `cwd` (checked in [`report`]).
    pub root: Option<std::path::PathBuf>,
    pub extra: Option<(&'a str, serde_json::Value)>,
    /// The services judged: shown in every format.
    pub services: &'a [crate::service::Service],
}

/// Applies the policy, sanitizes, and renders through the output gate into
/// `sink`, piece by piece: the exit code, and whether writing succeeded.
/// No other I/O but the existence of README.md in `cwd`.
pub fn render(
    findings: Vec<Finding>,
    view: &ReportView<'_>,
    output: &Output,
    sink: &mut dyn Write,
) -> (u8, std::io::Result<()>) {
    let (res, judging) = (view.res, view.judging);
    let profile = judging.profile;
    let judged = crate::policy::apply_policy(
        findings,
        profile,
        &judging.overrides,
        &judging.reasons,
        judging.policy_path.as_deref(),
        &judging.ignores,
    );
    let ignored = judged.ignored();
    let mut findings = judged.findings;
    output.sanitize(&mut findings);
    findings.sort_by(|a, b| b.severity.cmp(&a.severity).then_with(|| a.rule.cmp(b.rule)));
    // The policy's trace: what it hid and why, sanitized like the findings
    // (a reason is text from a file, as a message may quote one).
    let mut suppressed = judged.suppressed;
    for (f, why) in &mut suppressed {
        output.redactor.sanitize_finding(f);
        why.reason = sanitized(&output.redactor, &why.reason);
        why.origin = sanitized(&output.redactor, &why.origin);
    }
    suppressed
        .sort_by(|(a, _), (b, _)| b.severity.cmp(&a.severity).then_with(|| a.rule.cmp(b.rule)));
    let overrides: Vec<crate::report::sarif::Override> = judging
        .overrides
        .iter()
        .filter_map(|(id, level)| {
            Some(crate::report::sarif::Override {
                rule: crate::checks::registry::rule(id)?,
                level: crate::finding::Severity::parse(level),
                reason: judging
                    .reasons
                    .get(id)
                    .map(|r| sanitized(&output.redactor, r)),
            })
        })
        .collect();
    let policy_file = judging
        .policy_path
        .as_deref()
        .map(|p| sanitized(&output.redactor, p));
    let services_json: Vec<serde_json::Value> = view.services.iter().map(|s| s.to_json()).collect();
    let trace = crate::report::sarif::RunInfo {
        command: if view.extra.is_some() {
            "probe"
        } else {
            "check"
        },
        profile,
        stage: judging.stage,
        policy_file: policy_file.as_deref(),
        suppressed: &suppressed,
        overrides: &overrides,
        services: &services_json,
    };
    let config_file = res.config.as_ref().map(|c| c.path.as_str());
    let rules_that_ran: Vec<&'static crate::checks::registry::Rule> =
        crate::checks::registry::RULES
            .iter()
            .filter(|r| crate::policy::rule_is_on(r.id, profile, &judging.overrides))
            .collect();
    // SARIF needs a repository-relative file for every result.
    let readme = view
        .cwd
        .join("README.md")
        .exists()
        .then(|| "README.md".to_string());
    let anchors = [
        view.sarif_anchor.clone(),
        judging.policy_path.clone(),
        readme,
        config_file.map(str::to_string),
    ];
    let locator = view
        .root
        .as_deref()
        .and_then(|root| {
            crate::report::locate::Locator::with_root(
                view.cwd.clone(),
                root,
                res.config.as_ref(),
                &anchors,
            )
        })
        .unwrap_or_else(|| {
            crate::report::locate::Locator::new(view.cwd.clone(), res.config.as_ref(), &anchors)
        });
    let described: Vec<String> = view.services.iter().map(|s| s.describe()).collect();
    let services_text: Vec<String> = described.iter().map(|d| format!("service: {d}")).collect();
    let code = if findings.iter().any(|f| f.severity >= judging.fail_on) {
        EXIT_FINDINGS
    } else {
        EXIT_OK
    };
    let written = (|| {
        let text_gate = |sink| output.gate(Stream::Text, view.color, sink);
        match view.format {
            CheckFormat::Json => {
                let mut gate = output.gate(Stream::Json, false, &mut *sink);
                crate::report::check_out::render_json(
                    &findings,
                    profile,
                    config_file,
                    view.extra.clone(),
                    &output.redactor,
                    &trace,
                    &mut gate,
                )?;
                gate.finish().map(drop)
            }
            CheckFormat::Sarif => {
                let mut gate = output.gate(Stream::Json, false, &mut *sink);
                crate::report::sarif::render(
                    &findings,
                    &rules_that_ran,
                    &locator,
                    &trace,
                    &mut gate,
                )?;
                gate.finish().map(drop)
            }
            CheckFormat::Short => {
                let mut gate = text_gate(&mut *sink);
                crate::report::check_out::render_short(&findings, &mut gate)?;
                gate.write_all(lines(&services_text).as_bytes())?;
                gate.finish().map(drop)
            }
            // Every line of this format is a workflow command: the service
            // judged is a notice of its own, after the findings.
            CheckFormat::Github => {
                let mut gate = text_gate(&mut *sink);
                crate::report::github::render(&findings, &locator, &mut gate)?;
                for d in &described {
                    writeln!(
                        gate,
                        "::notice title=swml-sec service::{}",
                        crate::report::github::escape_data(d)
                    )?;
                }
                gate.finish().map(drop)
            }
            CheckFormat::Junit => {
                let probe = view
                    .extra
                    .as_ref()
                    .map(|(_, observed)| !observed["tls_version"].is_null());
                let scope = crate::report::junit::Scope {
                    profile,
                    probe: probe.is_some(),
                    tls: probe.unwrap_or_else(|| {
                        res.settings
                            .value(crate::model::SettingId::SslEnabled)
                            .as_bool()
                    }),
                };
                // One test case per rule, each holding all of its findings:
                // built whole by quick-junit, then gated whole.
                let document = Document::Xml(crate::report::junit::render(
                    &findings,
                    &rules_that_ran,
                    scope,
                    judging.fail_on,
                    &locator,
                    &described,
                )?);
                sink.write_all(output.finish(document, false).as_bytes())?;
                sink.flush()
            }
            CheckFormat::Human => {
                let mut gate = text_gate(&mut *sink);
                gate.write_all(lines(&services_text).as_bytes())?;
                crate::report::check_out::render_human(
                    &findings,
                    ignored,
                    suppressed.len() - ignored,
                    profile,
                    &sources_of(res, &output.redactor),
                    view.color,
                    &mut gate,
                )?;
                gate.finish().map(drop)
            }
        }
    })();
    (code, written)
}

/// Each item on a line of its own.
fn lines(items: &[String]) -> String {
    items.iter().map(|l| format!("{l}\n")).collect()
}

/// Policy text (a reason, a path) as a finding's text is made safe:
/// redacted, escaped, clipped.
fn sanitized(redactor: &Redactor, text: &str) -> String {
    let redacted = redactor.redact(text);
    let escaped = crate::report::escape::escape(&redacted);
    crate::report::escape::clip(&escaped, crate::report::redact::MAX_MESSAGE_CHARS).into_owned()
}

/// `--repo-root DIR` and the working directory, both absolute with links
/// resolved (so that one is a prefix of the other); the root must hold
/// the working directory.
fn repo_root(
    dir: &str,
    cwd: &std::path::Path,
) -> Result<(std::path::PathBuf, std::path::PathBuf), UsageError> {
    let shown = crate::report::escape::escape(dir);
    let root = std::fs::canonicalize(dir).map_err(|e| {
        let why = match e.kind() {
            std::io::ErrorKind::NotFound => "no such directory".to_string(),
            std::io::ErrorKind::PermissionDenied => "permission denied".to_string(),
            _ => e.to_string(),
        };
        UsageError::Other(format!("--repo-root {shown}: {why}"))
    })?;
    let cwd = std::fs::canonicalize(cwd).unwrap_or_else(|_| cwd.to_path_buf());
    if !cwd.starts_with(&root) {
        return Err(UsageError::Other(format!(
            "--repo-root {shown} does not contain the working directory: paths are reported relative to the repository's root, which holds the directory swml-sec runs in"
        )));
    }
    Ok((root, cwd))
}
