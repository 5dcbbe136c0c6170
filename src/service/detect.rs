//! Which service classes the repository runs, read from its own Python
//! files.
//!
//! The walk honours .gitignore (a vendored or installed SDK defines every
//! class) and skips virtual environments, site-packages, node_modules,
//! tests and test fixtures (a server built in a test never serves). A file is read only if it
//! is a small regular file that names the SDK; its comments and string
//! literals are blanked before any pattern looks at it, so a docstring that
//! shows `AgentServer()` is not a service.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::path::Path;
use std::sync::LazyLock;

use regex::Regex;

use super::{Origin, Service, ServiceClass};

/// Python files larger than this are generated, not services.
const FILE_CAP: u64 = 1024 * 1024;
/// At most this many Python files are read, and this many entries walked
/// (`check` run from `/` or a home directory): the walk stops there and
/// says so.
const FILES_CAP: usize = 20_000;
const ENTRIES_CAP: usize = 200_000;
/// Evidence longer than this is cut: a base list can span a whole file.
const EVIDENCE_CAP: usize = 80;
/// Folders of tests and their sample projects: what is built there never
/// serves.
const TEST_DIRS: &[&str] = &["tests", "test", "testing", "fixtures"];

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

/// What an SDK class, or a class of the repository built on one, is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Agent,
    Server,
    Web,
    Search,
    Swml,
}

/// The kind of one of the SDK's own class names.
fn sdk_kind(name: &str) -> Option<Kind> {
    match name {
        "AgentServer" => Some(Kind::Server),
        "WebService" => Some(Kind::Web),
        "SearchService" => Some(Kind::Search),
        "SWMLService" => Some(Kind::Swml),
        _ if AGENT_CLASSES.contains(&name) => Some(Kind::Agent),
        _ => None,
    }
}

/// What the walk found.
#[derive(Debug, Default)]
pub struct Detection {
    pub services: Vec<Service>,
    /// Python files read.
    pub files_read: usize,
    /// The walk stopped at FILES_CAP or ENTRIES_CAP.
    pub truncated: bool,
}

/// One Python file, its comments and strings blanked, with what it imports
/// from the SDK.
struct PyFile {
    path: String,
    code: String,
    /// Local name -> the SDK class it is bound to (`from … import X as Y`).
    names: HashMap<String, String>,
    /// Local names bound to the SDK's package or one of its modules
    /// (`import signalwire_agents as sw`).
    modules: HashSet<String>,
    /// `from signalwire_agents import *`.
    star: bool,
}

impl PyFile {
    /// The SDK class that a name, plain or dotted (`sw.AgentServer`,
    /// `signalwire_agents.web.WebService`), stands for in this file.
    fn sdk_class<'a>(&'a self, dotted: &'a str) -> Option<&'a str> {
        match dotted.split_once('.') {
            None => self
                .names
                .get(dotted)
                .map(String::as_str)
                .or_else(|| (self.star && sdk_kind(dotted).is_some()).then_some(dotted)),
            Some((module, _)) => {
                let last = dotted.rsplit('.').next().unwrap_or(dotted);
                (self.modules.contains(module) && sdk_kind(last).is_some()).then_some(last)
            }
        }
    }
}

// Invariant for every pattern below: a literal, compiled by each detection
// test.
/// `from signalwire_agents[.mod] import …`: group 3 the imported list,
/// parenthesized over lines or continued with backslashes.
static IMPORT_FROM: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?m)^[ \t]*from[ \t]+(signalwire_agents|signalwire)(\.[\w.]+)?[ \t]+import[ \t]+(\([^)]*\)|(?:[^\n\\]|\\\r?\n)*)")
        .expect("valid pattern")
});
/// `import signalwire_agents[.mod] [as alias]`, one module of a list too.
static IMPORT_MODULE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?m)^[ \t]*import[ \t]+([^\n]*)").expect("valid pattern"));
static CLASS_DEF: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?m)^[ \t]*class[ \t]+(\w+)[ \t]*\(([^)]*)\)").expect("valid pattern")
});
/// A call `[qualifier.]Name(`: group 1 the dotted qualifier, 2 the name.
static CALL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:^|[^\w.])((?:\w+[ \t]*\.[ \t]*)*)(\w+)[ \t]*\(").expect("valid pattern")
});
/// `x = [qualifier.]Name(`: group 1 the variable, 2 the callee.
static ASSIGN: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?m)^[ \t]*(?:self\.)?(\w+)[ \t]*(?::[^=\n]*)?=[ \t]*((?:\w+\.)*\w+)[ \t]*\(")
        .expect("valid pattern")
});
/// `receiver.serve(` / `receiver.run(`, also `Name(…).run(`: group 1 the
/// receiver.
static RUNS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(\w+)[ \t]*(?:\([^()\n]*\))?[ \t]*\.[ \t]*(?:serve|run)[ \t]*\(")
        .expect("valid pattern")
});
static GET_APP: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\.[ \t]*get_app[ \t]*\(").expect("valid pattern"));
static AS_ROUTER: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\.[ \t]*as_router[ \t]*\(").expect("valid pattern"));

/// `test_*.py`, `*_test.py` and `conftest.py`.
fn is_test_file(path: &Path) -> bool {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy())
        .unwrap_or_default();
    name.starts_with("test_") || name.ends_with("_test.py") || name == "conftest.py"
}

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
                ) || entry.path().join("pyvenv.cfg").exists()
                    || (entry.depth() > 0 && TEST_DIRS.contains(&name.as_ref()))))
        })
        .build();
    for (visited, entry) in walker.flatten().enumerate() {
        if visited >= ENTRIES_CAP {
            detection.truncated = true;
            break;
        }
        let path = entry.path();
        if !entry.file_type().is_some_and(|t| t.is_file())
            || path.extension().is_none_or(|e| e != "py")
            || is_test_file(path)
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
        .filter(|(path, _)| !is_test_file(Path::new(path)))
        .filter_map(|(path, text)| read_python((*path).to_string(), text))
        .collect();
    services_in(&files)
}

fn read_python(path: String, text: &str) -> Option<PyFile> {
    let code = blank_strings_and_comments(text);
    let mut names = HashMap::new();
    let mut star = false;
    for caps in IMPORT_FROM.captures_iter(&code) {
        let list = caps.get(3).map_or("", |m| m.as_str());
        for item in list
            .trim_matches(|c| c == '(' || c == ')')
            .split([',', '\\'])
        {
            // `X as Y` binds Y to the SDK's X.
            let mut words = item.split_whitespace();
            let (Some(original), alias) = (words.next(), words.nth(1)) else {
                continue;
            };
            if original == "*" {
                star = true;
            } else if sdk_kind(original).is_some() {
                names.insert(alias.unwrap_or(original).to_string(), original.to_string());
            }
        }
    }
    let mut modules = HashSet::new();
    for caps in IMPORT_MODULE.captures_iter(&code) {
        for item in caps[1].split(',') {
            let mut words = item.split_whitespace();
            let Some(module) = words.next() else { continue };
            let root = module.split('.').next().unwrap_or(module);
            if root != "signalwire_agents" && root != "signalwire" {
                continue;
            }
            // `import a.b` binds `a`; `import a.b as c` binds `c`.
            match (words.next(), words.next()) {
                (Some("as"), Some(alias)) => modules.insert(alias.to_string()),
                _ => modules.insert(root.to_string()),
            };
        }
    }
    (!names.is_empty() || !modules.is_empty() || star).then_some(PyFile {
        path,
        code,
        names,
        modules,
        star,
    })
}

/// Line numbers of byte offsets, by binary search over the line starts
/// (thousands of matches in one file stay linear).
struct Lines(Vec<usize>);

impl Lines {
    fn new(code: &str) -> Self {
        Lines(memchr::memchr_iter(b'\n', code.as_bytes()).collect())
    }

    fn line_of(&self, offset: usize) -> usize {
        self.0.partition_point(|&newline| newline < offset) + 1
    }
}

/// A class definition: its name, its bases as written, and where its name
/// starts.
struct ClassDef<'a> {
    name: &'a str,
    bases: Vec<String>,
    offset: usize,
}

fn class_defs(code: &str) -> Vec<ClassDef<'_>> {
    CLASS_DEF
        .captures_iter(code)
        .filter_map(|caps| {
            let name = caps.get(1)?;
            let bases = caps.get(2)?.as_str();
            Some(ClassDef {
                name: name.as_str(),
                bases: bases
                    .split(',')
                    .map(|b| b.split_whitespace().collect::<String>())
                    .filter(|b| !b.is_empty() && !b.contains('='))
                    .collect(),
                offset: name.start(),
            })
        })
        .collect()
}

/// The repository's classes built, directly or through each other, on an
/// SDK class, with the kind they inherit: one pass over the definitions
/// and a walk down from the SDK's classes.
fn derived_classes(files: &[PyFile], defs: &[Vec<ClassDef<'_>>]) -> HashMap<String, Kind> {
    let mut children: HashMap<&str, Vec<&str>> = HashMap::new();
    let mut seeds: Vec<(&str, Kind)> = Vec::new();
    for (file, defs) in files.iter().zip(defs) {
        for def in defs {
            for base in &def.bases {
                match file.sdk_class(base).and_then(sdk_kind) {
                    Some(kind) => seeds.push((def.name, kind)),
                    None => children
                        .entry(base.rsplit('.').next().unwrap_or(base))
                        .or_default()
                        .push(def.name),
                }
            }
        }
    }
    let mut found: HashMap<String, Kind> = HashMap::new();
    // Seeds in a fixed order of precedence: an agent that also derives
    // from SWMLService (as AgentBase does) is an agent.
    seeds.sort_by_key(|(_, kind)| *kind != Kind::Agent);
    let mut stack = seeds;
    while let Some((name, kind)) = stack.pop() {
        if found.contains_key(name) {
            continue;
        }
        found.insert(name.to_string(), kind);
        stack.extend(
            children
                .get(name)
                .into_iter()
                .flatten()
                .map(|child| (*child, kind)),
        );
    }
    found
}

fn evidence(text: String) -> Option<String> {
    if text.chars().count() <= EVIDENCE_CAP {
        return Some(text);
    }
    Some(text.chars().take(EVIDENCE_CAP - 1).collect::<String>() + "…")
}

fn services_in(files: &[PyFile]) -> Vec<Service> {
    let defs: Vec<Vec<ClassDef<'_>>> = files.iter().map(|f| class_defs(&f.code)).collect();
    let derived = derived_classes(files, &defs);
    let kind_of = |file: &PyFile, qualifier: &str, name: &str| -> Option<Kind> {
        let dotted = format!("{qualifier}{name}");
        file.sdk_class(&dotted).and_then(sdk_kind).or_else(|| {
            qualifier
                .is_empty()
                .then(|| derived.get(name).copied())
                .flatten()
        })
    };
    let mut services: Vec<Service> = Vec::new();
    // (file, line, evidence, the file builds an AgentServer)
    let mut agents = Vec::new();
    for (file, defs) in files.iter().zip(&defs) {
        let lines = Lines::new(&file.code);
        // `class X(AgentServer)` is a definition, not a call of X.
        let definitions: HashSet<usize> = defs.iter().map(|d| d.offset).collect();
        let mut file_has_server = false;
        // One service per class and file: the first place stands for it.
        let mut seen: BTreeSet<ServiceClass> = BTreeSet::new();
        let mut first_agent: Option<(usize, String)> = None;
        for caps in CALL.captures_iter(&file.code) {
            let Some(m) = caps.get(2) else { continue };
            if definitions.contains(&m.start()) {
                continue;
            }
            let qualifier: String = caps
                .get(1)
                .map_or("", |q| q.as_str())
                .split_whitespace()
                .collect();
            let name = m.as_str();
            let class = match kind_of(file, &qualifier, name) {
                Some(Kind::Server) => ServiceClass::AgentServer,
                Some(Kind::Web) => ServiceClass::WebService,
                Some(Kind::Search) => ServiceClass::SearchService,
                Some(Kind::Swml) => ServiceClass::SwmlService,
                Some(Kind::Agent) => {
                    if first_agent.is_none() {
                        first_agent = Some((m.start(), format!("{qualifier}{name}(…)")));
                    }
                    continue;
                }
                None => continue,
            };
            if seen.insert(class) {
                file_has_server |= class == ServiceClass::AgentServer;
                services.push(Service {
                    class,
                    origin: Origin::Detected {
                        path: file.path.clone(),
                        line: lines.line_of(m.start()),
                    },
                    evidence: evidence(format!("{qualifier}{name}(…)")),
                });
            }
        }
        // Agents: the repository's own classes built on AgentBase, or an SDK
        // agent class instantiated directly; the first stands for the file.
        let defined_agent = defs
            .iter()
            .find(|d| derived.get(d.name) == Some(&Kind::Agent))
            .map(|d| {
                (
                    d.offset,
                    format!("class {}({})", d.name, d.bases.join(", ")),
                )
            });
        let agent = match (defined_agent, first_agent) {
            (Some(a), Some(b)) => Some(if a.0 <= b.0 { a } else { b }),
            (a, b) => a.or(b),
        };
        if let Some((offset, text)) = agent {
            agents.push((file, lines.line_of(offset), text, file_has_server));
        }
    }
    let any_server = services
        .iter()
        .any(|s| s.class == ServiceClass::AgentServer);
    // How a file runs its agents: serve()/run() on an agent, get_app(),
    // as_router().
    let runs = |file: &PyFile| -> (bool, bool, bool) {
        let agent_vars: HashSet<&str> = ASSIGN
            .captures_iter(&file.code)
            .filter_map(|caps| {
                let (var, callee) = (caps.get(1)?.as_str(), caps.get(2)?.as_str());
                let (qualifier, name) = match callee.rfind('.') {
                    Some(i) => (&callee[..=i], &callee[i + 1..]),
                    None => ("", callee),
                };
                (kind_of(file, qualifier, name) == Some(Kind::Agent)).then_some(var)
            })
            .collect();
        let served = RUNS.captures_iter(&file.code).any(|caps| {
            caps.get(1).is_some_and(|r| {
                agent_vars.contains(r.as_str())
                    || kind_of(file, "", r.as_str()) == Some(Kind::Agent)
            })
        });
        (
            served,
            GET_APP.is_match(&file.code),
            AS_ROUTER.is_match(&file.code),
        )
    };
    let ran: Vec<(bool, bool, bool)> = agents.iter().map(|(file, ..)| runs(file)).collect();
    // Files that only define agents are services of their own only when no
    // file runs one (a library of agents beside the script that serves them).
    let any_agent_run = agents
        .iter()
        .zip(&ran)
        .any(|((_, _, _, has_server), (s, a, r))| !has_server && (*s || *a || *r));
    for ((file, line, text, file_has_server), (served, app, router)) in agents.into_iter().zip(ran)
    {
        // Under an AgentServer an agent is one of its routes; it is a
        // service of its own only where its file also runs it.
        if file_has_server || ((any_server || any_agent_run) && !served && !app && !router) {
            continue;
        }
        let origin = Origin::Detected {
            path: file.path.clone(),
            line,
        };
        for (class, how, present) in [
            (ServiceClass::AgentBaseApp, ", get_app()", app),
            (ServiceClass::AgentBaseRouter, ", as_router()", router),
            (ServiceClass::AgentBase, "", served || (!app && !router)),
        ] {
            if present {
                services.push(Service {
                    class,
                    origin: origin.clone(),
                    evidence: evidence(format!("{text}{how}")),
                });
            }
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
    fn many_calls_are_one_service_per_class_and_file() {
        let src = format!(
            "from signalwire_agents import AgentServer\n{}",
            "AgentServer()\n".repeat(50_000)
        );
        assert_eq!(classes(&[("a.py", &src)]), [(ServiceClass::AgentServer, 2)]);
    }

    #[test]
    fn a_chain_of_subclasses_across_files_is_followed_in_one_walk() {
        // C999 derives from C998 ... from C0, which derives from AgentBase;
        // the files are listed from the far end of the chain.
        let mut sources = Vec::new();
        for i in (1..1000).rev() {
            sources.push((
                format!("c{i}.py"),
                format!("import signalwire\nclass C{i}(C{})(\n    pass\n", i - 1),
            ));
        }
        sources.push((
            "c0.py".to_string(),
            "from signalwire import AgentBase\nclass C0(AgentBase):\n    pass\n".to_string(),
        ));
        sources.push((
            "run.py".to_string(),
            "import signalwire\nfrom c999 import C999\nclass Last(C999):\n    pass\nLast().serve()\n".to_string(),
        ));
        let refs: Vec<(&str, &str)> = sources
            .iter()
            .map(|(p, t)| (p.as_str(), t.as_str()))
            .collect();
        // Only the file that runs an agent is a service; the library of
        // classes it builds on is not.
        assert_eq!(
            detect_in(&refs),
            [Service {
                class: ServiceClass::AgentBase,
                origin: Origin::Detected {
                    path: "run.py".into(),
                    line: 3
                },
                evidence: Some("class Last(C999)".into()),
            }]
        );
    }

    #[test]
    fn module_aliases_dotted_bases_and_star_imports() {
        let aliased = "import signalwire_agents as sw\n\nserver = sw.AgentServer()\nserver.run()\n";
        assert_eq!(
            classes(&[("a.py", aliased)]),
            [(ServiceClass::AgentServer, 3)]
        );
        let dotted = "import signalwire_agents\nclass A(signalwire_agents.AgentBase):\n    pass\nA().serve()\n";
        assert_eq!(classes(&[("a.py", dotted)]), [(ServiceClass::AgentBase, 2)]);
        let star = "from signalwire_agents.web import *\nWebService().start()\n";
        assert_eq!(classes(&[("a.py", star)]), [(ServiceClass::WebService, 2)]);
        let continued =
            "from signalwire_agents import AgentBase, \\\n    AgentServer\nAgentServer().run()\n";
        assert_eq!(
            classes(&[("a.py", continued)]),
            [(ServiceClass::AgentServer, 3)]
        );
    }

    #[test]
    fn subclasses_of_servers_are_those_servers() {
        let src = "from signalwire_agents import AgentServer\nfrom signalwire_agents.web import WebService\nclass MyServer(AgentServer):\n    pass\nclass Static(WebService):\n    pass\nMyServer().run()\nStatic().start()\n";
        assert_eq!(
            classes(&[("a.py", src)]),
            [
                (ServiceClass::AgentServer, 7),
                (ServiceClass::WebService, 8)
            ]
        );
    }

    #[test]
    fn only_an_agent_is_served_by_its_run() {
        // uvicorn.run(app) runs the app of get_app(), not AgentBase.serve().
        let app = "import uvicorn\nfrom signalwire_agents import AgentBase\nclass A(AgentBase):\n    pass\napp = A().get_app()\nuvicorn.run(app)\n";
        assert_eq!(classes(&[("a.py", app)]), [(ServiceClass::AgentBaseApp, 3)]);
        let router = "from fastapi import FastAPI\nfrom signalwire_agents import AgentBase\nclass A(AgentBase):\n    pass\napi = FastAPI()\napi.include_router(A().as_router())\n";
        assert_eq!(
            classes(&[("a.py", router)]),
            [(ServiceClass::AgentBaseRouter, 3)]
        );
        // A variable holding an agent, run.
        let var = "import asyncio\nfrom signalwire_agents.prefabs import SurveyAgent\nagent = SurveyAgent()\nasyncio.run(main())\nagent.run()\n";
        assert_eq!(classes(&[("a.py", var)]), [(ServiceClass::AgentBase, 3)]);
    }

    #[test]
    fn tests_are_not_services() {
        let test = "from signalwire_agents import AgentServer\ndef test_it():\n    AgentServer()\n";
        assert!(classes(&[("test_server.py", test), ("conftest.py", test)]).is_empty());
    }

    #[test]
    fn long_evidence_is_cut() {
        let bases = (0..1000)
            .map(|i| format!("Mixin{i}"))
            .collect::<Vec<_>>()
            .join(",\n    ");
        let src = format!(
            "from signalwire_agents import AgentBase\nclass A(AgentBase,\n    {bases}):\n    pass\nA().run()\n"
        );
        let found = detect_in(&[("a.py", &src)]);
        let evidence = found[0].evidence.as_deref().unwrap_or("");
        assert_eq!(evidence.chars().count(), EVIDENCE_CAP, "{evidence}");
        assert!(evidence.ends_with('…'));
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
