//! A snapshot of the environment the SDK would see: the process environment
//! (unless `--no-env`) plus dotenv files that never override it.

use std::collections::BTreeMap;

use crate::input::files::{CONFIG_SIZE_CAP, ReadError, read_bounded};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EnvOrigin {
    Process,
    /// Set by a dotenv file given with `--env-file`, at this 1-based line.
    EnvFile {
        path: String,
        line: usize,
    },
}

#[derive(Debug, Clone)]
pub struct EnvVar {
    /// The value; bytes that are not UTF-8 are replaced by U+FFFD.
    pub value: String,
    /// True when the original value was not valid UTF-8.
    pub not_utf8: bool,
    pub origin: EnvOrigin,
}

#[derive(Debug, Clone, Default)]
pub struct EnvView {
    vars: BTreeMap<String, EnvVar>,
    /// SWML_* names that are not valid UTF-8 (lossily decoded).
    pub invalid_names: Vec<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum EnvError {
    #[error(transparent)]
    Read(#[from] ReadError),
    #[error("{path}: not valid UTF-8 at byte {offset}")]
    NotUtf8 { path: String, offset: usize },
    #[error("{path}:{line}: {message}")]
    Syntax {
        path: String,
        line: usize,
        message: String,
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
                name,
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
                name,
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
        self.vars.get(name).map(|v| v.value.as_str())
    }

    pub fn var(&self, name: &str) -> Option<&EnvVar> {
        self.vars.get(name)
    }

    pub fn iter(&self) -> impl Iterator<Item = (&String, &EnvVar)> {
        self.vars.iter()
    }

    /// Adds the variables of a dotenv file, as python-dotenv's
    /// `load_dotenv(override=False)` does: a variable already set (by the
    /// process or an earlier file) keeps its value; within one file the
    /// last assignment wins.
    pub fn load_env_file(&mut self, path: &str) -> Result<(), EnvError> {
        let bytes = read_bounded(path, CONFIG_SIZE_CAP)?;
        let text = std::str::from_utf8(&bytes).map_err(|e| EnvError::NotUtf8 {
            path: path.to_string(),
            offset: e.valid_up_to(),
        })?;
        let mut from_this_file: BTreeMap<String, EnvVar> = BTreeMap::new();
        for item in dotenvy::from_read_iter(text.as_bytes()) {
            let (name, value) = item.map_err(|e| dotenv_error(path, text, e))?;
            let line = assignment_line(text, &name).unwrap_or(1);
            from_this_file.insert(
                name,
                EnvVar {
                    value,
                    not_utf8: false,
                    origin: EnvOrigin::EnvFile {
                        path: path.to_string(),
                        line,
                    },
                },
            );
        }
        for (name, var) in from_this_file {
            self.vars.entry(name).or_insert(var);
        }
        Ok(())
    }
}

fn dotenv_error(path: &str, text: &str, e: dotenvy::Error) -> EnvError {
    match e {
        dotenvy::Error::LineParse(line_text, index) => {
            let line = text
                .lines()
                .position(|l| l == line_text)
                .map_or(1, |i| i + 1);
            EnvError::Syntax {
                path: path.to_string(),
                line,
                message: format!("cannot parse this line (at character {})", index + 1),
            }
        }
        other => EnvError::Syntax {
            path: path.to_string(),
            line: 1,
            message: other.to_string(),
        },
    }
}

/// The line of the last assignment to `name`, for pointing at it.
fn assignment_line(text: &str, name: &str) -> Option<usize> {
    text.lines()
        .enumerate()
        .filter(|(_, l)| {
            let l = l.trim_start();
            let l = l.strip_prefix("export ").map_or(l, str::trim_start);
            l.strip_prefix(name)
                .is_some_and(|rest| rest.trim_start().starts_with('='))
        })
        .map(|(i, _)| i + 1)
        .last()
}
