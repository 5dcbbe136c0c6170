//! GitHub Actions workflow commands: `::error file=...,line=...::message`.

use crate::finding::{Finding, Severity};
use crate::report::locate::Locator;

/// Escaping for the message part of a workflow command.
pub fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escaping for a property value (file, title): also `:` and `,`.
pub fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

pub fn render(
    findings: &[Finding],
    locator: &Locator,
    out: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    for f in findings {
        let command = match f.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Note => "notice",
        };
        let place = locator.place(f);
        let mut props = vec![format!("file={}", escape_property(&place.uri))];
        if let Some(r) = &place.region {
            props.push(format!("line={}", r.start_line));
            props.push(format!("col={}", r.start_column));
            if let Some(el) = r.end_line {
                props.push(format!("endLine={el}"));
            }
            if let Some(ec) = r.end_column {
                props.push(format!("endColumn={ec}"));
            }
        }
        props.push(format!("title={}", escape_property(f.rule)));
        let mut message = f.message.to_string();
        if let Some(help) = &f.help {
            message = format!("{message}\nhelp: {help}");
        }
        writeln!(
            out,
            "::{command} {}::{}",
            props.join(","),
            escape_data(&message)
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_as_github_requires() {
        assert_eq!(escape_data("50% done\r\nnext"), "50%25 done%0D%0Anext");
        assert_eq!(escape_property("a:b,c%\n"), "a%3Ab%2Cc%25%0A");
    }
}
