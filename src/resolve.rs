//! Defaults < environment < config file, with the SDK's coercions, in the
//! order `SecurityConfig.__init__` applies them. Every value keeps its
//! source; every surprise becomes a finding.

use std::sync::Arc;

use num_bigint::BigInt;

use crate::expand::{SubstitutionOutcome, SyntaxProblem, expand, retype_for};
use crate::finding::{Finding, Location, position};
use crate::input::{
    CONFIG_SIZE_CAP, ConfigChoice, EnvOrigin, EnvView, ReadError, discover_config, read_bounded,
};
use crate::json::{JNode, JValue, parse_owned};
use crate::model::known_env_vars;
use crate::model::{
    Effective, FileSpan, FlagId, Held, ResolvedFlag, ResolvedSetting, SECURITY_KEYS, Sdk, Secret,
    SettingId, SettingKind, Settings, Source,
};
use crate::py::{PyValue, py_lower, py_strip};

/// Values nested this many levels below `security` make the SDK raise
/// "Maximum variable substitution depth exceeded".
const SUBSTITUTION_DEPTH_LIMIT: usize = 10;

/// The config file the SDK looked at, with its text for snippets.
#[derive(Clone)]
pub struct ConfigSource {
    pub path: String,
    pub explicit: bool,
    /// The text, when the file could be read as UTF-8.
    pub text: Option<Arc<String>>,
    /// True when the SDK would load it (it is valid JSON).
    pub loaded: bool,
    /// Byte range of the `security` key, for findings with no better place.
    pub security_key: Option<std::ops::Range<usize>>,
    /// Valid JSON for Python that swml-sec cannot follow: the SDK may load it.
    pub beyond_swml_sec: bool,
}

impl std::fmt::Debug for ConfigSource {
    /// Not the text: a config file may hold a password or a key.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ConfigSource")
            .field("path", &self.path)
            .field("explicit", &self.explicit)
            .field(
                "text",
                &self.text.as_ref().map(|_| crate::model::Secret::MASK),
            )
            .field("loaded", &self.loaded)
            .field("security_key", &self.security_key)
            .field("beyond_swml_sec", &self.beyond_swml_sec)
            .finish()
    }
}

#[derive(Debug, Clone)]
pub struct Resolution {
    pub settings: Settings,
    pub config: Option<ConfigSource>,
    pub findings: Vec<Finding>,
}

impl Resolution {
    /// The SDK raises while loading its settings: the service cannot start.
    pub fn blocks_start(&self) -> bool {
        self.findings.iter().any(|f| f.blocks_start)
    }

    /// The config file exists (or was named) but the SDK would not use it.
    pub fn config_ignored(&self) -> bool {
        self.config.as_ref().is_some_and(|c| !c.loaded)
    }
}

/// Line and column (1-based, in characters) of byte offsets in a text.
pub struct LineIndex<'a> {
    text: &'a str,
    line_starts: Vec<usize>,
    /// The last answer (offset, line, column): findings come in text order,
    /// so the next column is counted from there, not from the line's start
    /// (20,000 findings on one minified line stay linear).
    last: std::cell::Cell<(usize, usize, usize)>,
}

impl<'a> LineIndex<'a> {
    pub fn new(text: &'a str) -> Self {
        let mut line_starts = vec![0];
        line_starts.extend(memchr::memchr_iter(b'\n', text.as_bytes()).map(|i| i + 1));
        Self {
            text,
            line_starts,
            last: std::cell::Cell::new((0, 1, 1)),
        }
    }

    /// The 1-based line holding `offset`. Findings come in text order, so
    /// it is tried on the last answer's line and the next before a search.
    fn line_of(&self, offset: usize, near: usize) -> usize {
        let holds = |line: usize| {
            line >= 1
                && self
                    .line_starts
                    .get(line - 1)
                    .is_some_and(|&start| start <= offset)
                && self.line_starts.get(line).is_none_or(|&next| next > offset)
        };
        [near, near + 1]
            .into_iter()
            .find(|&line| holds(line))
            .unwrap_or_else(|| self.line_starts.partition_point(|&s| s <= offset))
    }

    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let mut offset = offset.min(self.text.len());
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        let (last_offset, last_line, last_column) = self.last.get();
        let line = self.line_of(offset, last_line);
        let start = self.line_starts[line.saturating_sub(1)];
        let (from, base) = if last_line == line && last_offset >= start && last_offset <= offset {
            (last_offset, last_column)
        } else {
            (start, 1)
        };
        let column = base + self.text[from..offset].chars().count();
        self.last.set((offset, line, column));
        (line, column)
    }
}

struct FileCtx<'a> {
    path: &'a Arc<str>,
    index: LineIndex<'a>,
    text: &'a str,
}

impl FileCtx<'_> {
    fn location(&self, range: std::ops::Range<usize>, pointer: impl Into<Box<str>>) -> Location {
        let (line, column) = self.index.line_col(range.start);
        Location::File {
            path: Arc::clone(self.path),
            line: position(line),
            column: position(column),
            pointer: Some(pointer.into()),
            range,
        }
    }

    fn span(&self, node: &JNode, pointer: &str, via: Option<String>) -> FileSpan {
        let (line, column) = self.index.line_col(node.range.start);
        FileSpan {
            path: self.path.to_string(),
            line,
            column,
            pointer: pointer.to_string(),
            via,
            range: node.range.clone(),
        }
    }

    /// The byte range in the file of `inner` (a range in the decoded string
    /// of `node`), when the literal has no escapes; else the whole literal.
    fn inner_range(&self, node: &JNode, inner: &std::ops::Range<usize>) -> std::ops::Range<usize> {
        let raw = &self.text[node.range.clone()];
        if raw.len() >= 2 && !raw.contains('\\') {
            let start = node.range.start + 1 + inner.start;
            start..node.range.start + 1 + inner.end
        } else {
            node.range.clone()
        }
    }
}

fn env_source(env: &EnvView, name: &str) -> Source {
    match env.var(name).map(|v| &v.origin) {
        Some(EnvOrigin::EnvFile { path, line, .. }) => Source::Env {
            name: name.to_string(),
            env_file: Some(path.clone()),
            line: Some(*line),
        },
        _ => Source::Env {
            name: name.to_string(),
            env_file: None,
            line: None,
        },
    }
}

pub fn env_location(env: &EnvView, name: &str) -> Location {
    source_location(&env_source(env, name))
}

/// Where a finding about a resolved value should point.
pub fn source_location(source: &Source) -> Location {
    match source {
        Source::Default => Location::Default,
        Source::Env {
            name,
            env_file,
            line,
        } => Location::Env {
            name: name.as_str().into(),
            env_file: env_file.as_deref().map(Into::into),
            line: *line,
        },
        Source::File(span) => Location::File {
            path: span.path.as_str().into(),
            line: position(span.line),
            column: position(span.column),
            pointer: Some(span.pointer.as_str().into()),
            range: span.range.clone(),
        },
    }
}

fn default_setting(id: SettingId) -> ResolvedSetting {
    let (value, python) = match id {
        SettingId::SslEnabled => (Effective::Bool(false), PyValue::Bool(false)),
        SettingId::UseHsts => (Effective::Bool(true), PyValue::Bool(true)),
        SettingId::SslVerifyMode => (
            Effective::Str(Some("CERT_REQUIRED".into())),
            PyValue::Str("CERT_REQUIRED".into()),
        ),
        SettingId::AllowedHosts | SettingId::CorsOrigins => (
            Effective::List(vec!["*".into()]),
            PyValue::List(vec![PyValue::Str("*".into())]),
        ),
        SettingId::MaxRequestSize => int_pair(10 * 1024 * 1024),
        SettingId::RateLimit => int_pair(60),
        SettingId::RequestTimeout => int_pair(30),
        SettingId::HstsMaxAge => int_pair(31_536_000),
        SettingId::BasicAuthUser => (Effective::Str(Some("signalwire".into())), PyValue::None),
        SettingId::BasicAuthPassword => (Effective::Secret(None), PyValue::None),
        _ => (Effective::Str(None), PyValue::None),
    };
    ResolvedSetting {
        id,
        python: Held::of(&value, python),
        value,
        source: Source::Default,
    }
}

fn int_pair(i: i64) -> (Effective, PyValue) {
    (
        Effective::Int(BigInt::from(i)),
        PyValue::Int(BigInt::from(i)),
    )
}

/// `_parse_list` on a string: `*` alone, else split on commas, strip, drop
/// empty items. Returns the list and whether an empty item was dropped.
fn parse_list_str(s: &str) -> (Vec<String>, bool) {
    if s == "*" {
        return (vec!["*".into()], false);
    }
    let mut dropped = false;
    let items = s
        .split(',')
        .filter_map(|item| {
            let t = py_strip(item);
            if t.is_empty() {
                dropped = true;
                None
            } else {
                Some(t.to_string())
            }
        })
        .collect();
    (items, dropped)
}

const HUMAN_FALSE: [&str; 6] = ["false", "0", "no", "off", "n", "disabled"];
const HUMAN_TRUE: [&str; 6] = ["true", "1", "yes", "on", "y", "enabled"];

/// How a person most likely reads a boolean word (trimmed, any case).
fn human_reading(s: &str) -> Option<bool> {
    let t = s.trim().to_lowercase();
    if HUMAN_TRUE.contains(&t.as_str()) {
        Some(true)
    } else if HUMAN_FALSE.contains(&t.as_str()) || t.is_empty() {
        Some(false)
    } else {
        None
    }
}

pub struct Resolver<'a> {
    env: &'a EnvView,
    sdk: Sdk,
    findings: Vec<Finding>,
    items: Vec<ResolvedSetting>,
}

/// Resolves as the SDK does with `bytes` as the content of the config file
/// at `path` (for fuzzing and property tests: no file system access).
pub fn resolve_with_config_bytes(env: &EnvView, path: &str, bytes: &[u8]) -> Resolution {
    resolve_with_config_bytes_for(env, path, bytes, Sdk::default())
}

/// [`resolve_with_config_bytes`] as the SDK package `sdk` does it (a
/// config read from standard input).
pub fn resolve_with_config_bytes_for(
    env: &EnvView,
    path: &str,
    bytes: &[u8],
    sdk: Sdk,
) -> Resolution {
    resolve_with(env, sdk, |r| {
        Some(r.load_config_bytes(path.to_string(), true, bytes.to_vec()))
    })
}

/// Resolves the settings exactly as the SDK does for `choice`.
pub fn resolve(env: &EnvView, choice: &ConfigChoice) -> Resolution {
    resolve_for(env, choice, Sdk::default())
}

/// [`resolve`] as the SDK package `sdk` does it.
pub fn resolve_for(env: &EnvView, choice: &ConfigChoice, sdk: Sdk) -> Resolution {
    resolve_with(env, sdk, |r| r.load_config_file(choice))
}

/// Defaults, then the environment, with no config file: what a class that
/// reads the environment alone (AgentServer's TLS) acts on.
pub fn resolve_env_only(env: &EnvView, sdk: Sdk) -> Resolution {
    resolve_with(env, sdk, |_| None)
}

/// Defaults, then the environment, then the config file: the SDK's order.
fn resolve_with(
    env: &EnvView,
    sdk: Sdk,
    load_config: impl FnOnce(&mut Resolver) -> Option<ConfigSource>,
) -> Resolution {
    let mut r = Resolver {
        env,
        sdk,
        findings: Vec::new(),
        items: SettingId::ALL.map(default_setting).to_vec(),
    };
    r.check_env_names();
    r.load_env();
    let flags = r.load_flags();
    let config = load_config(&mut r);
    Resolution {
        settings: Settings {
            items: r.items,
            flags,
        },
        config,
        findings: r.findings,
    }
}

impl Resolver<'_> {
    fn set(&mut self, id: SettingId, value: Effective, python: PyValue, source: Source) {
        // Invariant: items is indexed in SettingId::ALL order.
        if let Some(slot) = self.items.iter_mut().find(|s| s.id == id) {
            if let (Source::Env { name, .. }, Source::File(span)) = (&slot.source, &source) {
                // The file wins; unless it reads the very same variable, the
                // variable has no effect. Names only: values may be secrets.
                let reads_it = span
                    .via
                    .as_deref()
                    .is_some_and(|v| v.split(", ").any(|p| p.split(' ').next() == Some(name)));
                if !reads_it {
                    let env_place = match env_location(self.env, name) {
                        Location::Env {
                            env_file: Some(file),
                            line: Some(line),
                            ..
                        } => format!("{name} (set in {file} line {line})"),
                        _ => format!("{name} (set in the environment)"),
                    };
                    self.findings.push(
                        Finding::new(
                            "env-overridden",
                            format!(
                                "{env_place} has no effect: {} at {} line {} overrides it",
                                id.name(),
                                span.path,
                                span.line
                            ),
                        )
                        .help(format!(
                            "set {} in one place: remove it from the file, or reference the variable there (\"${{{name}}}\")",
                            id.name()
                        ))
                        .setting(id.name())
                        .at(source_location(&source)),
                    );
                }
            }
            *slot = ResolvedSetting {
                id,
                python: Held::of(&value, python),
                value,
                source,
            };
        }
    }

    fn check_env_names(&mut self) {
        self.findings.extend(self.env.findings.iter().cloned());
        let known: Vec<&str> = known_env_vars().collect();
        for (name, var) in self.env.iter() {
            if !name.starts_with("SWML_") {
                continue;
            }
            if !known.contains(&name.as_str()) {
                let mut f =
                    Finding::new("env-unknown-var", format!("{name} is not read by the SDK"))
                        .at(env_location(self.env, name));
                if let Some(best) = did_you_mean(name, known.iter().copied()) {
                    f = f.help(format!("did you mean {best}?"));
                } else {
                    f = f.help("the SDK reads the SWML_* variables listed by `swml-sec resolve`");
                }
                self.findings.push(f);
            }
            if var.not_utf8 {
                self.findings.push(
                    Finding::new(
                        "env-not-utf8",
                        format!("{name} is not valid UTF-8; shown here with U+FFFD"),
                    )
                    .at(env_location(self.env, name)),
                );
            }
        }
        for name in &self.env.invalid_names {
            self.findings.push(
                Finding::new(
                    "env-not-utf8",
                    format!("an environment variable name is not valid UTF-8: {name}"),
                )
                .at(Location::Env {
                    name: name.as_str().into(),
                    env_file: None,
                    line: None,
                }),
            );
        }
    }

    /// `SecurityConfig.load_from_env`.
    fn load_env(&mut self) {
        for id in SettingId::ALL {
            let name = id.env_var();
            let Some(raw) = self.env.get(name).map(str::to_string) else {
                continue;
            };
            let source = env_source(self.env, name);
            let location = env_location(self.env, name);
            match id.kind() {
                SettingKind::Bool => self.env_bool(id, &raw, source, location),
                SettingKind::Int => match crate::py::int_from_str(&raw) {
                    Ok(i) => self.set(id, Effective::Int(i.clone()), PyValue::Int(i), source),
                    Err(e) => self.findings.push(
                        Finding::new(
                            "value-not-integer",
                            format!(
                                "{name}={raw:?} is not an integer: the SDK raises {e} at start-up"
                            ),
                        )
                        .help("write a plain whole number")
                        .setting(id.name())
                        .at(location)
                        .blocks_start(),
                    ),
                },
                SettingKind::List => {
                    let (items, dropped) = parse_list_str(&raw);
                    if dropped {
                        self.findings.push(
                            Finding::new(
                                "list-empty-entry",
                                format!("{name} has an empty item, which the SDK drops"),
                            )
                            .help("remove the stray comma")
                            .setting(id.name())
                            .at(location),
                        );
                    }
                    let py = PyValue::List(items.iter().cloned().map(PyValue::Str).collect());
                    self.set(id, Effective::List(items), py, source);
                }
                SettingKind::User => {
                    let effective = if raw.is_empty() {
                        "signalwire".to_string()
                    } else {
                        raw.clone()
                    };
                    self.set(
                        id,
                        Effective::Str(Some(effective)),
                        PyValue::Str(raw),
                        source,
                    );
                }
                SettingKind::Secret => {
                    // Typed secret from here on: only the judges expose it.
                    let effective = (!raw.is_empty()).then(|| Secret::new(raw.clone()));
                    self.set(id, Effective::Secret(effective), PyValue::Str(raw), source);
                }
                SettingKind::Str => self.set(
                    id,
                    Effective::text(Some(raw.clone())),
                    PyValue::Str(raw),
                    source,
                ),
            }
        }
    }

    fn env_bool(&mut self, id: SettingId, raw: &str, source: Source, location: Location) {
        let lowered = py_lower(raw);
        let (value, sdk_rule) = if id == SettingId::SslEnabled {
            (
                matches!(lowered.as_str(), "true" | "1" | "yes"),
                "true only for true, 1 or yes",
            )
        } else {
            (
                raw.is_empty() || lowered != "false",
                "false only for exactly `false`",
            )
        };
        self.flag_ambiguous_env(
            id.env_var(),
            raw,
            value,
            sdk_rule,
            Some(id.name()),
            location,
        );
        self.set(id, Effective::Bool(value), PyValue::Bool(value), source);
    }

    fn flag_ambiguous_env(
        &mut self,
        name: &str,
        raw: &str,
        value: bool,
        sdk_rule: &str,
        setting: Option<&str>,
        location: Location,
    ) {
        let reading = human_reading(raw);
        if reading == Some(value) && raw.trim() == raw {
            return;
        }
        let sdk = if value { "on" } else { "off" };
        let message = match reading {
            Some(r) if r != value => {
                format!(
                    "{name}={raw:?} reads as {}, but the SDK takes it as {sdk} ({sdk_rule})",
                    if r { "on" } else { "off" }
                )
            }
            _ => format!(
                "{name}={raw:?} is not a clear boolean; the SDK takes it as {sdk} ({sdk_rule})"
            ),
        };
        let help = match reading {
            Some(r) => format!(
                "write {name}={r} if you mean {}",
                if r { "on" } else { "off" }
            ),
            None => format!("write {name}=true or {name}=false"),
        };
        let mut f = Finding::new("value-ambiguous-bool", message)
            .help(help)
            .at(location);
        if let Some(s) = setting {
            f = f.setting(s);
        }
        self.findings.push(f);
    }

    fn load_flags(&mut self) -> Vec<ResolvedFlag> {
        FlagId::ALL
            .into_iter()
            .map(|id| {
                let name = id.env_var();
                match self.env.get(name).map(str::to_string) {
                    None => ResolvedFlag {
                        id,
                        value: if id.is_bool() {
                            Effective::Bool(false)
                        } else {
                            Effective::Str(None)
                        },
                        source: Source::Default,
                    },
                    Some(raw) => {
                        let value = if id.is_bool() {
                            let on = matches!(py_lower(&raw).as_str(), "1" | "true" | "yes");
                            let location = env_location(self.env, name);
                            self.flag_ambiguous_env(
                                name,
                                &raw,
                                on,
                                "true only for 1, true or yes",
                                None,
                                location,
                            );
                            Effective::Bool(on)
                        } else {
                            Effective::text(Some(raw))
                        };
                        ResolvedFlag {
                            id,
                            value,
                            source: env_source(self.env, name),
                        }
                    }
                }
            })
            .collect()
    }

    /// `SecurityConfig._load_config_file` with `ConfigLoader`.
    fn load_config_file(&mut self, choice: &ConfigChoice) -> Option<ConfigSource> {
        if self.sdk == Sdk::SignalwireSdk3
            && let ConfigChoice::Discover { home: None, .. } = choice
        {
            // Path("~/.swml/config.json").expanduser() in find_config_file.
            self.findings.push(
                Finding::new(
                    "sdk-no-home",
                    "no home directory: signalwire-sdk 3 raises RuntimeError: Could not determine home directory.",
                )
                .help("signalwire-sdk 3 expands ~/.swml/config.json with pathlib, which raises where os.path.expanduser (signalwire-agents 1.1) leaves `~` alone; set HOME, or name the config file")
                .blocks_start(),
            );
            return None;
        }
        let found = discover_config(choice)?;
        let path = found.path.clone();
        let bytes = match read_bounded(&path, CONFIG_SIZE_CAP) {
            Ok(b) => b,
            Err(e) => {
                let (rule, why) = match &e {
                    ReadError::NotFound { .. } if found.explicit => (
                        "config-unreadable",
                        "the SDK would ignore the missing file and run on environment and defaults",
                    ),
                    _ => (
                        "config-unreadable",
                        "the SDK would silently ignore it and run on environment and defaults",
                    ),
                };
                self.findings.push(
                    Finding::new(rule, format!("cannot read config file {e}"))
                        .help(why)
                        .at(Location::Path {
                            path: path.as_str().into(),
                        }),
                );
                return Some(ConfigSource {
                    path,
                    explicit: found.explicit,
                    text: None,
                    loaded: false,
                    security_key: None,
                    beyond_swml_sec: false,
                });
            }
        };
        Some(self.load_config_bytes(path, found.explicit, bytes))
    }

    /// Parses and applies a config file's bytes, as `ConfigLoader` and
    /// `_load_config_file` do.
    fn load_config_bytes(&mut self, path: String, explicit: bool, bytes: Vec<u8>) -> ConfigSource {
        let (text, root) = match parse_owned(bytes) {
            Ok(ok) => ok,
            Err((bytes, e)) => {
                let text = String::from_utf8(bytes)
                    .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned());
                let index = LineIndex::new(&text);
                let (line, column) = index.line_col(e.range.start.min(text.len()));
                self.findings.push(
                    Finding::new("config-invalid-json", format!("{path} is not valid JSON: {}", e.message))
                        .help(if e.beyond_swml_sec {
                            "the SDK may still load this file, so swml-sec cannot tell what it runs with: simplify the file"
                        } else {
                            "the SDK silently ignores an invalid config file and runs on environment and defaults"
                        })
                        .label(e.message.clone())
                        .at(Location::File { path: path.as_str().into(), line: position(line), column: position(column), pointer: None, range: e.range.clone() }),
                );
                return ConfigSource {
                    path,
                    explicit,
                    text: Some(Arc::new(text)),
                    loaded: false,
                    security_key: None,
                    beyond_swml_sec: e.beyond_swml_sec,
                };
            }
        };
        let text = Arc::new(text);
        let shared_path: Arc<str> = Arc::from(path.as_str());
        let ctx = FileCtx {
            path: &shared_path,
            index: LineIndex::new(&text),
            text: &text,
        };
        let security_key = root.get("security").map(|m| m.key_range.clone());
        if let Some(security) = root.get("security") {
            let size = expanded_size(&security.value, self.env);
            if size > EXPANSION_CAP {
                // A 16 KB config whose 2,000 `${B}` each bring a megabyte
                // would be gigabytes to hold and print: stop before.
                self.findings.push(
                    Finding::new(
                        "config-invalid-json",
                        format!(
                            "the values of `security` expand to {} MiB, past the {} MiB swml-sec follows",
                            size / (1024 * 1024),
                            EXPANSION_CAP / (1024 * 1024)
                        ),
                    )
                    .help("the SDK may still load this file, so swml-sec cannot tell what it runs with: reference smaller variables")
                    .at(ctx.location(security.key_range.clone(), "/security")),
                );
                return ConfigSource {
                    path,
                    explicit,
                    text: Some(text.clone()),
                    loaded: false,
                    security_key,
                    beyond_swml_sec: true,
                };
            }
        }
        if let Some(at) = self.apply_root(&ctx, &root) {
            self.report_unknown_keys(&ctx, at, root);
        }
        ConfigSource {
            path: path.clone(),
            explicit,
            text: Some(text.clone()),
            loaded: true,
            security_key,
            beyond_swml_sec: false,
        }
    }

    fn shape_error(
        &mut self,
        ctx: &FileCtx,
        node: &JNode,
        pointer: &str,
        message: String,
        crash: bool,
    ) {
        let help = if crash {
            "the SDK raises at start-up: make it a JSON object"
        } else {
            "the SDK silently ignores it: make it a JSON object"
        };
        let mut f = Finding::new("config-invalid-shape", message)
            .help(help)
            .at(ctx.location(node.range.clone(), pointer));
        if crash {
            f = f.blocks_start();
        }
        self.findings.push(f);
    }

    /// `get_section('security')` and the `if not security_config` guard.
    /// Where the findings of the section's unknown keys go, when it has
    /// keys to report (see [`Resolver::report_unknown_keys`]).
    fn apply_root(&mut self, ctx: &FileCtx, root: &JNode) -> Option<usize> {
        if !root.truthy() {
            return None;
        }
        let security = match &root.value {
            JValue::Object(members) => {
                for m in members {
                    if m.key != "security"
                        && m.key.len() <= 16
                        && strsim::damerau_levenshtein(&m.key.to_lowercase(), "security") <= 2
                    {
                        self.findings.push(
                            Finding::new(
                                "config-unknown-key",
                                format!("top-level key {:?} is not read by the SDK", m.key),
                            )
                            .help("did you mean \"security\"?")
                            .at(ctx.location(m.key_range.clone(), pointer_join("", &m.key))),
                        );
                    }
                }
                match root.get("security") {
                    Some(m) => &m.value,
                    None => return None,
                }
            }
            JValue::Array(items) => {
                // `'security' in config` is true for a list holding that string,
                // and indexing a list with a string raises.
                if items
                    .iter()
                    .any(|i| i.value == JValue::Str("security".into()))
                {
                    self.shape_error(ctx, root, "", "the config file is a JSON array: the SDK raises TypeError when it indexes it".into(), true);
                } else {
                    self.shape_error(ctx, root, "", "the config file is a JSON array, not an object: the SDK finds no `security` in it".into(), false);
                }
                return None;
            }
            JValue::Str(s) => {
                if s.contains("security") {
                    self.shape_error(ctx, root, "", "the config file is a JSON string: the SDK raises TypeError when it indexes it".into(), true);
                } else {
                    self.shape_error(
                        ctx,
                        root,
                        "",
                        "the config file is a JSON string, not an object: the SDK ignores it"
                            .into(),
                        false,
                    );
                }
                return None;
            }
            _ => {
                self.shape_error(
                    ctx,
                    root,
                    "",
                    "the config file is not a JSON object: the SDK raises TypeError on it".into(),
                    true,
                );
                return None;
            }
        };
        let expanded = self.substitute(ctx, security, "/security", 0);
        if !expanded.truthy() {
            if !matches!(security.value, JValue::Object(_)) {
                self.shape_error(
                    ctx,
                    security,
                    "/security",
                    format!(
                        "`security` is {} and so ignored by the SDK",
                        describe(&expanded)
                    ),
                    false,
                );
            }
            return None;
        }
        let (PyValue::Dict(entries), JValue::Object(members)) = (&expanded, &security.value) else {
            self.shape_error(
                ctx,
                security,
                "/security",
                format!(
                    "`security` is {}: the SDK raises at start-up (it must be an object)",
                    describe(&expanded)
                ),
                true,
            );
            return None;
        };
        // The unknown keys are reported where they stand among the findings,
        // but built once the expanded values are dropped: a section of
        // 300,000 unknown keys never holds both its expansion and its
        // findings.
        let unknown_at = self.findings.len();
        for id in SettingId::ALL {
            if matches!(id, SettingId::BasicAuthUser | SettingId::BasicAuthPassword) {
                continue;
            }
            let Some(member) = members.iter().find(|m| m.key == id.name()) else {
                continue;
            };
            let Some((_, py)) = entries.iter().find(|(k, _)| k == id.name()) else {
                continue;
            };
            let pointer = pointer_join("/security", id.name());
            self.apply_file_value(ctx, id, &member.value, py.clone(), &pointer);
        }
        self.apply_auth(ctx, members, entries);
        Some(unknown_at)
    }

    /// The unknown keys of `security`, reported at `at` among the findings
    /// (where the SDK's reading of the section put them). Only where each
    /// key sits is kept, and the document is dropped before the findings
    /// are built: a section of 300,000 unknown keys then never holds the
    /// document and its 300,000 findings at once. A key is read back from
    /// the text; the few written with escapes are kept decoded.
    fn report_unknown_keys(&mut self, ctx: &FileCtx, at: usize, root: JNode) {
        let mut key_ranges = Vec::new();
        let mut escaped_keys = Vec::new();
        if let Some(security) = root.get("security")
            && let JValue::Object(members) = &security.value.value
        {
            let unknown = |m: &&crate::json::JMember| !SECURITY_KEYS.contains(&m.key.as_str());
            key_ranges.reserve_exact(members.iter().filter(unknown).count());
            for m in members.iter().filter(unknown) {
                if ctx.text.get(m.key_range.start + 1..m.key_range.end - 1) != Some(m.key.as_str())
                {
                    escaped_keys.push((key_ranges.len(), m.key.clone()));
                }
                key_ranges.push(m.key_range.clone());
            }
        }
        drop(root);
        let mut escaped_keys = escaped_keys.into_iter().peekable();
        let after = self.findings.split_off(at);
        self.findings.reserve_exact(key_ranges.len() + after.len());
        for (i, key_range) in key_ranges.into_iter().enumerate() {
            let escaped = escaped_keys.next_if(|(at, _)| *at == i).map(|(_, key)| key);
            // Invariant: the first pass found this slice (the literal
            // without its quotes) equal to the key, or kept the key.
            let key = escaped
                .as_deref()
                .unwrap_or(&ctx.text[key_range.start + 1..key_range.end - 1]);
            // Made to its exact size (as is the pointer): 300,000 of them
            // stay in memory until the report is written.
            let message = ["security.", key, " is not read by the SDK"].concat();
            let mut f = Finding::new("config-unknown-key", message)
                .at(ctx.location(key_range.clone(), pointer_join("/security", key)));
            if let Some(best) = SECURITY_KEY_SUGGESTIONS.best(key) {
                f = f.help(format!("did you mean {best:?}?"));
            }
            self.findings.push(f);
        }
        self.findings.extend(after);
    }

    fn apply_auth(
        &mut self,
        ctx: &FileCtx,
        members: &[crate::json::JMember],
        entries: &[(String, PyValue)],
    ) {
        let (Some(auth_node), Some((_, auth_py))) = (
            members.iter().find(|m| m.key == "auth"),
            entries.iter().find(|(k, _)| k == "auth"),
        ) else {
            return;
        };
        let (JValue::Object(auth_members), PyValue::Dict(auth_entries)) =
            (&auth_node.value.value, auth_py)
        else {
            self.shape_error(
                ctx,
                &auth_node.value,
                "/security/auth",
                format!(
                    "`security.auth` is {}, not an object: the SDK ignores it",
                    describe(auth_py)
                ),
                false,
            );
            return;
        };
        for m in auth_members.iter().filter(|m| m.key != "basic") {
            self.findings.push(
                Finding::new(
                    "config-unknown-key",
                    format!("security.auth.{} is not read by the SDK", m.key),
                )
                .help("the SDK reads only security.auth.basic.user and .password")
                .at(ctx.location(m.key_range.clone(), pointer_join("/security/auth", &m.key))),
            );
        }
        let (Some(basic_node), Some((_, basic_py))) = (
            auth_members.iter().find(|m| m.key == "basic"),
            auth_entries.iter().find(|(k, _)| k == "basic"),
        ) else {
            return;
        };
        let (JValue::Object(basic_members), PyValue::Dict(basic_entries)) =
            (&basic_node.value.value, basic_py)
        else {
            self.shape_error(
                ctx,
                &basic_node.value,
                "/security/auth/basic",
                format!(
                    "`security.auth.basic` is {}, not an object: the SDK ignores it",
                    describe(basic_py)
                ),
                false,
            );
            return;
        };
        for m in basic_members
            .iter()
            .filter(|m| m.key != "user" && m.key != "password")
        {
            let mut f = Finding::new(
                "config-unknown-key",
                format!("security.auth.basic.{} is not read by the SDK", m.key),
            )
            .at(ctx.location(
                m.key_range.clone(),
                pointer_join("/security/auth/basic", &m.key),
            ));
            if let Some(best) = did_you_mean(&m.key, ["user", "password"].into_iter()) {
                f = f.help(format!("did you mean {best:?}?"));
            }
            self.findings.push(f);
        }
        for (key, id) in [
            ("user", SettingId::BasicAuthUser),
            ("password", SettingId::BasicAuthPassword),
        ] {
            let (Some(node), Some((_, py))) = (
                basic_members.iter().find(|m| m.key == key),
                basic_entries.iter().find(|(k, _)| k == key),
            ) else {
                continue;
            };
            self.apply_file_value(ctx, id, &node.value, py.clone(), &id.config_pointer());
        }
    }

    fn apply_file_value(
        &mut self,
        ctx: &FileCtx,
        id: SettingId,
        node: &JNode,
        py: PyValue,
        pointer: &str,
    ) {
        let via = match &node.value {
            JValue::Str(raw) if names_hidden(raw, pointer) => None,
            _ => via_of(node, self.env),
        };
        let span = ctx.span(node, pointer, via);
        let source = Source::File(span);
        let location = source_location(&source);
        match id.kind() {
            SettingKind::Bool => {
                let value = py.truthy();
                let ambiguous = match &py {
                    PyValue::Bool(_) | PyValue::None => false,
                    PyValue::Int(i) => *i != BigInt::from(0) && *i != BigInt::from(1),
                    PyValue::Str(s) => !s.is_empty(),
                    _ => true,
                };
                if ambiguous {
                    let reading = match &py {
                        PyValue::Str(s) => human_reading(s),
                        _ => None,
                    };
                    let sdk = if value { "true" } else { "false" };
                    let message = match reading {
                        Some(r) if r != value => format!(
                            "{} is {} in the file, which reads as {}, but the SDK takes any non-empty string as true",
                            id.name(),
                            py.repr(),
                            r
                        ),
                        _ => format!(
                            "{} is {} in the file; the SDK takes it as {sdk} by Python truth",
                            id.name(),
                            py.repr()
                        ),
                    };
                    self.findings.push(
                        Finding::new("value-ambiguous-bool", message)
                            .help(format!(
                                "write JSON {} (without quotes)",
                                reading.unwrap_or(value)
                            ))
                            .setting(id.name())
                            .at(location.clone()),
                    );
                }
                self.set(id, Effective::Bool(value), py, source);
            }
            SettingKind::Int => match py.to_int() {
                Ok(i) => {
                    let lossy = match &py {
                        PyValue::Bool(b) => Some(format!("{b} into {i}")),
                        PyValue::Float(f) if f.fract() != 0.0 => {
                            Some(format!("{} into {i}", py.repr()))
                        }
                        _ => None,
                    };
                    if let Some(what) = lossy {
                        self.findings.push(
                            Finding::new(
                                "value-lossy",
                                format!("{}: the SDK's int() turns {what}", id.name()),
                            )
                            .help("write a whole number")
                            .setting(id.name())
                            .at(location),
                        );
                    }
                    self.set(id, Effective::Int(i.clone()), py, source);
                }
                Err(e) => self.findings.push(
                    Finding::new(
                        "value-not-integer",
                        format!("{} is {}: the SDK's int() raises {e}", id.name(), py.repr()),
                    )
                    .help("write a plain whole number; the service cannot start with this value")
                    .setting(id.name())
                    .at(location)
                    .blocks_start(),
                ),
            },
            SettingKind::List => {
                let items: Result<Vec<String>, String> = match &py {
                    PyValue::List(items) => {
                        for (i, item) in items.iter().enumerate() {
                            let item_node = match &node.value {
                                JValue::Array(n) => n.get(i).unwrap_or(node),
                                _ => node,
                            };
                            if !matches!(item, PyValue::Str(_)) {
                                self.findings.push(
                                    Finding::new(
                                        "value-lossy",
                                        format!(
                                            "{}[{i}] is the Python {} {}, not a string: it never equals a host or origin",
                                            id.name(),
                                            item.type_name(),
                                            item.repr()
                                        ),
                                    )
                                    .help("write every item as a string")
                                    .setting(id.name())
                                    .at(ctx.location(item_node.range.clone(), format!("{pointer}/{i}"))),
                                );
                            }
                            if matches!(item, PyValue::Str(s) if s.is_empty()) {
                                self.findings.push(
                                    Finding::new(
                                        "list-empty-entry",
                                        format!(
                                            "{}[{i}] is an empty string, which matches nothing",
                                            id.name()
                                        ),
                                    )
                                    .help("remove the item, or set the variable it refers to")
                                    .setting(id.name())
                                    .at(ctx.location(
                                        item_node.range.clone(),
                                        format!("{pointer}/{i}"),
                                    )),
                                );
                            }
                        }
                        Ok(items.iter().map(PyValue::to_display_string).collect())
                    }
                    PyValue::Str(s) => {
                        let (items, dropped) = parse_list_str(s);
                        if dropped {
                            self.findings.push(
                                Finding::new(
                                    "list-empty-entry",
                                    format!("{} has an empty item, which the SDK drops", id.name()),
                                )
                                .help("remove the stray comma")
                                .setting(id.name())
                                .at(location.clone()),
                            );
                        }
                        Ok(items)
                    }
                    other => Err(format!(
                        "AttributeError: '{}' object has no attribute 'split'",
                        other.type_name()
                    )),
                };
                match items {
                    Ok(items) => {
                        let py = match py {
                            PyValue::Str(_) => {
                                PyValue::List(items.iter().cloned().map(PyValue::Str).collect())
                            }
                            other => other,
                        };
                        self.set(id, Effective::List(items), py, source);
                    }
                    Err(e) => self.findings.push(
                        Finding::new(
                            "config-invalid-shape",
                            format!("{} is {}: the SDK raises {e}", id.name(), py.repr()),
                        )
                        .help("use a JSON array of strings or a comma-separated string")
                        .setting(id.name())
                        .at(location)
                        .blocks_start(),
                    ),
                }
            }
            SettingKind::Str => {
                let value = match &py {
                    PyValue::None => None,
                    other => Some(other.to_display_string()),
                };
                if !matches!(py, PyValue::None | PyValue::Str(_)) {
                    self.findings.push(
                        Finding::new("value-lossy", format!("{} is the Python {} {}, not a string", id.name(), py.type_name(), py.repr()))
                            .help("the SDK re-types strings that look like numbers or booleans; this value will not be used as text")
                            .setting(id.name())
                            .at(location),
                    );
                }
                self.set(id, Effective::text(value), py, source);
            }
            SettingKind::User | SettingKind::Secret => {
                let secret = id == SettingId::BasicAuthPassword;
                if !matches!(py, PyValue::Str(_) | PyValue::None) {
                    let what = if secret { "password" } else { "user" };
                    // The value is not shown: a user may equal the password.
                    let shown = format!("a {}", py.type_name());
                    self.findings.push(
                        Finding::new("value-retyped-secret", format!("the Basic auth {what} is {shown} after the SDK re-types it, not a string: no request can ever match it"))
                            .help(format!("use a {what} that contains at least one letter"))
                            .setting(id.name())
                            .at(location),
                    );
                }
                let value = if secret {
                    // Typed secret from here on: only the judges expose it.
                    Effective::Secret(py.truthy().then(|| Secret::new(py.to_display_string())))
                } else if py.truthy() {
                    Effective::Str(Some(py.to_display_string()))
                } else {
                    Effective::Str(Some("signalwire".to_string()))
                };
                self.set(id, value, py, source);
            }
        }
    }

    /// `ConfigLoader.substitute_vars`: expands and re-types every string,
    /// raising at 10 levels below `security`. Findings are recorded here.
    fn substitute(&mut self, ctx: &FileCtx, node: &JNode, pointer: &str, depth: usize) -> PyValue {
        if depth >= SUBSTITUTION_DEPTH_LIMIT {
            self.findings.push(
                Finding::new("config-invalid-shape", format!("a value is nested {depth} levels below `security`: the SDK raises \"Maximum variable substitution depth exceeded\""))
                    .help("flatten the structure; the SDK allows at most 9 levels")
                    .at(ctx.location(node.range.clone(), pointer))
                    .blocks_start(),
            );
            return node.to_py();
        }
        match &node.value {
            JValue::Str(raw) => {
                let x = expand(raw, self.env);
                // In a secret written with references inside it
                // (`Zq8#v${kT9!mW2}pL4`), what looks like a name may be a
                // piece of the password: the findings do not name it.
                let hidden_names = names_hidden(raw, pointer);
                for sub in &x.substitutions {
                    if sub.outcome == SubstitutionOutcome::Empty && hidden_names {
                        let range = ctx.inner_range(node, &sub.range);
                        self.findings.push(
                            Finding::new("var-unset", "a `${…}` reference inside a secret value names an unset variable and has no default: the SDK substitutes an empty string".to_string())
                                .help("a `${` in a password starts a reference: set the variable, or write the password without `${`")
                                .label("an unset reference")
                                .at(ctx.location(range, pointer)),
                        );
                    } else if sub.outcome == SubstitutionOutcome::Empty {
                        let range = ctx.inner_range(node, &sub.range);
                        let mut f = Finding::new("var-unset", format!("${{{}}} is unset and has no default: the SDK substitutes an empty string", sub.name))
                            .help(format!("set {} in the service's environment, or write ${{{}|default}}", sub.name, sub.name))
                            .label(format!("{} is unset", sub.name))
                            .variable(sub.name.clone())
                            .at(ctx.location(range, pointer));
                        // The SDK expands every string but uses only its own
                        // keys: an empty value elsewhere changes nothing.
                        if !read_by_sdk(pointer) {
                            f.message = format!(
                                "{}, in {} which the SDK never reads",
                                f.message,
                                pointer_dotted(pointer)
                            )
                            .into();
                            f = f.at_most(crate::finding::Severity::Note);
                        }
                        self.findings.push(f);
                    }
                }
                for issue in &x.syntax_issues {
                    let range = ctx.inner_range(node, &issue.range);
                    let message = match &issue.problem {
                        SyntaxProblem::SpacedName { .. } if hidden_names => {
                            "a `${…}` reference inside a secret value has spaces in its name: the SDK looks it up spaces included".to_string()
                        }
                        SyntaxProblem::SpacedName { name } => {
                            format!("the SDK looks up the variable {name:?}, spaces included")
                        }
                        SyntaxProblem::Nested => {
                            "the SDK does not nest `${...}`: the inner reference stays as text"
                                .to_string()
                        }
                        SyntaxProblem::Unterminated => {
                            "unterminated `${`: the SDK leaves it as text".to_string()
                        }
                        SyntaxProblem::EmptyName => {
                            "`${}` has no variable name: the SDK leaves it as text".to_string()
                        }
                    };
                    self.findings.push(
                        Finding::new("var-syntax", message)
                            .help("write ${NAME} or ${NAME|default}")
                            .at(ctx.location(range, pointer)),
                    );
                }
                match retype_for(x.text, self.sdk) {
                    Ok(v) => v,
                    Err(e) => {
                        self.findings.push(
                            Finding::new("value-not-integer", format!("{} is a string of digits that Python's int() or float() refuses: the SDK raises {e}", crate::py::str_repr(raw)))
                                .help("use ASCII digits")
                                .at(ctx.location(node.range.clone(), pointer))
                                .blocks_start(),
                        );
                        PyValue::Str(raw.clone())
                    }
                }
            }
            JValue::Array(items) => PyValue::List(
                items
                    .iter()
                    .enumerate()
                    .map(|(i, item)| {
                        self.substitute(ctx, item, &format!("{pointer}/{i}"), depth + 1)
                    })
                    .collect(),
            ),
            JValue::Object(members) => PyValue::Dict(
                members
                    .iter()
                    .map(|m| {
                        (
                            m.key.clone(),
                            self.substitute(
                                ctx,
                                &m.value,
                                &pointer_join(pointer, &m.key),
                                depth + 1,
                            ),
                        )
                    })
                    .collect(),
            ),
            _ => node.to_py(),
        }
    }
}

/// A secret written with references inside literal text
/// (`Zq8#v${kT9!mW2}pL4`): what looks like a variable name may be a piece
/// of the password, so no finding or source names it.
fn names_hidden(raw: &str, pointer: &str) -> bool {
    if !pointer
        .rsplit('/')
        .next()
        .is_some_and(crate::input::is_secret_name)
    {
        return false;
    }
    let referenced: usize = crate::expand::reference_spans(raw).map(|r| r.len()).sum();
    referenced > 0 && raw.trim().len() > referenced
}

/// Whether the SDK uses the value at `pointer` (below `/security`): one of
/// its settings (or an item of one), or `auth.basic.user`/`.password`.
fn read_by_sdk(pointer: &str) -> bool {
    let mut parts = pointer.split('/').skip(1);
    if parts.next() != Some("security") {
        return false;
    }
    match parts.next() {
        Some("auth") => {
            parts.next() == Some("basic") && matches!(parts.next(), Some("user" | "password"))
        }
        Some(key) => SECURITY_KEYS.contains(&key),
        None => false,
    }
}

/// `/security/auth/bearer` as `security.auth.bearer`, for a message.
fn pointer_dotted(pointer: &str) -> String {
    pointer
        .trim_start_matches('/')
        .split('/')
        .map(|p| p.replace("~1", "/").replace("~0", "~"))
        .collect::<Vec<_>>()
        .join(".")
}

/// Which variables or defaults supplied a file value's text.
fn via_of(node: &JNode, env: &EnvView) -> Option<String> {
    match &node.value {
        JValue::Str(raw) => expand(raw, env).via(),
        JValue::Array(items) => {
            let parts: Vec<String> = items.iter().filter_map(|i| via_of(i, env)).collect();
            (!parts.is_empty()).then(|| parts.join(", "))
        }
        _ => None,
    }
}

fn describe(py: &PyValue) -> String {
    match py {
        PyValue::Str(s) if s.is_empty() => "an empty string".into(),
        PyValue::List(l) if l.is_empty() => "an empty list".into(),
        other => format!("the {} {}", other.type_name(), truncate(&other.repr(), 40)),
    }
}

fn truncate(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        format!("{}...", s.chars().take(max).collect::<String>())
    }
}

/// The most the strings of `security` may expand to, in all: as much as
/// the config file itself may hold.
pub const EXPANSION_CAP: usize = 16 * 1024 * 1024;

/// What the strings under `node` expand to, in bytes, saturating.
fn expanded_size(node: &JNode, env: &EnvView) -> usize {
    match &node.value {
        JValue::Str(raw) => crate::expand::expanded_len(raw, env),
        JValue::Array(items) => items
            .iter()
            .fold(0usize, |n, i| n.saturating_add(expanded_size(i, env))),
        JValue::Object(members) => members.iter().fold(0usize, |n, m| {
            n.saturating_add(expanded_size(&m.value, env))
        }),
        _ => 0,
    }
}

/// RFC 6901 pointer segment escaping.
pub fn pointer_join(base: &str, key: &str) -> String {
    // One allocation of the exact size: a finding keeps it as it is.
    let escapes = key.bytes().filter(|b| matches!(b, b'~' | b'/')).count();
    let mut pointer = String::with_capacity(base.len() + 1 + key.len() + escapes);
    pointer.push_str(base);
    pointer.push('/');
    if escapes == 0 {
        pointer.push_str(key);
    } else {
        for c in key.chars() {
            match c {
                '~' => pointer.push_str("~0"),
                '/' => pointer.push_str("~1"),
                c => pointer.push(c),
            }
        }
    }
    pointer
}

/// A lower bound of the edit distance between two ASCII strings: each
/// insertion, deletion or substitution changes the multiset of letters by
/// at most one on each side, and a transposition not at all. `a_counts`
/// holds the letters of `a` (see [`letter_counts`]); 0 (no bound) for text
/// that is not ASCII.
fn letters_apart(a_counts: Option<&mut [u32; 128]>, a_len: usize, b: &str) -> usize {
    let Some(left) = a_counts else {
        return 0;
    };
    if !b.is_ascii() {
        return 0;
    }
    if b.len() > 128 {
        // Past the mask's width: the length difference is a bound too.
        return a_len.abs_diff(b.len());
    }
    // Linear in `b` and in place, the table given back after: a copy of
    // its 512 bytes for every candidate of every name was most of the
    // cost of 300,000 unknown keys.
    let mut missing = 0;
    let mut taken_at = 0u128;
    for (i, c) in b.bytes().enumerate() {
        let slot = &mut left[usize::from(c)];
        if *slot > 0 {
            *slot -= 1;
            taken_at |= 1 << i;
        } else {
            missing += 1;
        }
    }
    for (i, c) in b.bytes().enumerate() {
        if taken_at & (1 << i) != 0 {
            left[usize::from(c)] += 1;
        }
    }
    let surplus = a_len - (b.len() - missing);
    surplus.max(missing)
}

/// How many times each ASCII letter stands in `text`; None when it is not
/// ASCII.
fn letter_counts(text: &str) -> Option<[u32; 128]> {
    if !text.is_ascii() {
        return None;
    }
    let mut counts = [0u32; 128];
    for c in text.bytes() {
        counts[usize::from(c)] += 1;
    }
    Some(counts)
}

/// The closest candidate, when it is close enough to be a likely typo.
///
/// A candidate that extends the name (a truncation such as `…_PASS` for
/// `…_PASSWORD`) wins over one at the same or a slightly smaller edit
/// distance; ties then go to the longest common prefix.
pub fn did_you_mean<'a>(name: &str, candidates: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    Suggestions::new(candidates).best(name)
}

/// The letters of an ASCII text as a set (one bit per byte value); None
/// for other text.
fn letter_set(text: &str) -> Option<u128> {
    text.is_ascii()
        .then(|| text.bytes().fold(0u128, |set, b| set | 1 << b))
}

/// A candidate for [`Suggestions`], prepared once.
struct Candidate<'a> {
    text: &'a str,
    lowered: std::borrow::Cow<'a, str>,
    chars: usize,
    letters: Option<u128>,
}

/// Names to suggest, prepared once for many lookups: a config's 300,000
/// unknown keys each meet every key the SDK reads.
pub struct Suggestions<'a> {
    candidates: Vec<Candidate<'a>>,
}

/// The keys of `security`, prepared once.
static SECURITY_KEY_SUGGESTIONS: std::sync::LazyLock<Suggestions<'static>> =
    std::sync::LazyLock::new(|| Suggestions::new(SECURITY_KEYS.iter().copied()));

impl<'a> Suggestions<'a> {
    pub fn new(candidates: impl Iterator<Item = &'a str>) -> Self {
        let candidates = candidates
            .map(|text| {
                let lowered: std::borrow::Cow<str> =
                    if text.is_ascii() && !text.bytes().any(|b| b.is_ascii_uppercase()) {
                        std::borrow::Cow::Borrowed(text)
                    } else {
                        std::borrow::Cow::Owned(text.to_lowercase())
                    };
                Candidate {
                    text,
                    chars: lowered.chars().count(),
                    letters: letter_set(&lowered),
                    lowered,
                }
            })
            .collect();
        Suggestions { candidates }
    }

    /// The closest candidate to `name`, when it is close enough to be a
    /// likely typo (see [`did_you_mean`]).
    pub fn best(&self, name: &str) -> Option<&'a str> {
        let lowered = name.to_lowercase();
        let length = lowered.chars().count();
        let name_letters = letter_set(&lowered);
        // Once per name, not per candidate.
        let mut counts = letter_counts(&lowered);
        self.candidates
            .iter()
            .filter_map(|c| {
                let allowed = 3.max(c.text.len() / 4);
                // Each letter one has and the other lacks costs an edit (a
                // substitution pays for one of each side); a letter of the
                // name the candidate lacks also means it is no prefix.
                if let (Some(a), Some(b)) = (name_letters, c.letters) {
                    let only_name = (a & !b).count_ones() as usize;
                    let only_candidate = (b & !a).count_ones() as usize;
                    if only_name > 0 && only_name.max(only_candidate) > allowed {
                        return None;
                    }
                }
                let lc = &c.lowered;
                let truncation = length >= 4 && lc.starts_with(&lowered);
                // The length difference bounds the distance from below: most
                // names (80,000 unknown keys of a generated file) stop here.
                if !truncation
                    && (length.abs_diff(c.chars) > allowed
                        || letters_apart(counts.as_mut(), lowered.len(), lc) > allowed)
                {
                    return None;
                }
                // Optimal string alignment: adjacent transpositions, as typos
                // make them, without the allocations of full
                // Damerau-Levenshtein.
                let distance = strsim::osa_distance(&lowered, lc);
                if !truncation && distance > allowed {
                    return None;
                }
                let prefix = lowered
                    .chars()
                    .zip(lc.chars())
                    .take_while(|(a, b)| a == b)
                    .count();
                Some((distance, truncation, prefix, c.text))
            })
            .min_by_key(|(d, truncation, prefix, _)| (!*truncation, *d, usize::MAX - *prefix))
            .map(|(_, _, _, c)| c)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Whatever order offsets are asked in (text order takes the shortcuts,
    /// jumps take the search), the answer is the line and column counted
    /// from the start.
    #[test]
    fn line_col_agrees_with_counting_from_the_start() {
        let text = "ab\n\ncd\u{e9}f\n\n\nghi\n\u{1F600}x\ny";
        let counted = |offset: usize| {
            let before = &text[..offset];
            let line = before.matches('\n').count() + 1;
            let column = before.rsplit('\n').next().unwrap_or("").chars().count() + 1;
            (line, column)
        };
        let offsets: Vec<usize> = (0..=text.len())
            .filter(|&i| text.is_char_boundary(i))
            .collect();
        let mut orders = vec![offsets.clone(), offsets.iter().rev().copied().collect()];
        // Every second offset, then back to the start, then by threes.
        orders.push(
            offsets
                .iter()
                .step_by(2)
                .chain(offsets.iter().step_by(3))
                .copied()
                .collect(),
        );
        for order in orders {
            let index = LineIndex::new(text);
            for &offset in &order {
                assert_eq!(index.line_col(offset), counted(offset), "offset {offset}");
            }
        }
    }

    /// The bound prunes candidates before the edit distance is computed:
    /// it must never exceed it, and must leave the name's table as it was
    /// for the next candidate.
    #[test]
    fn letters_apart_bounds_the_edit_distance_and_keeps_the_table() {
        let words = [
            "",
            "a",
            "ab",
            "ba",
            "aab",
            "ssl_enabled",
            "sslenabled",
            "ssl_enable",
            "domain",
            "allowed_hosts",
            "alowed_host",
            "cors_origins",
            "unknown_12345",
            "zzzzzzzz",
            "rate_limit",
            "limit_rate",
            "hsts_max_age",
            "use_hsts",
        ];
        for a in words {
            let original = letter_counts(a).unwrap();
            let mut counts = original;
            for b in words {
                let bound = letters_apart(Some(&mut counts), a.len(), b);
                assert!(
                    bound <= strsim::osa_distance(a, b),
                    "{a:?} {b:?}: bound {bound}"
                );
                assert_eq!(counts, original, "table changed by {b:?}");
            }
        }
        // The letter-set bound used before it, where the name has a letter
        // the candidate lacks.
        for a in words {
            for b in words {
                let (sa, sb) = (letter_set(a).unwrap(), letter_set(b).unwrap());
                let only_a = (sa & !sb).count_ones() as usize;
                let bound = only_a.max((sb & !sa).count_ones() as usize);
                if only_a > 0 {
                    assert!(bound <= strsim::osa_distance(a, b), "{a:?} {b:?}");
                    assert!(!b.starts_with(a));
                }
            }
        }
        assert_eq!(letters_apart(letter_counts("abc").as_mut(), 3, "xyz"), 3);
        assert_eq!(letters_apart(letter_counts("aabb").as_mut(), 4, "ab"), 2);
        assert_eq!(letters_apart(None, 3, "abc"), 0);
    }

    #[test]
    fn did_you_mean_still_finds_typos_and_truncations() {
        let keys = SECURITY_KEYS.iter().copied();
        assert_eq!(
            did_you_mean("alowed_hosts", keys.clone()),
            Some("allowed_hosts")
        );
        assert_eq!(
            did_you_mean("SSL_ENABELD", keys.clone()),
            Some("ssl_enabled")
        );
        assert_eq!(did_you_mean("unknown_12345", keys.clone()), None);
        assert_eq!(
            did_you_mean("allowed_host", keys.clone()),
            Some("allowed_hosts")
        );
        assert_eq!(did_you_mean("cors", keys.clone()), Some("cors_origins"));
        assert_eq!(
            SECURITY_KEY_SUGGESTIONS.best("hsts_max_ag"),
            Some("hsts_max_age")
        );
        assert_eq!(
            SECURITY_KEY_SUGGESTIONS.best("rate_limt"),
            did_you_mean("rate_limt", keys)
        );
    }
}
