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
}

impl Sources {
    pub fn add(&mut self, path: &str, text: Arc<String>) {
        self.texts.insert(path.to_string(), IndexedText::new(text));
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
    fn code<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        Some(Box::new(self.finding.rule))
    }

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
            .label
            .clone()
            .or_else(|| self.finding.setting.clone());
        Some(Box::new(std::iter::once(LabeledSpan::new_with_span(
            label, span,
        ))))
    }
}

pub fn handler(color: bool) -> GraphicalReportHandler {
    let theme = if color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    GraphicalReportHandler::new_themed(theme)
        .with_width(100)
        .with_links(false)
}

/// One finding as a miette report, appended to `out`.
fn render_finding_into(
    out: &mut String,
    finding: &Finding,
    sources: &Sources,
    handler: &GraphicalReportHandler,
) {
    let (source, span) = match &finding.location {
        Location::File {
            path,
            range,
            column,
            ..
        } => match sources.texts.get(path) {
            Some(text) if range.end <= text.text.len() => {
                let (source, span) = window(path, text, range.clone(), *column);
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
    // Rendering into a String cannot fail except through a fmt error in a
    // Display impl of ours, which writes plain strings.
    let _ = handler.render_report(out, &diag);
}

/// One finding as a miette report.
pub fn render_finding(finding: &Finding, sources: &Sources, color: bool) -> String {
    let mut out = String::new();
    render_finding_into(&mut out, finding, sources, &handler(color));
    out
}

/// Every finding, separated by blank lines, into one buffer.
pub fn render_findings(findings: &[Finding], sources: &Sources, color: bool) -> String {
    let handler = handler(color);
    let mut out = String::new();
    for (i, f) in findings.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        render_finding_into(&mut out, f, sources, &handler);
    }
    out
}
