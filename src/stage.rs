//! `check --stage`: what the repository's CI can judge (`build`) and what
//! only the running container can (`deploy`).
//!
//! A repository holds the config file and perhaps an example env file, but
//! not the secrets or the certificates, which are injected or mounted at
//! deploy. `build` turns the findings about those missing pieces into
//! notes, marked [`Finding::deferred`], and checks everything present in
//! full; `deploy` (the default) checks everything.
//!
//! What `build` leaves to deploy:
//! - `var-unset` for a secret variable: a name [`is_secret_name`] calls
//!   secret, or a variable that feeds the Basic auth password or a
//!   certificate or key path;
//! - a password, certificate path or key path that nothing sets here
//!   (`auth-password-unset`, `tls-path-missing`), or that only an unset
//!   variable would set;
//! - a certificate or key file that does not exist here
//!   (`tls-file-unreadable`; a file that exists but cannot be read is
//!   still an error);
//! - every finding about a value set by an example env file: an
//!   `--env-file` whose name has a dot-separated part `example`, `sample`
//!   or `template` (`.env.example`, `env.sample`, `example.env`): its
//!   values are placeholders.

use crate::finding::{Finding, Location};
use crate::input::{EnvOrigin, EnvView, is_secret_name};
use crate::model::{SettingId, Source};
use crate::resolve::Resolution;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Stage {
    /// Repository CI: secrets and certificates are provided at deploy.
    Build,
    /// The running container, with the real environment and files.
    #[default]
    Deploy,
}

/// The reason given for a finding left to deploy.
pub const PROVIDED_AT_DEPLOY: &str = "provided at deploy; checked by `--stage deploy`";

/// The settings whose values a repository does not hold.
const DEPLOY_SETTINGS: [SettingId; 3] = [
    SettingId::BasicAuthPassword,
    SettingId::SslCertPath,
    SettingId::SslKeyPath,
];

/// An example env file by its name: a dot-separated part of the file name
/// is `example`, `sample` or `template`.
pub fn is_example_env_file(path: &str) -> bool {
    let name = std::path::Path::new(path)
        .file_name()
        .map(|n| n.to_string_lossy().to_lowercase())
        .unwrap_or_default();
    name.contains('.')
        && name
            .split('.')
            .any(|part| matches!(part, "example" | "sample" | "template"))
}

/// The variables a `${...}` in the config file names for `source`, each
/// with whether it was unset.
fn via_vars(source: &Source) -> Vec<(&str, bool)> {
    match source {
        Source::File(span) => span
            .via
            .as_deref()
            .map(|v| {
                v.split(", ")
                    .map(|part| match part.split_once(' ') {
                        Some((name, "unset")) => (name, true),
                        Some((name, _)) => (name, false),
                        None => (part, false),
                    })
                    .collect()
            })
            .unwrap_or_default(),
        _ => Vec::new(),
    }
}

/// The example env file that set the value of `source`, if one did.
fn example_file_of(source: &Source, env: &EnvView) -> Option<String> {
    match source {
        Source::Env {
            env_file: Some(file),
            ..
        } if is_example_env_file(file) => Some(file.clone()),
        Source::File(_) => {
            via_vars(source)
                .into_iter()
                .find_map(|(name, _)| match &env.var(name)?.origin {
                    EnvOrigin::EnvFile { path, .. } if is_example_env_file(path) => {
                        Some(path.clone())
                    }
                    _ => None,
                })
        }
        _ => None,
    }
}

/// A value that nothing sets here, or only a variable that is unset.
fn unset_here(source: &Source) -> bool {
    match source {
        Source::Default => true,
        Source::File(_) => {
            let vars = via_vars(source);
            !vars.is_empty() && vars.iter().all(|(_, unset)| *unset)
        }
        Source::Env { .. } => false,
    }
}

/// Marks the findings `--stage build` leaves to `--stage deploy`; their
/// severity then becomes a note (see [`crate::policy::severity_of`]).
pub fn defer_to_deploy(findings: &mut [Finding], res: &Resolution, env: &EnvView) {
    let setting_of = |name: &str| {
        SettingId::ALL
            .into_iter()
            .find(|id| id.name() == name)
            .map(|id| res.settings.get(id))
    };
    let deploy_vars: Vec<&str> = DEPLOY_SETTINGS
        .iter()
        .flat_map(|id| via_vars(&res.settings.get(*id).source))
        .map(|(name, _)| name)
        .collect();
    for f in findings.iter_mut() {
        let setting = f.setting.as_deref().and_then(setting_of);
        let example = match (&f.location, setting) {
            (
                Location::Env {
                    env_file: Some(file),
                    ..
                },
                _,
            ) if is_example_env_file(file) => Some(file.clone()),
            (_, Some(s)) => example_file_of(&s.source, env),
            _ => None,
        };
        if let Some(file) = example {
            defer(
                f,
                format!(
                    "the value is a placeholder from the example file {file}: the real one is {PROVIDED_AT_DEPLOY}"
                ),
            );
            continue;
        }
        let deferred = match f.rule {
            "var-unset" => f
                .variable
                .as_deref()
                .is_some_and(|v| is_secret_name(v) || deploy_vars.contains(&v)),
            "auth-password-unset" | "tls-path-missing" => {
                setting.is_some_and(|s| DEPLOY_SETTINGS.contains(&s.id) && unset_here(&s.source))
            }
            "tls-file-unreadable" => setting.is_some_and(|s| {
                s.value.as_str().is_some_and(|path| {
                    std::fs::symlink_metadata(path)
                        .is_err_and(|e| e.kind() == std::io::ErrorKind::NotFound)
                })
            }),
            _ => false,
        };
        if deferred {
            defer(f, PROVIDED_AT_DEPLOY.to_string());
        }
    }
}

/// Marks `f` as left to deploy; its help says so first, then what to do there.
fn defer(f: &mut Finding, reason: String) {
    f.help = Some(match f.help.take() {
        Some(help) => format!("{reason}; there: {help}"),
        None => reason.clone(),
    });
    f.deferred = Some(reason);
}

#[cfg(test)]
mod tests {
    use super::is_example_env_file;

    #[test]
    fn example_files_are_known_by_name() {
        for yes in [
            ".env.example",
            "deploy/.env.sample",
            "example.env",
            "prod.env.template",
            ".env.EXAMPLE",
        ] {
            assert!(is_example_env_file(yes), "{yes}");
        }
        for no in [
            ".env",
            "prod.env",
            "examples/.env",
            ".env.examples",
            "-",
            "sample",
        ] {
            assert!(!is_example_env_file(no), "{no}");
        }
    }
}
