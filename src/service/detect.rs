//! Which service classes the repository runs, read from its own Python
//! files.
//!
//! The walk honours .gitignore (a vendored or installed SDK defines every
//! class) and skips virtual environments, site-packages and node_modules.
//! A file is read only if it is a small regular file that names the SDK;
//! its comments and string literals are blanked before any pattern looks
//! at it, so a docstring that shows `AgentServer()` is not a service.

use std::collections::BTreeSet;
use std::path::Path;
use std::sync::LazyLock;

use regex::Regex;

use super::{Origin, Service, ServiceClass};

/// Python files larger than this are generated, not services.
const FILE_CAP: u64 = 1024 * 1024;
/// At most this many Python files are read: the walk stops there and says so.
const FILES_CAP: usize = 20_000;

/// The SDK's own classes built on AgentBase (prefabs and the Bedrock agent).
const AGENT_CLASSES: &[&str] = &[
    "AgentBase",
    "InfoGathererAgent",
    "FAQBotAgent",
    "ConciergeAgent",
    "SurveyAgent",
    "ReceptionistAgent",
    "BedrockAgent",
];

/// What the walk found.
#[derive(Debug, Default)]
pub struct Detection {
    pub services: Vec<Service>,
    /// Python files read.
    pub files_read: usize,
    /// The walk stopped at FILES_CAP.
    pub truncated: bool,
}

/// One Python file, its comments and strings blanked, with what it imports
/// from the SDK.
struct PyFile {
    path: String,
    code: String,
    sdk_names: BTreeSet<String>,
}

static IMPORT_FROM: LazyLock<Regex> = LazyLock::new(|| {
    // Invariant: a literal pattern, tested by every detection test.
    Regex::new(r"(?m)^[ \t]*from[ \t]+(signalwire_agents|signalwire)(\.[\w.]+)?[ \t]+import[ \t]+(\([^)]*\)|[^\n]*)")
        .expect("valid pattern")
});
static IMPORT_MODULE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?m)^[ \t]*import[ \t]+(signalwire_agents|signalwire)\b").expect("valid pattern")
});
static CLASS_DEF: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?m)^[ \t]*class[ \t]+(\w+)[ \t]*\(([^)]*)\)").expect("valid pattern")
});
static CALL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:^|[^\w.])(?:(?:signalwire_agents|signalwire)\.(?:[\w]+\.)*)?(\w+)[ \t]*\(")
        .expect("valid pattern")
});
static GET_APP: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\.get_app[ \t]*\(").expect("valid pattern"));
static RUNS: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\.(?:serve|run)[ \t]*\(").expect("valid pattern"));

/// Walks `root` and finds every service class the repository runs.
pub fn detect(root: &Path) -> Detection {
    let mut files = Vec::new();
    let mut detection = Detection::default();
    let walker = ignore::WalkBuilder::new(root)
        .require_git(false)
        .follow_links(false)
        .filter_entry(|entry| {
            let name = entry.file_name().to_string_lossy();
            let is_dir = entry.file_type().is_some_and(|t| t.is_dir());
            !(is_dir
                && (matches!(
                    name.as_ref(),
                    "node_modules" | "site-packages" | "__pycache__" | "dist-packages"
                ) || entry.path().join("pyvenv.cfg").exists()))
        })
        .build();
    for entry in walker.flatten() {
        let path = entry.path();
        if !entry.file_type().is_some_and(|t| t.is_file())
            || path.extension().is_none_or(|e| e != "py")
        {
            continue;
        }
        if detection.files_read >= FILES_CAP {
            detection.truncated = true;
            break;
        }
        if entry.metadata().is_ok_and(|m| m.len() > FILE_CAP) {
            continue;
        }
        let Ok(bytes) = std::fs::read(path) else {
            continue;
        };
        detection.files_read += 1;
        if memchr::memmem::find(&bytes, b"signalwire").is_none() {
            continue;
        }
        let text = String::from_utf8_lossy(&bytes);
        let relative = path
            .strip_prefix(root)
            .unwrap_or(path)
            .to_string_lossy()
            .replace('\\', "/");
        if let Some(file) = read_python(relative, &text) {
            files.push(file);
        }
    }
    files.sort_by(|a, b| a.path.cmp(&b.path));
    detection.services = services_in(&files);
    detection
}

/// Detection over in-memory files (path, text): for tests and fuzzing.
pub fn detect_in(sources: &[(&str, &str)]) -> Vec<Service> {
    let files: Vec<PyFile> = sources
        .iter()
        .filter_map(|(path, text)| read_python((*path).to_string(), text))
        .collect();
    services_in(&files)
}

fn read_python(path: String, text: &str) -> Option<PyFile> {
    let code = blank_strings_and_comments(text);
    let mut sdk_names = BTreeSet::new();
    for caps in IMPORT_FROM.captures_iter(&code) {
        let list = caps.get(3).map_or("", |m| m.as_str());
        for item in list.trim_matches(|c| c == '(' || c == ')').split(',') {
            // `X as Y` binds Y to the SDK's X; detection needs the SDK name,
            // and the local one to find calls.
            let mut words = item.split_whitespace();
            let (Some(original), alias) = (words.next(), words.nth(1)) else {
                continue;
            };
            sdk_names.insert(original.to_string());
            if let Some(alias) = alias {
                sdk_names.insert(format!("{alias}={original}"));
            }
        }
    }
    let imports_module = IMPORT_MODULE.is_match(&code);
    (imports_module || !sdk_names.is_empty() || code.contains("signalwire")).then_some(PyFile {
        path,
        code,
        sdk_names,
    })
}

/// The SDK class a local name stands for in `file`.
fn sdk_class_of<'a>(file: &'a PyFile, name: &'a str) -> Option<&'a str> {
    if file.sdk_names.contains(name) {
        return Some(name);
    }
    let prefix = format!("{name}=");
    file.sdk_names
        .range(prefix.clone()..)
        .next()
        .and_then(|n| n.strip_prefix(&prefix))
}

fn line_of(code: &str, offset: usize) -> usize {
    memchr::memchr_iter(b'\n', &code.as_bytes()[..offset.min(code.len())]).count() + 1
}

fn services_in(files: &[PyFile]) -> Vec<Service> {
    // Classes of the repository built on an agent class, to a fixpoint
    // (class B(A) where A is the repository's own agent class).
    let mut agent_classes: BTreeSet<String> = BTreeSet::new();
    let mut swml_classes: BTreeSet<String> = BTreeSet::new();
    loop {
        let before = agent_classes.len() + swml_classes.len();
        for file in files {
            for caps in CLASS_DEF.captures_iter(&file.code) {
                let name = &caps[1];
                for base in caps[2]
                    .split(',')
                    .map(|b| b.trim().rsplit('.').next().unwrap_or(""))
                {
                    let sdk = sdk_class_of(file, base);
                    if sdk.is_some_and(|b| AGENT_CLASSES.contains(&b))
                        || agent_classes.contains(base)
                    {
                        agent_classes.insert(name.to_string());
                    } else if sdk == Some("SWMLService") || swml_classes.contains(base) {
                        swml_classes.insert(name.to_string());
                    }
                }
            }
        }
        if agent_classes.len() + swml_classes.len() == before {
            break;
        }
    }
    let mut services = Vec::new();
    let mut agents = Vec::new();
    for file in files {
        let mut file_has_server = false;
        for caps in CALL.captures_iter(&file.code) {
            let Some(m) = caps.get(1) else { continue };
            let name = m.as_str();
            // `class X(AgentServer)` is a definition, not a call.
            let line_start = file.code[..m.start()].rfind('\n').map_or(0, |i| i + 1);
            if file.code[line_start..m.start()]
                .trim_start()
                .starts_with("class ")
            {
                continue;
            }
            let class = match sdk_class_of(file, name) {
                Some("AgentServer") => Some(ServiceClass::AgentServer),
                Some("WebService") => Some(ServiceClass::WebService),
                Some("SearchService") => Some(ServiceClass::SearchService),
                Some("SWMLService") => Some(ServiceClass::SwmlService),
                _ if swml_classes.contains(name) => Some(ServiceClass::SwmlService),
                _ => None,
            };
            let qualified = file.code[line_start..m.end()].contains("signalwire");
            let class = class.or(match name {
                "AgentServer" if qualified => Some(ServiceClass::AgentServer),
                "WebService" if qualified => Some(ServiceClass::WebService),
                "SearchService" if qualified => Some(ServiceClass::SearchService),
                _ => None,
            });
            if let Some(class) = class {
                file_has_server |= class == ServiceClass::AgentServer;
                services.push(Service {
                    class,
                    origin: Origin::Detected {
                        path: file.path.clone(),
                        line: line_of(&file.code, m.start()),
                    },
                    evidence: Some(format!("{name}(…)")),
                });
            }
        }
        // Agents: the repository's own classes built on AgentBase, or an SDK
        // agent class instantiated directly.
        for caps in CLASS_DEF.captures_iter(&file.code) {
            let name = &caps[1];
            if agent_classes.contains(name) {
                let offset = caps.get(1).map_or(0, |m| m.start());
                agents.push((
                    file,
                    line_of(&file.code, offset),
                    format!("class {name}({})", caps[2].trim()),
                    file_has_server,
                ));
            }
        }
        for caps in CALL.captures_iter(&file.code) {
            let Some(m) = caps.get(1) else { continue };
            if sdk_class_of(file, m.as_str()).is_some_and(|c| AGENT_CLASSES.contains(&c)) {
                let line_start = file.code[..m.start()].rfind('\n').map_or(0, |i| i + 1);
                if file.code[line_start..m.start()]
                    .trim_start()
                    .starts_with("class ")
                {
                    continue;
                }
                agents.push((
                    file,
                    line_of(&file.code, m.start()),
                    format!("{}(…)", m.as_str()),
                    file_has_server,
                ));
            }
        }
    }
    let any_server = services
        .iter()
        .any(|s| s.class == ServiceClass::AgentServer);
    // One agent service per file: the first agent there stands for the file.
    let mut seen_files = BTreeSet::new();
    for (file, line, evidence, file_has_server) in agents {
        if !seen_files.insert(file.path.clone()) {
            continue;
        }
        let served_here = RUNS.is_match(&file.code);
        let app_here = GET_APP.is_match(&file.code);
        // Under an AgentServer an agent is one of its routes; it is a
        // service of its own only where its file also runs it.
        if file_has_server || (any_server && !served_here && !app_here) {
            continue;
        }
        let origin = Origin::Detected {
            path: file.path.clone(),
            line,
        };
        if app_here {
            services.push(Service {
                class: ServiceClass::AgentBaseApp,
                origin: origin.clone(),
                evidence: Some(format!("{evidence}, get_app()")),
            });
        }
        if served_here || !app_here {
            services.push(Service {
                class: ServiceClass::AgentBase,
                origin,
                evidence: Some(evidence),
            });
        }
    }
    services.sort_by(|a, b| match (&a.origin, &b.origin) {
        (Origin::Detected { path: pa, line: la }, Origin::Detected { path: pb, line: lb }) => {
            pa.cmp(pb).then(la.cmp(lb)).then(a.class.cmp(&b.class))
        }
        _ => a.class.cmp(&b.class),
    });
    services.dedup();
    services
}

/// The code of a Python file with every comment and string literal's
/// content replaced by spaces (newlines kept, so lines stay where they
/// are).
fn blank_strings_and_comments(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b == b'#' {
            while i < bytes.len() && bytes[i] != b'\n' {
                out.push(b' ');
                i += 1;
            }
            continue;
        }
        if b == b'"' || b == b'\'' {
            let triple = bytes.get(i + 1) == Some(&b) && bytes.get(i + 2) == Some(&b);
            let quote_len = if triple { 3 } else { 1 };
            out.extend(std::iter::repeat_n(b, quote_len));
            i += quote_len;
            while let Some(&c) = bytes.get(i) {
                if c == b'\\' {
                    out.push(b' ');
                    if let Some(&next) = bytes.get(i + 1) {
                        out.push(if next == b'\n' { b'\n' } else { b' ' });
                    }
                    i += 2;
                    continue;
                }
                if c == b
                    && (!triple || (bytes.get(i + 1) == Some(&b) && bytes.get(i + 2) == Some(&b)))
                {
                    out.extend(std::iter::repeat_n(b, quote_len));
                    i += quote_len;
                    break;
                }
                if c == b'\n' && !triple {
                    // An unterminated one-line string ends at the line.
                    break;
                }
                out.push(if c == b'\n' { b'\n' } else { b' ' });
                i += 1;
            }
            continue;
        }
        out.push(b);
        i += 1;
    }
    // Only ASCII bytes were replaced by ASCII: multi-byte sequences outside
    // strings are copied whole, and inside strings each of their bytes
    // became a space.
    String::from_utf8(out).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn classes(sources: &[(&str, &str)]) -> Vec<(ServiceClass, usize)> {
        detect_in(sources)
            .into_iter()
            .map(|s| match s.origin {
                Origin::Detected { line, .. } => (s.class, line),
                _ => (s.class, 0),
            })
            .collect()
    }

    #[test]
    fn an_agent_subclass_is_agent_base() {
        let src = "from signalwire_agents import AgentBase\n\nclass Support(AgentBase):\n    pass\n\nSupport().run()\n";
        assert_eq!(classes(&[("a.py", src)]), [(ServiceClass::AgentBase, 3)]);
    }

    #[test]
    fn a_prefab_through_an_alias_in_a_parenthesized_import() {
        let src = "from signalwire.prefabs import (\n    InfoGathererAgent as Gatherer,\n)\nagent = Gatherer(questions=[])\nagent.serve()\n";
        assert_eq!(classes(&[("a.py", src)]), [(ServiceClass::AgentBase, 4)]);
    }

    #[test]
    fn agents_registered_on_a_server_are_the_server() {
        let agents = "from signalwire_agents import AgentBase\nclass Sales(AgentBase):\n    pass\n";
        let main = "from signalwire_agents import AgentServer\nfrom agents import Sales\n\nserver = AgentServer(port=3000)\nserver.register(Sales(), '/sales')\nserver.run()\n";
        assert_eq!(
            classes(&[("agents.py", agents), ("main.py", main)]),
            [(ServiceClass::AgentServer, 4)]
        );
    }

    #[test]
    fn an_agent_run_on_its_own_beside_a_server_is_both() {
        let solo = "from signalwire_agents import AgentBase\nclass Solo(AgentBase):\n    pass\nif __name__ == '__main__':\n    Solo().run()\n";
        let main =
            "import signalwire_agents\nserver = signalwire_agents.AgentServer()\nserver.run()\n";
        assert_eq!(
            classes(&[("solo.py", solo), ("main.py", main)]),
            [(ServiceClass::AgentServer, 2), (ServiceClass::AgentBase, 2)]
        );
    }

    #[test]
    fn get_app_is_the_app_served_elsewhere() {
        let src = "from signalwire_agents import AgentBase\nclass A(AgentBase):\n    pass\napp = A().get_app()\n";
        assert_eq!(
            classes(&[("app.py", src)]),
            [(ServiceClass::AgentBaseApp, 2)]
        );
    }

    #[test]
    fn web_and_search_services_and_swml_subclasses() {
        let src = "from signalwire_agents.web import WebService\nfrom signalwire_agents.search import SearchService\nfrom signalwire_agents import SWMLService\nclass Voicemail(SWMLService):\n    pass\nWebService(port=8002).start()\nSearchService().start()\nVoicemail(name='vm').serve()\n";
        assert_eq!(
            classes(&[("s.py", src)]),
            [
                (ServiceClass::WebService, 6),
                (ServiceClass::SearchService, 7),
                (ServiceClass::SwmlService, 8),
            ]
        );
    }

    #[test]
    fn strings_and_comments_are_not_code() {
        let src = "from signalwire_agents import AgentServer\n# server = AgentServer()\ndoc = \"\"\"\nAgentServer()\n\"\"\"\nx = 'AgentServer()'\n";
        assert!(classes(&[("a.py", src)]).is_empty());
    }

    #[test]
    fn names_not_imported_from_the_sdk_are_not_services() {
        let src = "from myweb import WebService\nWebService().start()\nimport signalwire_agents\n";
        assert!(classes(&[("a.py", src)]).is_empty());
    }

    #[test]
    fn blanking_keeps_lines_and_multibyte_text() {
        let src = "a = 'é\\'x' # ü\nb = \"\"\"\n\"\"\"\n";
        let out = blank_strings_and_comments(src);
        assert_eq!(out.lines().count(), src.lines().count());
        assert_eq!(out.len(), src.len());
        assert!(!out.contains('é') && !out.contains('ü'));
    }
}
