//! Human diagnostics: miette's graphical reports with the config snippet
//! and a label on the exact span, or the variable that set the value.

use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;

use miette::{Diagnostic, GraphicalReportHandler, GraphicalTheme, LabeledSpan, SourceSpan};

use crate::finding::{Finding, Location, Severity};
use crate::report::snippet::{IndexedText, Window, window};

/// The texts of files that findings may point into, by path, each indexed
/// once for every finding's snippet.
#[derive(Debug, Default, Clone)]
pub struct Sources {
    texts: HashMap<String, IndexedText>,
    /// Where spans into the original texts land in the masked ones.
    maps: HashMap<String, crate::report::redact::OffsetMap>,
}

impl Sources {
    pub fn add(&mut self, path: &str, text: Arc<String>) {
        self.texts.insert(path.to_string(), IndexedText::new(text));
    }

    /// A text whose secrets were masked to a fixed width, with the map of
    /// its offsets.
    pub fn add_mapped(
        &mut self,
        path: &str,
        text: Arc<String>,
        map: crate::report::redact::OffsetMap,
    ) {
        self.add(path, text);
        self.maps.insert(path.to_string(), map);
    }
}

struct FindingDiagnostic<'a> {
    finding: &'a Finding,
    source: Option<Window>,
    span: Option<SourceSpan>,
}

impl fmt::Debug for FindingDiagnostic<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.finding.message)
    }
}

impl fmt::Display for FindingDiagnostic<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.finding.message)?;
        match &self.finding.location {
            Location::Env {
                name,
                env_file: Some(file),
                line: Some(line),
            } => {
                write!(f, "\n  set by {name} in {file}:{line}")
            }
            Location::Env { name, .. } => write!(f, "\n  set by {name}"),
            Location::Path { path } => write!(f, "\n  in {path}"),
            Location::Url { url } => write!(f, "\n  at {url}"),
            Location::Default => match &self.finding.setting {
                Some(setting) => write!(
                    f,
                    "\n  {setting} is the SDK's default (set by no variable or config key)"
                ),
                None => Ok(()),
            },
            Location::File {
                path, line, column, ..
            } if self.source.is_none() => {
                write!(f, "\n  at {path}:{line}:{column}")
            }
            _ => Ok(()),
        }
    }
}

impl std::error::Error for FindingDiagnostic<'_> {}

impl Diagnostic for FindingDiagnostic<'_> {
    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.finding.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
            Severity::Note => miette::Severity::Advice,
        })
    }

    fn help<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        self.finding
            .help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        self.source.as_ref().map(|s| s as &dyn miette::SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let span = self.span?;
        let label = self
            .finding
            .label_text()
            .map(str::to_string)
            .or_else(|| self.finding.setting.as_deref().map(str::to_string));
        Some(Box::new(std::iter::once(LabeledSpan::new_with_span(
            label, span,
        ))))
    }
}

pub fn handler(color: bool) -> GraphicalReportHandler {
    headed_handler(color, "error:".into())
}

/// A handler whose first line starts with `head` in words instead of a
/// glyph, `error[cert-expired]:` as rustc and cargo-deny write it, so that
/// severity reads the same with colour off.
fn headed_handler(color: bool, head: String) -> GraphicalReportHandler {
    let mut theme = if color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    theme.characters.error = head.clone();
    theme.characters.warning = head.clone();
    theme.characters.advice = head;
    GraphicalReportHandler::new_themed(theme)
        .with_width(100)
        .with_links(false)
}

/// Renders `diag` with `head` in place of the severity glyph, its first
/// line flush left.
/// Lines are not wrapped: the message stays on the head's line, whole,
/// as rustc writes it (and one grep finds it).
pub fn render_headed(diag: &dyn Diagnostic, head: String, color: bool) -> String {
    render_with(headed_handler(color, head).with_wrap_lines(false), diag)
}

/// An error of the command line itself: `error: message` on one line, as
/// clap writes its own errors, then the file's snippet if it has one.
pub fn render_error(diag: &dyn Diagnostic, color: bool) -> String {
    render_with(
        headed_handler(color, "error:".into())
            .with_wrap_lines(false)
            .without_cause_chain(),
        diag,
    )
}

fn render_with(handler: GraphicalReportHandler, diag: &dyn Diagnostic) -> String {
    let mut out = String::new();
    // Rendering into a String cannot fail except through a fmt error in a
    // Display impl of ours, which writes plain strings.
    let _ = handler.render_report(&mut out, diag);
    match out.strip_prefix("  ") {
        Some(rest) => rest.to_string(),
        None => out,
    }
}

/// One finding as a miette report.
pub fn render_finding(finding: &Finding, sources: &Sources, color: bool) -> String {
    let (source, span) = match &finding.location {
        Location::File {
            path,
            range,
            column,
            ..
        } => match (
            sources.texts.get(&**path),
            sources
                .maps
                .get(&**path)
                .map_or(range.clone(), |m| m.map_range(range)),
        ) {
            (Some(text), range) if range.end <= text.text.len() => {
                let (source, span) = window(path, text, range, *column as usize);
                (Some(source), Some(span))
            }
            _ => (None, None),
        },
        _ => (None, None),
    };
    let diag = FindingDiagnostic {
        finding,
        source,
        span,
    };
    let head = format!("{}[{}]:", finding.severity.as_str(), finding.rule);
    render_headed(&diag, head, color)
}

/// Every finding, separated by blank lines, each written as it is
/// rendered.
pub fn render_findings(
    findings: &[Finding],
    sources: &Sources,
    color: bool,
    out: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    for (i, f) in findings.iter().enumerate() {
        if i > 0 {
            out.write_all(b"\n")?;
        }
        out.write_all(render_finding(f, sources, color).as_bytes())?;
    }
    Ok(())
}
