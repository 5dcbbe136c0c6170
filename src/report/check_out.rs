//! `swml-sec check` output: human diagnostics and versioned JSON.

use std::io::Write as _;

use serde_json::json;

use crate::finding::{Finding, Severity};
use crate::policy::Profile;
use crate::report::human::{Sources, render_findings};

/// Version 1 since the first release; fields added since (`stage`,
/// `suppressed`, `summary.suppressed`) leave every version-1 reader working.
pub const JSON_VERSION: u32 = 1;

pub struct Summary {
    pub error: usize,
    pub warning: usize,
    pub note: usize,
}

pub fn summarize(findings: &[Finding]) -> Summary {
    let count = |s: Severity| findings.iter().filter(|f| f.severity == s).count();
    Summary {
        error: count(Severity::Error),
        warning: count(Severity::Warning),
        note: count(Severity::Note),
    }
}

/// A finding the policy hid, and why.
#[derive(serde::Serialize)]
struct SuppressedOut<'a> {
    #[serde(flatten)]
    finding: &'a Finding,
    suppression: &'a crate::policy::Suppression,
}

#[derive(serde::Serialize)]
struct CheckDocument<'a> {
    version: u32,
    profile: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    stage: Option<&'static str>,
    config_file: Option<String>,
    /// The service classes judged, and how each was chosen.
    services: &'a [serde_json::Value],
    findings: &'a [Finding],
    suppressed: Vec<SuppressedOut<'a>>,
    summary: serde_json::Value,
    #[serde(flatten)]
    extra: serde_json::Map<String, serde_json::Value>,
}

/// The versioned JSON document, serialised straight from the findings (no
/// intermediate tree: 80,000 findings stay a few tens of MiB). The findings
/// are already sanitized; the envelope's own strings (the config path, a
/// command's `extra` observations, e.g. `probe`) are redacted here.
pub fn render_json(
    findings: &[Finding],
    profile: Profile,
    config_file: Option<&str>,
    extra: Option<(&str, serde_json::Value)>,
    redactor: &crate::report::redact::Redactor,
    info: &crate::report::sarif::RunInfo,
    out: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    let s = summarize(findings);
    let mut extras = serde_json::Map::new();
    if let Some((key, mut value)) = extra {
        redactor.redact_json(&mut value);
        extras.insert(key.to_string(), value);
    }
    let doc = CheckDocument {
        version: JSON_VERSION,
        profile: profile.as_str(),
        stage: info.stage.map(crate::stage::Stage::as_str),
        config_file: config_file.map(|c| redactor.redact(c).into_owned()),
        services: info.services,
        findings,
        suppressed: info
            .suppressed
            .iter()
            .map(|(finding, suppression)| SuppressedOut {
                finding,
                suppression,
            })
            .collect(),
        summary: json!({"error": s.error, "warning": s.warning, "note": s.note,
            "suppressed": info.suppressed.len()}),
        extra: extras,
    };
    // Buffered before the gate: the serialiser writes token by token.
    let mut buffered = std::io::BufWriter::with_capacity(1 << 14, out);
    super::pretty::to_writer(&mut buffered, &doc).map_err(std::io::Error::from)?;
    buffered.write_all(b"\n")?;
    buffered.flush()
}

/// `--format short`: one line per finding, `path:line:col: severity[rule]
/// message`, the shape of ruff, grep and compilers, for editors and
/// scripts. A finding without a place in a file names what it is about
/// instead: the file, `$NAME` for a variable, or the setting's default.
pub fn render_short(findings: &[Finding], out: &mut dyn std::io::Write) -> std::io::Result<()> {
    use crate::finding::Location;
    for f in findings {
        let place = match &f.location {
            Location::File {
                path, line, column, ..
            } => format!("{path}:{line}:{column}"),
            Location::Path { path } => path.to_string(),
            Location::Env {
                env_file: Some(file),
                line: Some(line),
                ..
            } => format!("{file}:{line}:1"),
            Location::Env { name, .. } => format!("${name}"),
            Location::Url { url } => url.to_string(),
            Location::Default => match &f.setting {
                Some(setting) => format!("<default {setting}>"),
                None => "<default>".to_string(),
            },
        };
        // One line each: a message never spans two.
        let message = f.message.replace(['\n', '\r'], " ");
        writeln!(
            out,
            "{place}: {}[{}] {message}",
            f.severity.as_str(),
            f.rule
        )?;
    }
    Ok(())
}

fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("{n} {word}")
    } else {
        format!("{n} {word}s")
    }
}

/// `ignored`: findings hidden by ignores; `off`: by rules the policy turns
/// off (named only when there are some).
pub fn render_human(
    findings: &[Finding],
    ignored: usize,
    off: usize,
    profile: Profile,
    sources: &Sources,
    color: bool,
    out: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    render_findings(findings, sources, color, out)?;
    let s = summarize(findings);
    let off = if off > 0 {
        format!(", {off} in rules the policy turns off")
    } else {
        String::new()
    };
    let line = format!(
        "{}, {}, {}, {} ignored{off} (profile {})",
        plural(s.error, "error"),
        plural(s.warning, "warning"),
        plural(s.note, "note"),
        ignored,
        profile.as_str()
    );
    if !findings.is_empty() {
        out.write_all(b"\n")?;
    }
    if color {
        use owo_colors::OwoColorize;
        let styled = if s.error > 0 {
            line.red().bold().to_string()
        } else if s.warning > 0 {
            line.yellow().bold().to_string()
        } else {
            line.green().bold().to_string()
        };
        writeln!(out, "{styled}")
    } else {
        writeln!(out, "{line}")
    }
}
