//! `check --stage`: what the repository's CI can judge (`build`) and what
//! only the running container can (`deploy`).
//!
//! A repository holds the config file and perhaps an example env file, but
//! not the secrets or the certificates, which are injected or mounted at
//! deploy. `build` turns the findings about those missing pieces into
//! notes, marked [`Finding::deferred`], and checks everything present in
//! full; `deploy` (the default) checks everything.
//!
//! What `build` leaves to deploy, and nothing else:
//! - `var-unset` for a secret variable: a name [`is_secret_name`] calls
//!   secret, or a variable that feeds the Basic auth password or a
//!   certificate or key path;
//! - a password, certificate path or key path that nothing sets here
//!   (`auth-password-unset`, `tls-path-missing`), or that only an unset
//!   variable would set;
//! - a certificate or key file that does not exist here
//!   (`tls-file-unreadable`);
//! - a password, certificate path or key path set by an example env file:
//!   an `--env-file` whose name has a dot-separated part `example`,
//!   `sample` or `template` (`.env.example`, `env.sample`, `example.env`):
//!   those values are placeholders.
//!
//! A file that exists is judged in full, whoever named it: a certificate
//! or key that is there is what would be deployed. Every other value of an
//! example file is judged as in any env file (deployments copy
//! `SWML_TRUST_REMOTE_USER=true` and a wildcard host along with the
//! placeholders).
//!
//! And what `build` adds: the build stage runs on a checkout, so a
//! password it finds there is committed ([`committed_secrets`]).

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

impl Stage {
    pub fn as_str(self) -> &'static str {
        match self {
            Stage::Build => "build",
            Stage::Deploy => "deploy",
        }
    }
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

/// Whether `rule` judges what a certificate or key file holds: such a
/// finding exists only because the file does, and is never a placeholder.
fn judges_file_content(rule: &str) -> bool {
    rule.starts_with("cert-") || rule.starts_with("key-")
}

/// Whether nothing is at `path` here (a broken link or an unreadable
/// directory on the way is something: an error, not a deploy matter).
fn missing_here(path: &str) -> bool {
    std::fs::symlink_metadata(path).is_err_and(|e| e.kind() == std::io::ErrorKind::NotFound)
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
        if judges_file_content(f.rule) {
            continue;
        }
        let setting = f.setting.as_deref().and_then(setting_of);
        let deploy_setting = setting.filter(|s| DEPLOY_SETTINGS.contains(&s.id));
        let example = match (&f.location, deploy_setting) {
            (_, None) => None,
            (
                Location::Env {
                    env_file: Some(file),
                    ..
                },
                _,
            ) if is_example_env_file(file) => Some(file.to_string()),
            (_, Some(s)) => example_file_of(&s.source, env),
        };
        if f.rule == "tls-file-unreadable" {
            // A file that exists is judged, whoever named it.
            let missing = setting.is_some_and(|s| s.value.as_str().is_some_and(missing_here));
            if !missing {
                continue;
            }
        }
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
                .variable_name()
                .is_some_and(|v| is_secret_name(v) || deploy_vars.contains(&v)),
            "auth-password-unset" | "tls-path-missing" => {
                deploy_setting.is_some_and(|s| unset_here(&s.source))
            }
            "tls-file-unreadable" => true,
            _ => false,
        };
        if deferred {
            defer(f, PROVIDED_AT_DEPLOY.to_string());
        }
    }
}

/// Whether `path` is inside the working directory, the checkout the build
/// stage runs on (a dotenv file from /run/secrets is not committed).
fn in_checkout(path: &str) -> bool {
    let (Ok(file), Ok(cwd)) = (
        std::fs::canonicalize(path),
        std::env::current_dir().and_then(std::fs::canonicalize),
    ) else {
        return false;
    };
    file.starts_with(cwd)
}

/// A dotenv file that `--stage build` takes as committed: in the checkout,
/// and not an example.
fn committed_env_file(path: &str) -> bool {
    path != "-" && !is_example_env_file(path) && in_checkout(path)
}

/// `--stage build`: the Basic auth password when the checkout holds it (a
/// dotenv file that is not an example, or the config file's own text: a
/// literal, or the default of a `${VAR|default}` whose variable is unset).
/// The value is never part of the message.
pub fn committed_secrets(res: &Resolution, env: &EnvView) -> Vec<Finding> {
    let setting = res.settings.get(SettingId::BasicAuthPassword);
    if setting
        .value
        .as_secret()
        .is_none_or(|p| p.expose().is_empty())
    {
        return Vec::new();
    }
    let found = |message: String, location: Location| {
        Finding::new("auth-secret-committed", message)
            .help("remove it from the repository and rotate it (it stays in the history); provide it at deploy from a secret store, and commit only an example file with a placeholder")
            .setting("basic_auth_password")
            .at(location)
    };
    match &setting.source {
        Source::Env {
            name,
            env_file: Some(file),
            ..
        } if committed_env_file(file) => vec![found(
            format!(
                "the Basic auth password is set by {name} in {file}, a dotenv file in the checkout that is not an example: it is committed"
            ),
            crate::resolve::source_location(&setting.source),
        )],
        Source::File(span) => {
            let vars = via_vars(&setting.source);
            let from_text = span.via.is_none()
                || span
                    .via
                    .as_deref()
                    .is_some_and(|v| v.split(", ").any(|p| p.ends_with(" default")));
            if from_text {
                if !in_checkout(&span.path) {
                    return Vec::new();
                }
                return vec![found(
                    format!(
                        "the config file {} holds the Basic auth password in its own text: it is committed",
                        span.path
                    ),
                    crate::resolve::source_location(&setting.source),
                )];
            }
            vars.into_iter()
                .filter(|(_, unset)| !unset)
                .filter_map(|(name, _)| match env.var(name) {
                    Some(var) => match &var.origin {
                        EnvOrigin::EnvFile { path, line, .. } if committed_env_file(path) => {
                            Some(found(
                                format!("the Basic auth password comes from {name}, set in {path}, a dotenv file in the checkout that is not an example: it is committed"),
                                Location::Env {
                                    name: name.into(),
                                    env_file: Some(path.as_str().into()),
                                    line: Some(*line),
                                },
                            ))
                        }
                        _ => None,
                    },
                    None => None,
                })
                .take(1)
                .collect()
        }
        _ => Vec::new(),
    }
}

/// Marks `f` as left to deploy; its help says so first, then what to do there.
fn defer(f: &mut Finding, reason: String) {
    f.help = Some(
        match f.help.take() {
            Some(help) => format!("{reason}; there: {help}"),
            None => reason.clone(),
        }
        .into(),
    );
    f.defer(reason);
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
