//! What the `render` and `redact` targets share: every output a config can
//! become (each `check` format, each `resolve` format and resolve's
//! diagnostics on standard error), and the checks made on each.

#![allow(dead_code)]

pub mod redact_property;
pub mod render_property;

use swml_sec::cli::CheckFormat;
use swml_sec::commands::check::check_in_memory;
use swml_sec::input::EnvView;
use swml_sec::policy::Profile;
use swml_sec::report::Secrets;
use swml_sec::report::human::{Sources, render_findings};
use swml_sec::report::output::{Document, Output};
use swml_sec::report::redact::{Redactor, secrets_of_run};
use swml_sec::report::resolve_out;

/// Certificates are judged at this time (2027-01-15).
pub const AT: i64 = 1_800_000_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Lines for a terminal or a CI log.
    Text,
    Json,
    Xml,
    Toml,
}

pub struct Rendered {
    pub name: &'static str,
    pub kind: Kind,
    pub text: String,
}

pub const CHECK_FORMATS: [(CheckFormat, &str, Kind); 5] = [
    (CheckFormat::Human, "check human", Kind::Text),
    (CheckFormat::Json, "check json", Kind::Json),
    (CheckFormat::Sarif, "check sarif", Kind::Json),
    (CheckFormat::Github, "check github", Kind::Text),
    (CheckFormat::Junit, "check junit", Kind::Xml),
];

/// Every output of `check` (each format) and `resolve` (each format, and
/// its diagnostics) for `config` in `env`.
pub fn render_everything(config: &[u8], env: &EnvView, profile: Profile) -> Vec<Rendered> {
    let mut out: Vec<Rendered> = CHECK_FORMATS
        .iter()
        .map(|&(format, name, kind)| Rendered {
            name,
            kind,
            text: check_in_memory(config, env, format, profile, AT),
        })
        .collect();

    // `resolve`, as commands/resolve.rs renders it.
    let mut res = swml_sec::resolve::resolve_with_config_bytes(env, "config.json", config);
    res.findings =
        swml_sec::policy::apply_profile(std::mem::take(&mut res.findings), Profile::Prod);
    let output = Output::new(Redactor::new(secrets_of_run(&res, env, [])), false, false);
    output.sanitize(&mut res.findings);
    let secrets = Secrets {
        show: false,
        redactor: &output.redactor,
    };
    let mut sources = Sources::default();
    if let Some(c) = &res.config
        && let Some(text) = &c.text
    {
        let (masked, map) = swml_sec::report::redacted_source_mapped(text, &res, &output.redactor);
        sources.add_mapped(&c.path, std::sync::Arc::new(masked), map);
    }
    let mut stderr = Vec::new();
    // Writing into memory cannot fail (as in commands/resolve.rs).
    let _ = render_findings(&res.findings, &sources, false, &mut stderr);
    let stderr = String::from_utf8_lossy(&stderr).into_owned();
    out.push(Rendered {
        name: "resolve stderr",
        kind: Kind::Text,
        text: output.finish(Document::Text(stderr), false),
    });
    let docs = [
        (
            "resolve human",
            Kind::Text,
            Document::Text(resolve_out::render_human(&res, secrets)),
        ),
        (
            "resolve env",
            Kind::Text,
            Document::Text(resolve_out::render_env(&res, secrets)),
        ),
        (
            "resolve json",
            Kind::Json,
            Document::Json(resolve_out::to_json(&res, secrets)),
        ),
        (
            "resolve toml",
            Kind::Toml,
            Document::Toml(resolve_out::to_json(&res, secrets)),
        ),
    ];
    for (name, kind, doc) in docs {
        out.push(Rendered {
            name,
            kind,
            text: output.finish(doc, false),
        });
    }
    out
}

/// A character no text output may carry raw (checked independently of
/// `report::escape`): C0/C1 controls but newline and tab, DEL, bidi
/// controls, line/paragraph separators, noncharacters.
pub fn forbidden(c: char) -> bool {
    let u = c as u32;
    (c.is_control() && c != '\n' && c != '\t')
        || matches!(u, 0x061C | 0x200E | 0x200F | 0x202A..=0x202E | 0x2066..=0x2069)
        || matches!(u, 0x2028 | 0x2029)
        || (0xFDD0..=0xFDEF).contains(&u)
        || (u & 0xFFFE) == 0xFFFE
}

/// Every string of a JSON document, keys included.
pub fn json_strings(v: &serde_json::Value, out: &mut Vec<String>) {
    use serde_json::Value;
    match v {
        Value::String(s) => out.push(s.clone()),
        Value::Array(items) => items.iter().for_each(|i| json_strings(i, out)),
        Value::Object(map) => {
            for (k, v) in map {
                out.push(k.clone());
                json_strings(v, out);
            }
        }
        _ => {}
    }
}

/// Every text and attribute value of an XML document, decoded.
pub fn xml_strings(doc: &roxmltree::Document<'_>) -> Vec<String> {
    let mut out = Vec::new();
    for node in doc.descendants() {
        if let Some(t) = node.text() {
            out.push(t.to_string());
        }
        for a in node.attributes() {
            out.push(a.value().to_string());
        }
    }
    out
}

/// The format-independent checks: documents parse, text has no raw
/// control character. Returns the decoded strings of structured documents.
pub fn check_well_formed(r: &Rendered) -> Vec<String> {
    match r.kind {
        Kind::Json => {
            let v: serde_json::Value = serde_json::from_str(&r.text)
                .unwrap_or_else(|e| panic!("{}: not JSON ({e}):\n{}", r.name, r.text));
            let mut strings = Vec::new();
            json_strings(&v, &mut strings);
            strings
        }
        Kind::Xml => {
            let doc = roxmltree::Document::parse(&r.text)
                .unwrap_or_else(|e| panic!("{}: not XML ({e}):\n{}", r.name, r.text));
            xml_strings(&doc)
        }
        Kind::Toml => {
            if let Err(e) = r.text.parse::<toml::Table>() {
                panic!("{}: not TOML ({e}):\n{}", r.name, r.text);
            }
            if let Some(c) = r.text.chars().find(|&c| forbidden(c)) {
                panic!("{}: raw U+{:04X} in:\n{}", r.name, c as u32, r.text);
            }
            Vec::new()
        }
        Kind::Text => {
            if let Some(c) = r.text.chars().find(|&c| forbidden(c)) {
                panic!("{}: raw U+{:04X} in:\n{}", r.name, c as u32, r.text);
            }
            Vec::new()
        }
    }
}

/// `SWML_BASIC_AUTH_PASSWORD` etc. from `NAME=VALUE` lines.
pub fn env_lines(base: &[(&str, &str)], block: &str) -> EnvView {
    let mut pairs: Vec<(String, String)> = base
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    for line in block.split('\n').take(8) {
        if let Some((k, v)) = line.split_once('=')
            && !k.is_empty()
        {
            pairs.push((k.to_string(), v.to_string()));
        }
    }
    EnvView::from_pairs(pairs)
}
