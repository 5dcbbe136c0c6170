//! A snapshot of the environment the SDK would see: the process environment
//! (unless `--no-env`) plus dotenv files that never override it.

use std::collections::{BTreeMap, HashMap};

use crate::finding::{Finding, Location};
use crate::input::dotenv::{self, Atom};
use crate::input::files::{CONFIG_SIZE_CAP, ReadError, read_bounded};
use crate::input::is_secret_name;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EnvOrigin {
    Process,
    /// Set by a dotenv file given with `--env-file`, at this 1-based line
    /// and column (in characters) where its statement starts.
    EnvFile {
        path: String,
        line: usize,
        column: usize,
    },
}

#[derive(Clone)]
pub struct EnvVar {
    /// The value; bytes that are not UTF-8 are replaced by U+FFFD.
    pub value: String,
    /// True when the original value was not valid UTF-8.
    pub not_utf8: bool,
    pub origin: EnvOrigin,
}

impl std::fmt::Debug for EnvVar {
    /// Never the value: any variable may hold a secret (one a config names
    /// as the password, a URL with credentials), not only those whose name
    /// says so.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EnvVar")
            .field("value", &format_args!("{}", crate::model::Secret::MASK))
            .field("not_utf8", &self.not_utf8)
            .field("origin", &self.origin)
            .finish()
    }
}

#[derive(Debug, Clone, Default)]
pub struct EnvView {
    vars: BTreeMap<String, EnvVar>,
    /// SWML_* names that are not valid UTF-8 (lossily decoded).
    pub invalid_names: Vec<String>,
    /// What reading the dotenv files found (skipped lines, caps, versions).
    pub findings: Vec<Finding>,
    /// Values seen in dotenv files that may be secrets (see `secret_values`).
    /// Typed as secrets: a Debug print shows none of them.
    secret_candidates: Vec<crate::model::Secret>,
    /// Bytes every dotenv file of the run has expanded to so far: one
    /// budget for the run, not one per file.
    expanded_total: usize,
}

#[derive(Debug, thiserror::Error)]
pub enum EnvError {
    #[error(transparent)]
    Read(#[from] ReadError),
    #[error("{path}: not valid UTF-8 at byte {offset}")]
    NotUtf8 { path: String, offset: usize },
    #[error(
        "{path}:{line}: python-dotenv raises {error} when it sets this variable: the service cannot start"
    )]
    Python {
        path: String,
        line: usize,
        error: &'static str,
    },
}

impl EnvView {
    pub fn empty() -> Self {
        Self::default()
    }

    /// The process environment, names and values as the OS gives them.
    pub fn from_process() -> Self {
        Self::from_os_pairs(std::env::vars_os())
    }

    /// Names and values as raw OS strings, which need not be UTF-8.
    pub fn from_os_pairs(
        pairs: impl IntoIterator<Item = (std::ffi::OsString, std::ffi::OsString)>,
    ) -> Self {
        let mut view = Self::default();
        for (name, value) in pairs {
            let Some(name) = name.to_str().map(str::to_string) else {
                let lossy = name.to_string_lossy().into_owned();
                if lossy.starts_with("SWML_") {
                    view.invalid_names.push(lossy);
                }
                continue;
            };
            let (value, not_utf8) = match value.into_string() {
                Ok(v) => (v, false),
                Err(raw) => (raw.to_string_lossy().into_owned(), true),
            };
            view.vars.insert(
                env_key(&name).into_owned(),
                EnvVar {
                    value,
                    not_utf8,
                    origin: EnvOrigin::Process,
                },
            );
        }
        view
    }

    pub fn from_pairs(pairs: impl IntoIterator<Item = (String, String)>) -> Self {
        let mut view = Self::default();
        for (name, value) in pairs {
            view.vars.insert(
                env_key(&name).into_owned(),
                EnvVar {
                    value,
                    not_utf8: false,
                    origin: EnvOrigin::Process,
                },
            );
        }
        view
    }

    pub fn get(&self, name: &str) -> Option<&str> {
        self.vars
            .get(env_key(name).as_ref())
            .map(|v| v.value.as_str())
    }

    pub fn var(&self, name: &str) -> Option<&EnvVar> {
        self.vars.get(env_key(name).as_ref())
    }

    pub fn iter(&self) -> impl Iterator<Item = (&String, &EnvVar)> {
        self.vars.iter()
    }

    /// Every value loaded for a variable whose name looks secret (see
    /// [`is_secret_name`]), from the process or a dotenv file, including
    /// file values that did not apply (the variable was already set) and
    /// what could be a value on a line python-dotenv skipped. For redaction.
    pub fn secret_values(&self) -> Vec<crate::model::Secret> {
        let mut out: Vec<crate::model::Secret> = self
            .vars
            .iter()
            .filter(|(name, _)| is_secret_name(name))
            .map(|(_, v)| crate::model::Secret::new(v.value.clone()))
            .chain(self.secret_candidates.iter().cloned())
            .filter(|v| !v.expose().is_empty())
            .collect();
        out.sort();
        out.dedup();
        out
    }

    /// One `load_dotenv(path)` call of python-dotenv 1.2.4 with its defaults
    /// (override=False, interpolate=True, encoding utf-8): `-` is standard
    /// input, and a FIFO is read like a file, both up to the size cap.
    pub fn load_env_file(&mut self, path: &str) -> Result<(), EnvError> {
        let bytes = read_env_source(path, CONFIG_SIZE_CAP)?;
        self.load_env_bytes(path, &bytes)
    }

    /// [`EnvView::load_env_file`] on bytes already read from `path`.
    pub fn load_env_bytes(&mut self, path: &str, bytes: &[u8]) -> Result<(), EnvError> {
        // `_load_dotenv_disabled` reads os.environ at each call, so a file
        // may disable the ones after it.
        if let Some(v) = self.get("PYTHON_DOTENV_DISABLED")
            && is_python_dotenv_true(v)
        {
            self.findings.push(
                Finding::new(
                    "dotenv-disabled",
                    format!(
                        "PYTHON_DOTENV_DISABLED is set to a true value: python-dotenv loads nothing from {path}"
                    ),
                )
                .help("python-dotenv reads PYTHON_DOTENV_DISABLED since 1.2.0 (1, true, t, yes or y, any case); versions before 1.2.0 ignore it and load the file")
                .at(Location::Path {
                    path: path.into(),
                }),
            );
            return Ok(());
        }
        let text = std::str::from_utf8(bytes).map_err(|e| EnvError::NotUtf8 {
            path: path.to_string(),
            offset: e.valid_up_to(),
        })?;
        let (chars, bom) = dotenv::normalize(text);
        let bindings = dotenv::parse(&chars);
        let shared_path: std::sync::Arc<str> = path.into();
        let at = |line: usize, column: usize| Location::File {
            path: std::sync::Arc::clone(&shared_path),
            line: crate::finding::position(line),
            column: crate::finding::position(column),
            pointer: None,
            range: 0..0,
        };
        if bom && let Some(first) = bindings.first() {
            let name = first.key.as_deref().unwrap_or("the first name");
            self.findings.push(
                Finding::new(
                    "dotenv-version-differs",
                    "the file starts with a UTF-8 byte order mark",
                )
                .help(format!(
                    "python-dotenv 1.2.3 and later drop it; earlier versions make it part of {name}, which is then not set under its own name"
                ))
                .at(at(1, 1)),
            );
        }
        // `resolve_variables`: this file's values so far, in order.
        let mut new_values: HashMap<String, FileValue> = HashMap::new();
        let mut order: Vec<String> = Vec::new();
        for b in &bindings {
            if b.error {
                let why = b.failed.map_or("it cannot be parsed", |f| f.reason());
                let what = match &b.failed_key {
                    Some(k) => format!("the statement for `{k}`"),
                    None => "this statement".to_string(),
                };
                self.findings.push(
                    Finding::new(
                        "dotenv-line-skipped",
                        format!("python-dotenv skips {what}: {why}"),
                    )
                    .help(skipped_help(b.line, b.mark_line))
                    .at(at(b.line, b.column)),
                );
                self.secret_candidates.extend(
                    mine_secrets(&b.raw)
                        .into_iter()
                        .map(crate::model::Secret::new),
                );
                continue;
            }
            let Some(key) = b.key.clone() else { continue };
            if b.comment_after_equals {
                self.findings.push(
                    Finding::new(
                        "dotenv-version-differs",
                        format!("{key} is `=` then a space and a `#` comment: its value is empty"),
                    )
                    .help("since python-dotenv 1.2.4; earlier versions set it to the comment text, `#` included")
                    .at(at(b.line, b.column)),
                );
            }
            let value = match &b.value {
                None => {
                    self.findings.push(
                        Finding::new(
                            "dotenv-line-skipped",
                            format!("python-dotenv sets nothing for {key}: the line has no `=`"),
                        )
                        .help("python-dotenv reads a name without `=` as a name with no value (no warning) and sets no variable; an earlier value of it in the same file is dropped too")
                        .at(at(b.line, b.column)),
                    );
                    if is_secret_name(&key) || !is_env_style_name(&key) {
                        self.secret_candidates
                            .push(crate::model::Secret::new(key.clone()));
                    }
                    FileValue::NoValue
                }
                Some(raw) => {
                    if is_secret_name(&key) {
                        self.secret_candidates
                            .push(crate::model::Secret::new(raw.clone()));
                    }
                    let expanded = self.interpolate(
                        raw,
                        &new_values,
                        TOTAL_CAP.saturating_sub(self.expanded_total),
                    );
                    match expanded {
                        Some((text, not_utf8)) => {
                            self.expanded_total += text.len();
                            if is_secret_name(&key) {
                                self.secret_candidates
                                    .push(crate::model::Secret::new(text.clone()));
                            }
                            FileValue::Set {
                                text,
                                not_utf8,
                                line: b.line,
                                column: b.column,
                            }
                        }
                        None => {
                            self.findings.push(
                                Finding::new(
                                    "dotenv-value-too-large",
                                    format!(
                                        "{key} expands to more than {} bytes, or past {} MiB for all the run's dotenv values: swml-sec does not load it",
                                        VALUE_CAP,
                                        TOTAL_CAP / (1024 * 1024)
                                    ),
                                )
                                .help("python-dotenv would build the whole value (`${A}${A}...` doubles at each line); keep values small and avoid repeated interpolation")
                                .at(at(b.line, b.column)),
                            );
                            FileValue::TooLarge
                        }
                    }
                }
            };
            if !new_values.contains_key(&key) {
                order.push(key.clone());
            }
            new_values.insert(key, value);
        }
        // `set_as_environment_variables` with override=False.
        for key in order {
            if self.vars.contains_key(env_key(&key).as_ref()) {
                continue;
            }
            let Some(FileValue::Set {
                text,
                not_utf8,
                line,
                column,
            }) = new_values.remove(&key)
            else {
                continue;
            };
            // os.environ[k] = v: CPython's putenv refuses these.
            let refused = if key.contains('=') {
                Some("ValueError: illegal environment variable name")
            } else if key.contains('\0') || text.contains('\0') {
                Some("ValueError: embedded null byte")
            } else {
                None
            };
            if let Some(error) = refused {
                return Err(EnvError::Python {
                    path: path.to_string(),
                    line,
                    error,
                });
            }
            self.vars.insert(
                env_key(&key).into_owned(),
                EnvVar {
                    value: text,
                    not_utf8,
                    origin: EnvOrigin::EnvFile {
                        path: path.to_string(),
                        line,
                        column,
                    },
                },
            );
        }
        Ok(())
    }

    /// A value with its `${...}` replaced: what the variable holds in the
    /// environment first (override=False), else earlier in this file. None
    /// when the result would exceed the caps; its length is known before
    /// anything is built, so an expansion bomb costs nothing.
    fn interpolate<'v>(
        &'v self,
        raw: &'v str,
        new_values: &'v HashMap<String, FileValue>,
        room: usize,
    ) -> Option<(String, bool)> {
        let atoms = dotenv::atoms(raw);
        let lookup =
            |name: &str, default: Option<&'v str>| lookup(&self.vars, new_values, name, default);
        let mut len = 0usize;
        for a in &atoms {
            len += match a {
                Atom::Literal(t) => t.len(),
                Atom::Variable { name, default } => lookup(name, *default)?.1.len(),
            };
        }
        if len > VALUE_CAP || len > room {
            return None;
        }
        let mut out = String::with_capacity(len);
        let mut not_utf8 = false;
        for a in &atoms {
            match a {
                Atom::Literal(t) => out.push_str(t),
                Atom::Variable { name, default } => {
                    let (var, text) = lookup(name, *default)?;
                    not_utf8 |= var.is_some_and(|v| v.not_utf8);
                    out.push_str(text);
                }
            }
        }
        Some((out, not_utf8))
    }
}

/// `${name}` or `${name:-default}` with override=False: the environment
/// first, then this file's earlier lines (a name without `=` reads as ""),
/// then the default. None for a value beyond the caps.
fn lookup<'v>(
    vars: &'v BTreeMap<String, EnvVar>,
    new_values: &'v HashMap<String, FileValue>,
    name: &str,
    default: Option<&'v str>,
) -> Option<(Option<&'v EnvVar>, &'v str)> {
    if let Some(v) = vars.get(env_key(name).as_ref()) {
        return Some((Some(v), &v.value));
    }
    match new_values.get(name) {
        Some(FileValue::Set { text, .. }) => Some((None, text)),
        Some(FileValue::NoValue) => Some((None, "")),
        Some(FileValue::TooLarge) => None,
        None => Some((None, default.unwrap_or(""))),
    }
}

/// This file's value of a name while python-dotenv resolves it.
enum FileValue {
    /// `KEY` without `=`: Python's None, which `${KEY:-d}` reads as "".
    NoValue,
    Set {
        text: String,
        not_utf8: bool,
        line: usize,
        column: usize,
    },
    /// Beyond the caps: not followed.
    TooLarge,
}

/// Python's `os.environ` on Windows ignores case: it stores every name
/// upper-cased (`str.upper`), so `swml_basic_auth_password` from a dotenv
/// file is the SDK's password there. Elsewhere names are exact.
const PYTHON_ENV_IGNORES_CASE: bool = cfg!(windows);

/// The name under which Python's `os.environ` keeps `name` on this OS.
fn env_key(name: &str) -> std::borrow::Cow<'_, str> {
    python_env_key(name, PYTHON_ENV_IGNORES_CASE)
}

/// The name under which `os.environ` keeps `name`: upper-cased as Python's
/// `str.upper` does when it ignores case (Windows), as it is otherwise.
pub fn python_env_key(name: &str, ignores_case: bool) -> std::borrow::Cow<'_, str> {
    if ignores_case {
        let upper = name.to_uppercase();
        if upper != name {
            return std::borrow::Cow::Owned(upper);
        }
    }
    std::borrow::Cow::Borrowed(name)
}

/// The largest value one dotenv assignment may expand to.
pub const VALUE_CAP: usize = 1024 * 1024;
/// The most all dotenv values of a run may add up to, every file together
/// (24 files of 64 MiB each once held 1.6 GB).
pub const TOTAL_CAP: usize = 4 * 1024 * 1024;

/// `NAME_LIKE_THIS`: a lone word of another shape might be a pasted secret.
fn is_env_style_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
}

/// `value.casefold() in {"1", "true", "t", "yes", "y"}`. Only U+017F (long s)
/// casefolds into one of these ASCII letters from outside ASCII.
fn is_python_dotenv_true(value: &str) -> bool {
    let folded: String = value
        .chars()
        .map(|c| if c == '\u{17f}' { 's' } else { c })
        .collect::<String>()
        .to_lowercase();
    matches!(folded.as_str(), "1" | "true" | "t" | "yes" | "y")
}

fn skipped_help(line: usize, mark_line: usize) -> String {
    let warned = if line == mark_line {
        String::new()
    } else {
        " (the first of the blank lines before the statement)".to_string()
    };
    format!(
        "python-dotenv logs \"could not parse statement starting at line {mark_line}\"{warned}, skips only this statement and loads the rest of the file; fix the line or quote the value"
    )
}

/// What could be a secret on a statement python-dotenv skipped: for a
/// secret-looking name (or a statement with no name), the text after it, and
/// each word of that text, without quotes.
fn mine_secrets(raw: &str) -> Vec<String> {
    let t = raw.trim();
    let t = t.strip_prefix("export").map_or(t, |r| {
        if r.starts_with(char::is_whitespace) {
            r.trim_start()
        } else {
            t
        }
    });
    let name_end = t
        .find(|c: char| c.is_whitespace() || matches!(c, '=' | ':'))
        .unwrap_or(t.len());
    let name = t[..name_end].trim_matches(|c| c == '\'' || c == '"');
    if !name.is_empty() && !is_secret_name(name) {
        return Vec::new();
    }
    let rest = t[name_end..].trim().trim_start_matches(['=', ':']).trim();
    let unquote = |s: &str| s.trim_matches(|c| c == '\'' || c == '"').to_string();
    let mut out = vec![unquote(rest)];
    out.extend(rest.split_whitespace().map(unquote));
    if name.is_empty() {
        out.push(unquote(t));
    }
    out.retain(|s| !s.is_empty());
    out
}

/// Reads a dotenv source: `-` is standard input; a FIFO (such as
/// `<(sops -d prod.env)`) is read until its writer closes it; else a regular
/// file. Never more than `cap` bytes, never a directory or a device.
pub fn read_env_source(path: &str, cap: u64) -> Result<Vec<u8>, ReadError> {
    use std::io::Read;
    let read_stream = |reader: &mut dyn Read| -> Result<Vec<u8>, ReadError> {
        let mut bytes = Vec::new();
        reader
            .take(cap + 1)
            .read_to_end(&mut bytes)
            .map_err(|e| ReadError::Io {
                path: path.to_string(),
                source: e,
            })?;
        if bytes.len() as u64 > cap {
            return Err(ReadError::TooLarge {
                path: path.to_string(),
                size: bytes.len() as u64,
                cap,
            });
        }
        Ok(bytes)
    };
    if path == "-" {
        return read_stream(&mut std::io::stdin().lock());
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if std::fs::metadata(path).is_ok_and(|m| m.file_type().is_fifo()) {
            let mut file = std::fs::File::open(path).map_err(|e| ReadError::Io {
                path: path.to_string(),
                source: e,
            })?;
            return read_stream(&mut file);
        }
    }
    read_bounded(path, cap)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_match_as_python_os_environ_does() {
        // Windows: os.environ upper-cases every name (str.upper, Unicode).
        assert_eq!(
            python_env_key("swml_basic_auth_password", true),
            "SWML_BASIC_AUTH_PASSWORD"
        );
        assert_eq!(python_env_key("Swml_Ssl_Enabled", true), "SWML_SSL_ENABLED");
        assert_eq!(python_env_key("straße", true), "STRASSE");
        assert_eq!(python_env_key("SWML_DOMAIN", true), "SWML_DOMAIN");
        // Elsewhere: exact.
        assert_eq!(
            python_env_key("swml_basic_auth_password", false),
            "swml_basic_auth_password"
        );
        // The view on this OS follows its own rule.
        let mut env = EnvView::empty();
        env.load_env_bytes("a.env", b"swml_basic_auth_password=from-file\n")
            .unwrap();
        assert_eq!(
            env.get("SWML_BASIC_AUTH_PASSWORD").is_some(),
            cfg!(windows),
            "{:?}",
            env.iter().collect::<Vec<_>>()
        );
    }

    #[test]
    fn secret_values_include_skipped_and_unapplied_lines() {
        let mut env = EnvView::from_pairs([(
            "SWML_BASIC_AUTH_PASSWORD".to_string(),
            "proc-pw".to_string(),
        )]);
        env.load_env_bytes(
            "a.env",
            b"SWML_BASIC_AUTH_PASSWORD=file-pw\nAPI_TOKEN=\"tok en\"\nSWML_BASIC_AUTH_PASSWORD raw-pw\nDOMAIN=x\nhunter2\n",
        )
        .unwrap();
        let secrets = env.secret_values();
        for want in ["proc-pw", "file-pw", "tok en", "raw-pw", "hunter2"] {
            assert!(
                secrets.iter().any(|s| s.expose() == want),
                "{want} missing from {secrets:?}"
            );
        }
        assert!(!secrets.iter().any(|s| s.expose() == "x"));
        // Typed: a Debug print of the values shows none of them.
        assert!(!format!("{secrets:?}").contains("tok en"));
        match &env.var("API_TOKEN").unwrap().origin {
            EnvOrigin::EnvFile { path, line, column } => {
                assert_eq!((path.as_str(), *line, *column), ("a.env", 2, 1))
            }
            other => panic!("{other:?}"),
        }
    }
}
