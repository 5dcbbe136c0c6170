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
