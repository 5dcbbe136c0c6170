//! Which config file the SDK would load: `ConfigLoader.find_config_file`.

use std::path::{Path, PathBuf};

#[derive(Debug, Clone)]
pub enum ConfigChoice {
    /// A path named on the command line: only that file, never a search.
    Explicit(String),
    /// The SDK's search order from the working directory.
    Discover {
        service: Option<String>,
        home: Option<PathBuf>,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Discovered {
    /// The path as the SDK would name it (relative to the working directory,
    /// or absolute for the home and /etc candidates).
    pub path: String,
    pub explicit: bool,
}

/// The candidates, in the SDK's order. `swml_config.json` is not among them,
/// although `ConfigLoader`'s own default list has it.
pub fn sdk_search_order(service: Option<&str>, home: Option<&Path>) -> Vec<String> {
    let mut paths = Vec::new();
    if let Some(name) = service.filter(|s| !s.is_empty()) {
        paths.push(format!("{name}_config.json"));
        paths.push(format!(".swml/{name}_config.json"));
    }
    paths.push("config.json".into());
    paths.push("agent_config.json".into());
    paths.push(".swml/config.json".into());
    match home {
        Some(h) => paths.push(h.join(".swml/config.json").to_string_lossy().into_owned()),
        // os.path.expanduser leaves "~" alone when it cannot find a home.
        None => paths.push("~/.swml/config.json".into()),
    }
    paths.push("/etc/swml/config.json".into());
    paths
}

/// Python's `os.path.exists`: follows symlinks; any error (a dangling link,
/// a loop, a directory it may not search) counts as "does not exist".
fn python_exists(path: &str) -> bool {
    std::fs::metadata(path).is_ok()
}

/// The file the SDK would pick. Anything that exists stops the search, even
/// a directory or an unreadable file, which the SDK then fails to load.
pub fn discover_config(choice: &ConfigChoice) -> Option<Discovered> {
    match choice {
        ConfigChoice::Explicit(path) => Some(Discovered {
            path: path.clone(),
            explicit: true,
        }),
        ConfigChoice::Discover { service, home } => {
            sdk_search_order(service.as_deref(), home.as_deref())
                .into_iter()
                .find(|p| python_exists(p))
                .map(|path| Discovered {
                    path,
                    explicit: false,
                })
        }
    }
}
