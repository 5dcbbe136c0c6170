//! Repository-relative places for the CI formats, which need a file for
//! every finding: the config span, the dotenv line, the config file's
//! `security` key, or an anchor file.

use std::path::{Component, Path, PathBuf};

use crate::finding::{Finding, Location};
use crate::resolve::{ConfigSource, LineIndex};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Region {
    pub start_line: usize,
    pub start_column: usize,
    pub end_line: Option<usize>,
    pub end_column: Option<usize>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Place {
    /// Relative to the repository's root, with forward slashes.
    pub uri: String,
    pub region: Option<Region>,
    /// The environment variable behind the finding, if any.
    pub variable: Option<String>,
}

pub struct Locator<'a> {
    /// The working directory: a relative path in a finding starts there.
    pub cwd: PathBuf,
    /// The working directory relative to the repository's root (empty
    /// when they are the same): what a relative path is prefixed with.
    pub prefix: PathBuf,
    /// The repository's root: an absolute path is taken relative to it.
    root: PathBuf,
    pub config: Option<&'a ConfigSource>,
    /// Fallback for findings with no file: --sarif-anchor, the policy file or README.md.
    pub anchor: String,
    /// Line starts of the config text, computed once for every finding.
    index: Option<LineIndex<'a>>,
    /// The last path made relative, and what it became: 300,000 findings
    /// in one file ask for the same path in turn.
    last_relative: std::cell::RefCell<Option<(String, Option<String>)>>,
}

impl<'a> Locator<'a> {
    /// The anchor is the first of `anchor_candidates` that is
    /// repository-relative (README.md when none is).
    pub fn new(
        cwd: PathBuf,
        config: Option<&'a ConfigSource>,
        anchor_candidates: &[Option<String>],
    ) -> Self {
        let index = config
            .and_then(|c| c.text.as_deref())
            .map(|t| LineIndex::new(t));
        let mut locator = Locator {
            root: cwd.clone(),
            cwd,
            prefix: PathBuf::new(),
            config,
            anchor: String::new(),
            index,
            last_relative: std::cell::RefCell::new(None),
        };
        locator.anchor = anchor_candidates
            .iter()
            .flatten()
            .find_map(|p| locator.relative(p))
            .unwrap_or_else(|| "README.md".to_string());
        locator
    }

    /// The same locator for a repository whose root is `root`, an
    /// ancestor of (or the same as) the working directory: every place is
    /// then relative to the root. None when the working directory is not
    /// inside `root`.
    pub fn with_root(
        cwd: PathBuf,
        root: &Path,
        config: Option<&'a ConfigSource>,
        anchor_candidates: &[Option<String>],
    ) -> Option<Self> {
        let prefix = cwd.strip_prefix(root).ok()?.to_path_buf();
        let mut locator = Locator::new(cwd, config, &[]);
        locator.prefix = prefix;
        locator.root = root.to_path_buf();
        locator.last_relative.replace(None);
        locator.anchor = anchor_candidates
            .iter()
            .flatten()
            .find_map(|p| locator.relative(p))
            .unwrap_or_else(|| "README.md".to_string());
        Some(locator)
    }

    /// `path` relative to the repository's root (the working directory
    /// unless [`Locator::with_root`]), if it lies inside it.
    pub fn relative(&self, path: &str) -> Option<String> {
        if let Some((last, relative)) = self.last_relative.borrow().as_ref()
            && last == path
        {
            return relative.clone();
        }
        let relative = self.relative_uncached(path);
        self.last_relative
            .replace(Some((path.to_string(), relative.clone())));
        relative
    }

    fn relative_uncached(&self, path: &str) -> Option<String> {
        let p = Path::new(path);
        let rel: PathBuf = if p.is_absolute() {
            p.strip_prefix(&self.root).ok()?.to_path_buf()
        } else {
            self.prefix.join(p)
        };
        let mut parts = Vec::new();
        for c in rel.components() {
            match c {
                Component::Normal(s) => parts.push(s.to_str()?.to_string()),
                Component::CurDir => {}
                Component::ParentDir => {
                    parts.pop()?;
                }
                _ => return None,
            }
        }
        (!parts.is_empty()).then(|| parts.join("/"))
    }

    fn config_region(&self, range: &std::ops::Range<usize>) -> Option<Region> {
        let index = self.index.as_ref()?;
        let (start_line, start_column) = index.line_col(range.start);
        let (end_line, end_column) = index.line_col(range.end);
        Some(Region {
            start_line,
            start_column,
            end_line: Some(end_line),
            end_column: Some(end_column),
        })
    }

    fn fallback(&self, variable: Option<String>) -> Place {
        if let Some(c) = self.config
            && let Some(uri) = self.relative(&c.path)
        {
            let region = c.security_key.as_ref().and_then(|r| self.config_region(r));
            return Place {
                uri,
                region,
                variable,
            };
        }
        Place {
            uri: self.anchor.clone(),
            region: None,
            variable,
        }
    }

    pub fn place(&self, finding: &Finding) -> Place {
        let mut place = self.place_of(finding);
        // A region that ends where a secret value ends tells its length:
        // for a secret's slot only the start is given.
        let secret_pointer = matches!(&finding.location, Location::File { pointer: Some(p), .. }
            if p.rsplit('/').next().is_some_and(crate::input::is_secret_name));
        let secret_setting = finding
            .setting
            .as_deref()
            .is_some_and(|s| s == "basic_auth_password" || crate::input::is_secret_name(s));
        if (secret_pointer || secret_setting)
            && let Some(r) = &mut place.region
        {
            r.end_line = None;
            r.end_column = None;
        }
        place
    }

    fn place_of(&self, finding: &Finding) -> Place {
        match &finding.location {
            Location::File {
                path,
                line,
                column,
                range,
                ..
            } => match self.relative(path) {
                Some(uri) => {
                    let region = if self.config.is_some_and(|c| *c.path == **path) {
                        self.config_region(range)
                    } else {
                        None
                    }
                    .or(Some(Region {
                        start_line: *line as usize,
                        start_column: *column as usize,
                        end_line: None,
                        end_column: None,
                    }));
                    Place {
                        uri,
                        region,
                        variable: None,
                    }
                }
                None => self.fallback(None),
            },
            Location::Path { path } => match self.relative(path) {
                Some(uri) => Place {
                    uri,
                    region: None,
                    variable: None,
                },
                None => self.fallback(None),
            },
            Location::Env {
                name,
                env_file: Some(file),
                line,
            } => match self.relative(file) {
                Some(uri) => Place {
                    uri,
                    region: line.map(|l| Region {
                        start_line: l,
                        start_column: 1,
                        end_line: None,
                        end_column: None,
                    }),
                    variable: Some(name.to_string()),
                },
                None => self.fallback(Some(name.to_string())),
            },
            Location::Env { name, .. } => self.fallback(Some(name.to_string())),
            Location::Default | Location::Url { .. } => self.fallback(None),
        }
    }
}
