//! `swml-sec resolve` output: human table, JSON (versioned), TOML, env.

use serde_json::{Map, Value, json};

use crate::finding::Finding;
use crate::model::{Effective, FlagId, SettingId, Source};
use crate::report::Secrets;
use crate::report::escape::escape;
use crate::resolve::Resolution;

pub const JSON_VERSION: u32 = 1;

fn effective_json(value: &Effective) -> Value {
    match value {
        Effective::Bool(b) => Value::Bool(*b),
        // Invariant: a BigInt's decimal form is a valid JSON number.
        Effective::Int(i) => serde_json::from_str(&i.to_string()).unwrap_or(Value::Null),
        Effective::Str(s) => s.clone().map_or(Value::Null, Value::String),
        // The mask, in the value's own slot.
        Effective::Secret(s) => s
            .as_ref()
            .map_or(Value::Null, |s| Value::String(s.to_string())),
        Effective::List(items) => Value::Array(items.iter().cloned().map(Value::String).collect()),
    }
}

fn source_json(source: &Source) -> Value {
    serde_json::to_value(source).unwrap_or(Value::Null)
}

pub fn findings_json(findings: &[Finding]) -> Value {
    serde_json::to_value(findings).unwrap_or(Value::Array(vec![]))
}

/// The data shared by the JSON and TOML formats.
pub fn to_json(res: &Resolution, secrets: Secrets<'_>) -> Value {
    let mut settings = Map::new();
    for id in SettingId::ALL {
        let s = res.settings.get(id);
        let mut entry = Map::new();
        entry.insert(
            "value".into(),
            effective_json(&secrets.display(&res.settings, id)),
        );
        entry.insert(
            "python_type".into(),
            Value::String(s.python.type_name().into()),
        );
        entry.insert("source".into(), source_json(&s.source));
        settings.insert(id.name().into(), Value::Object(entry));
    }
    let mut flags = Map::new();
    for id in FlagId::ALL {
        let f = res.settings.flag(id);
        flags.insert(
            id.name().into(),
            json!({"value": effective_json(&secrets.display_flag(&f.value)), "source": source_json(&f.source)}),
        );
    }
    json!({
        "version": JSON_VERSION,
        "config_file": res.config.as_ref().map(|c| c.path.clone()),
        "config_loaded": res.config.as_ref().is_some_and(|c| c.loaded),
        "profile": null,
        "settings": settings,
        "env_flags": flags,
        "diagnostics": findings_json(&res.findings),
    })
}

fn json_to_toml(v: &Value) -> Option<toml::Value> {
    Some(match v {
        Value::Null => return None,
        Value::Bool(b) => toml::Value::Boolean(*b),
        Value::Number(n) => match n.as_i64() {
            Some(i) => toml::Value::Integer(i),
            // TOML integers are 64-bit; larger ones keep their digits as text.
            None => toml::Value::String(n.to_string()),
        },
        Value::String(s) => toml::Value::String(s.clone()),
        Value::Array(items) => toml::Value::Array(items.iter().filter_map(json_to_toml).collect()),
        Value::Object(map) => toml::Value::Table(
            map.iter()
                .filter_map(|(k, v)| json_to_toml(v).map(|t| (k.clone(), t)))
                .collect(),
        ),
    })
}

/// The JSON data as TOML. TOML has no null: a setting whose value is null
/// has no `value` key.
pub fn json_to_toml_text(data: &Value) -> String {
    let table = json_to_toml(data).unwrap_or(toml::Value::Table(Default::default()));
    toml::to_string_pretty(&table).unwrap_or_default()
}

/// Shell quoting that keeps each value on its line: POSIX single quotes,
/// or, for a value with control or bidi characters, dollar-single quotes
/// (`$'a\nb'`, POSIX.1-2024, bash, zsh, ksh) with those characters as
/// `\xHH` bytes.
pub fn shell_quote(s: &str) -> String {
    if !s.chars().any(crate::report::escape::is_unsafe) {
        return format!("'{}'", s.replace('\'', "'\\''"));
    }
    let mut out = String::from("$'");
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\'' => out.push_str("\\'"),
            c if crate::report::escape::is_unsafe(c) => {
                for b in c.encode_utf8(&mut [0; 4]).bytes() {
                    out.push_str(&format!("\\x{b:02x}"));
                }
            }
            c => out.push(c),
        }
    }
    out.push('\'');
    out
}

/// `export` lines that give the same effective settings through the
/// environment alone.
pub fn render_env(res: &Resolution, secrets: Secrets<'_>) -> String {
    let mut out = String::new();
    out.push_str("# Effective SDK security settings, as environment variables (swml-sec resolve --format env)\n");
    for id in SettingId::ALL {
        let name = id.env_var();
        let shown = secrets.display(&res.settings, id);
        if matches!(shown, Effective::Secret(Some(_))) {
            out.push_str(&format!(
                "# {name} is set but redacted: add --show-secrets to print it\n"
            ));
            continue;
        }
        let text = match &shown {
            Effective::Bool(b) => b.to_string(),
            Effective::Int(i) => i.to_string(),
            Effective::Str(None) | Effective::Secret(None) => {
                if id == SettingId::BasicAuthPassword {
                    out.push_str("# no password: the SDK generates a new one at every start\n");
                }
                out.push_str(&format!("unset {name}\n"));
                continue;
            }
            // Not reached: a masked value is a comment above.
            Effective::Secret(Some(s)) => s.to_string(),
            Effective::Str(Some(s)) => {
                if id == SettingId::BasicAuthPassword && s.is_empty() {
                    out.push_str(
                        "# an empty password: the SDK generates a new one at every start\n",
                    );
                }
                s.clone()
            }
            Effective::List(items) => {
                if items
                    .iter()
                    .any(|i| i.contains(',') || i.trim() != i || i.is_empty())
                {
                    out.push_str(&format!("# {name}: an item is empty, has a comma or surrounding spaces, which a variable cannot carry\n"));
                }
                if items.is_empty() {
                    ",".to_string()
                } else {
                    items.join(",")
                }
            }
        };
        out.push_str(&format!("export {name}={}\n", shell_quote(&text)));
    }
    for id in FlagId::ALL {
        let f = res.settings.flag(id);
        if f.source == Source::Default {
            continue;
        }
        let text = match &secrets.display_flag(&f.value) {
            Effective::Bool(b) => b.to_string(),
            Effective::Str(Some(s)) => s.clone(),
            Effective::Secret(Some(_)) => {
                out.push_str(&format!(
                    "# {} is set but redacted: add --show-secrets to print it\n",
                    id.env_var()
                ));
                continue;
            }
            _ => continue,
        };
        out.push_str(&format!("export {}={}\n", id.env_var(), shell_quote(&text)));
    }
    out
}

fn source_text(source: &Source) -> String {
    let text = match source {
        Source::Default => "default".into(),
        Source::Env {
            name,
            env_file: Some(file),
            line: Some(line),
        } => format!("{name} ({file}:{line})"),
        Source::Env { name, .. } => name.clone(),
        Source::File(span) => {
            let mut s = format!("{}:{}:{}", span.path, span.line, span.column);
            if let Some(via) = &span.via {
                s.push_str(&format!(" via {via}"));
            }
            s
        }
    };
    crate::report::escape::escape(&text).into_owned()
}

fn value_text(value: &Effective) -> String {
    match value {
        Effective::Bool(b) => b.to_string(),
        Effective::Int(i) => i.to_string(),
        Effective::Str(None) | Effective::Secret(None) => "(none)".into(),
        Effective::Str(Some(s)) => format!("{s:?}"),
        Effective::Secret(Some(s)) => format!("{:?}", s.to_string()),
        Effective::List(items) => crate::report::quoted_list(items),
    }
}

pub fn render_human(res: &Resolution, secrets: Secrets<'_>) -> String {
    let mut out = String::new();
    match &res.config {
        Some(c) if c.loaded => out.push_str(&format!("config file: {}\n\n", escape(&c.path))),
        Some(c) => out.push_str(&format!(
            "config file: {} (ignored by the SDK)\n\n",
            escape(&c.path)
        )),
        None => out.push_str("config file: none found (environment and defaults only)\n\n"),
    }
    let rows: Vec<(String, String, String)> = SettingId::ALL
        .into_iter()
        .map(|id| {
            let s = res.settings.get(id);
            let mut value = value_text(&secrets.display(&res.settings, id));
            if id == SettingId::BasicAuthPassword && s.value.is_none() {
                value = if value == "\"\"" {
                    "\"\" (generated at each start)".into()
                } else {
                    "(generated at each start)".into()
                };
            }
            (id.name().to_string(), value, source_text(&s.source))
        })
        .chain(FlagId::ALL.into_iter().filter_map(|id| {
            let f = res.settings.flag(id);
            (f.source != Source::Default).then(|| {
                (
                    id.env_var().to_string(),
                    value_text(&secrets.display_flag(&f.value)),
                    source_text(&f.source),
                )
            })
        }))
        .collect();
    let w0 = rows
        .iter()
        .map(|r| r.0.chars().count())
        .max()
        .unwrap_or(7)
        .max(7);
    let w1 = rows
        .iter()
        .map(|r| r.1.chars().count())
        .max()
        .unwrap_or(5)
        .clamp(5, 48);
    out.push_str(&format!(
        "{:w0$}  {:w1$}  {}\n",
        "setting", "value", "source"
    ));
    for (name, value, source) in rows {
        out.push_str(&format!("{name:w0$}  {value:w1$}  {source}\n"));
    }
    out
}
