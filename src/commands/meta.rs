//! `rules` and `explain`: what swml-sec checks.

use super::{EXIT_OK, UsageError, write_stdout};

pub(crate) fn run_rules(format: crate::cli::RulesFormat) -> Result<u8, UsageError> {
    use crate::cli::RulesFormat;
    use crate::report::rules_out;
    let text = match format {
        RulesFormat::Human => rules_out::render_table(),
        RulesFormat::Json => rules_out::render_json(),
        RulesFormat::Markdown => rules_out::render_markdown(),
    };
    write_stdout(&text)?;
    Ok(EXIT_OK)
}

pub(crate) fn run_explain(id: &str) -> Result<u8, UsageError> {
    use crate::checks::registry::{RULES, rule};
    let Some(r) = rule(id) else {
        let hint = crate::resolve::did_you_mean(id, RULES.iter().map(|r| r.id))
            .map_or(String::new(), |s| format!(" (did you mean {s}?)"));
        return Err(UsageError::Other(format!(
            "no rule {id:?}{hint}; `swml-sec rules` lists them"
        )));
    };
    let text = crate::report::rules_out::render_explain(r);
    write_stdout(&text)?;
    Ok(EXIT_OK)
}

/// The exit codes, in the man page's EXIT STATUS section.
const MAN_EXIT_STATUS: &str = r#".SH "EXIT STATUS"
.TP
\fB0\fR
Success; for \fBcheck\fR and \fBprobe\fR: no finding at or above the fail\-on severity.
.TP
\fB1\fR
\fBcheck\fR and \fBprobe\fR: at least one finding at or above the fail\-on severity (\fB\-\-fail\-on\fR, else the policy file's \fBfail_on\fR for the profile, else error).
.TP
\fB2\fR
The command could not run: a usage error, an input that cannot be read (a named config file, \fB\-\-env\-file\fR, \fB\-\-policy\fR, \fB\-\-ca\-file\fR), or output that cannot be written.
"#;

/// One man page for the whole tool: every command's synopsis and options
/// in a COMMANDS section (no sub-pages that are never installed), and the
/// exit codes.
pub(crate) fn man_page() -> Result<String, std::io::Error> {
    let mut cmd =
        <crate::cli::Cli as clap::CommandFactory>::command().disable_help_subcommand(true);
    cmd.build();
    let man = clap_mangen::Man::new(cmd.clone());
    let mut out = Vec::new();
    man.render_title(&mut out)?;
    // No hyphenation: a flag is never split at its own hyphen.
    out.extend_from_slice(b".nh\n");
    man.render_name_section(&mut out)?;
    man.render_synopsis_section(&mut out)?;
    man.render_description_section(&mut out)?;
    man.render_options_section(&mut out)?;
    let mut text = String::from_utf8_lossy(&out).into_owned();
    text.push_str(".SH COMMANDS\n");
    for sub in cmd.get_subcommands() {
        let sub_man = clap_mangen::Man::new(sub.clone());
        let mut part = Vec::new();
        sub_man.render_synopsis_section(&mut part)?;
        sub_man.render_description_section(&mut part)?;
        if sub.get_arguments().any(|a| !a.is_hide_set()) {
            sub_man.render_options_section(&mut part)?;
        }
        let part = String::from_utf8_lossy(&part)
            .replace(".SH SYNOPSIS\n", "")
            .replace(".SH DESCRIPTION\n", ".PP\n")
            .replace(".SH OPTIONS\n", ".PP\nOptions:\n");
        text.push_str(&format!(".SS \"{}\"\n{part}", sub.get_name()));
    }
    text.push_str(MAN_EXIT_STATUS);
    let mut tail = Vec::new();
    man.render_version_section(&mut tail)?;
    text.push_str(&String::from_utf8_lossy(&tail));
    Ok(text)
}
