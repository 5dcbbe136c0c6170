//! Bounded snippets: the few dozen characters around a span, not the line.
//!
//! miette renders every line it is given in full, once per finding, and
//! panics on labels past visual column 65,535. A minified config is one
//! line of megabytes: 20,000 findings on it would print 20,000 copies. So
//! each snippet is built from a window of the line around the span (elided
//! with `…` on both sides), its neighbours cut short, every unsafe character
//! escaped, and handed to miette with the real line and column numbers.

use std::ops::Range;
use std::sync::Arc;

use miette::{MietteError, MietteSpanContents, SourceCode, SourceSpan, SpanContents};

use super::escape::is_unsafe;

/// A line up to this many characters is shown whole.
const LINE_MAX: usize = 160;
/// Characters shown before the span, of the span itself, and after it, on
/// a longer line.
const BEFORE: usize = 60;
const SPAN_MAX: usize = 80;
const AFTER: usize = 40;
/// Characters shown of a context line above or below.
const CONTEXT: usize = 60;
const ELLIPSIS: &str = "…";

/// A text and where its lines start, computed once per file.
#[derive(Debug, Clone)]
pub struct IndexedText {
    pub text: Arc<String>,
    line_starts: Arc<Vec<usize>>,
}

impl IndexedText {
    pub fn new(text: Arc<String>) -> Self {
        let mut line_starts = vec![0];
        line_starts.extend(memchr::memchr_iter(b'\n', text.as_bytes()).map(|i| i + 1));
        IndexedText {
            text,
            line_starts: Arc::new(line_starts),
        }
    }

    /// Line (0-based) of a byte offset.
    fn line_of(&self, offset: usize) -> usize {
        self.line_starts
            .partition_point(|&s| s <= offset)
            .saturating_sub(1)
    }

    /// Byte range of line `line`, without its line break.
    fn line_range(&self, line: usize) -> Range<usize> {
        let start = self.line_starts[line];
        let mut end = self
            .line_starts
            .get(line + 1)
            .map_or(self.text.len(), |next| next - 1);
        if self.text.as_bytes().get(end.wrapping_sub(1)) == Some(&b'\r') && end > start {
            end -= 1;
        }
        start..end
    }
}

/// The window miette renders: a few short lines of escaped text.
#[derive(Debug, Clone)]
pub struct Window {
    name: String,
    text: String,
    /// Real line (0-based) of the window's first line.
    first_line: usize,
    /// Real column (0-based, in characters) of the span's start.
    label_column: usize,
}

impl SourceCode for Window {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        let inner =
            self.text
                .as_str()
                .read_span(span, context_lines_before, context_lines_after)?;
        // miette asks for the span alone (no context) to print the header
        // `[file:line:column]`: that column is the real one.
        let column = if context_lines_before == 0 && context_lines_after == 0 {
            self.label_column
        } else {
            inner.column()
        };
        Ok(Box::new(MietteSpanContents::new_named(
            self.name.clone(),
            inner.data(),
            *inner.span(),
            inner.line() + self.first_line,
            column,
            inner.line_count(),
        )))
    }
}

/// Escapes unsafe characters but keeps tabs (indentation), for snippet lines.
fn push_snippet_text(out: &mut String, s: &str) {
    for c in s.chars() {
        if c != '\t' && is_unsafe(c) {
            out.push_str(&super::escape::escape(c.encode_utf8(&mut [0; 4])));
        } else {
            out.push(c);
        }
    }
}

/// A context line, cut to its first characters.
fn push_context_line(out: &mut String, line: &str) {
    match line.char_indices().nth(CONTEXT) {
        Some((cut, _)) => {
            push_snippet_text(out, &line[..cut]);
            out.push_str(ELLIPSIS);
        }
        None => push_snippet_text(out, line),
    }
}

/// The window around `range` in `source`, and the span to label in it.
/// `column` is the span's real 1-based column (in characters).
pub fn window(
    name: &str,
    source: &IndexedText,
    range: Range<usize>,
    column: usize,
) -> (Window, SourceSpan) {
    let text = source.text.as_str();
    let start = super::escape::floor_char_boundary(text, range.start);
    let line = source.line_of(start);
    let line_range = source.line_range(line);
    let start = start.clamp(line_range.start, line_range.end);
    let end = super::escape::floor_char_boundary(text, range.end).clamp(start, line_range.end);
    let short_line = text[line_range.clone()].chars().nth(LINE_MAX).is_none();
    let (end, before_start, after_end) = if short_line {
        (end, line_range.start, line_range.end)
    } else {
        let end = text[start..end]
            .char_indices()
            .nth(SPAN_MAX)
            .map_or(end, |(i, _)| start + i);
        let before_start = text[line_range.start..start]
            .char_indices()
            .rev()
            .take(BEFORE)
            .last()
            .map_or(start, |(i, _)| line_range.start + i);
        let after_end = text[end..line_range.end]
            .char_indices()
            .nth(AFTER)
            .map_or(line_range.end, |(i, _)| end + i);
        (end, before_start, after_end)
    };

    let mut out = String::new();
    let first_line = if line > 0 {
        let above = source.line_range(line - 1);
        push_context_line(&mut out, &text[above]);
        out.push('\n');
        line - 1
    } else {
        line
    };
    if before_start > line_range.start {
        out.push_str(ELLIPSIS);
    }
    push_snippet_text(&mut out, &text[before_start..start]);
    let span_start = out.len();
    push_snippet_text(&mut out, &text[start..end]);
    let span_len = out.len() - span_start;
    push_snippet_text(&mut out, &text[end..after_end]);
    if after_end < line_range.end {
        out.push_str(ELLIPSIS);
    }
    if line + 1 < source.line_starts.len() {
        let below = source.line_range(line + 1);
        out.push('\n');
        push_context_line(&mut out, &text[below]);
    }
    let name = super::escape::escape(name).into_owned();
    (
        Window {
            name,
            text: out,
            first_line,
            label_column: column.saturating_sub(1),
        },
        SourceSpan::new(span_start.into(), span_len),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn win(text: &str, range: Range<usize>) -> (String, String) {
        let source = IndexedText::new(Arc::new(text.to_string()));
        let (w, span) = window("f", &source, range, 1);
        let labelled = w.text[span.offset()..span.offset() + span.len()].to_string();
        (w.text, labelled)
    }

    #[test]
    fn a_long_line_is_cut_around_the_span() {
        let line = format!("{}TARGET{}", "a".repeat(100_000), "b".repeat(100_000));
        let (text, labelled) = win(&line, 100_000..100_006);
        assert_eq!(labelled, "TARGET");
        assert_eq!(
            text,
            format!("…{}TARGET{}…", "a".repeat(BEFORE), "b".repeat(AFTER))
        );
    }

    #[test]
    fn neighbours_are_cut_and_controls_escaped() {
        let text = format!("{}\n\t\"k\u{1b}\": 1\n{}", "x".repeat(500), "y".repeat(3));
        let (shown, labelled) = win(&text, 502..506);
        assert_eq!(labelled, "\"k\\u{1b}\"");
        assert_eq!(
            shown,
            format!("{}…\n\t\"k\\u{{1b}}\": 1\nyyy", "x".repeat(CONTEXT))
        );
    }

    #[test]
    fn spans_past_the_line_or_text_are_clipped() {
        let (_, labelled) = win("ab\ncd", 1..5);
        assert_eq!(labelled, "b");
        let (_, labelled) = win("ab", 5..9);
        assert_eq!(labelled, "");
        let (_, labelled) = win("é", 1..2);
        assert_eq!(labelled, "é");
    }
}
