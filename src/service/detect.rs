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
/// At most this many Python files are read, and this many entries walked
/// (`check` run from `/` or a home directory): the walk stops there and
/// says so.
const FILES_CAP: usize = 20_000;
const ENTRIES_CAP: usize = 200_000;

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
    /// The walk stopped at FILES_CAP or ENTRIES_CAP.
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
/// A call `Name(`, optionally qualified by the SDK's module path
/// (`signalwire_agents.AgentServer(`): group 1 the qualifier, 2 the name.
static CALL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:^|[^\w.])((?:signalwire_agents|signalwire)\.(?:\w+\.)*)?(\w+)[ \t]*\(")
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
    for (visited, entry) in walker.flatten().enumerate() {
        if visited >= ENTRIES_CAP {
            detection.truncated = true;
            break;
        }
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

/// A class definition: its name, the last segment of each base, and where
/// its name starts.
struct ClassDef<'a> {
    name: &'a str,
    bases: Vec<&'a str>,
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
                    .map(|b| b.trim().rsplit('.').next().unwrap_or(""))
                    .collect(),
                offset: name.start(),
            })
        })
        .collect()
}

/// The repository's classes built, directly or through each other, on an
/// SDK agent class and on SWMLService: one pass over the definitions and a
/// walk down from the SDK's classes.
fn derived_classes(
    files: &[PyFile],
    defs: &[Vec<ClassDef<'_>>],
) -> (BTreeSet<String>, BTreeSet<String>) {
    let mut children: std::collections::HashMap<&str, Vec<&str>> = std::collections::HashMap::new();
    let mut agent_seeds = Vec::new();
    let mut swml_seeds = Vec::new();
    for (file, defs) in files.iter().zip(defs) {
        for def in defs {
            for base in &def.bases {
                match sdk_class_of(file, base) {
                    Some(sdk) if AGENT_CLASSES.contains(&sdk) => agent_seeds.push(def.name),
                    Some("SWMLService") => swml_seeds.push(def.name),
                    _ => children.entry(base).or_default().push(def.name),
                }
            }
        }
    }
    let walk = |seeds: Vec<&str>| {
        let mut found: BTreeSet<String> = BTreeSet::new();
        let mut stack = seeds;
        while let Some(name) = stack.pop() {
            if found.insert(name.to_string()) {
                stack.extend(children.get(name).into_iter().flatten().copied());
            }
        }
        found
    };
    let agents = walk(agent_seeds);
    let swml = walk(swml_seeds)
        .into_iter()
        .filter(|n| !agents.contains(n))
        .collect();
    (agents, swml)
}

fn services_in(files: &[PyFile]) -> Vec<Service> {
    let defs: Vec<Vec<ClassDef<'_>>> = files.iter().map(|f| class_defs(&f.code)).collect();
    let (agent_classes, swml_classes) = derived_classes(files, &defs);
    let mut services: Vec<Service> = Vec::new();
    let mut agents = Vec::new();
    for (file, defs) in files.iter().zip(&defs) {
        let lines = Lines::new(&file.code);
        // `class X(AgentServer)` is a definition, not a call of X.
        let definitions: std::collections::HashSet<usize> = defs.iter().map(|d| d.offset).collect();
        let mut file_has_server = false;
        // One service per class and file: the first place stands for it.
        let mut seen: BTreeSet<ServiceClass> = BTreeSet::new();
        let mut first_agent: Option<(usize, String)> = None;
        for caps in CALL.captures_iter(&file.code) {
            let Some(m) = caps.get(2) else { continue };
            if definitions.contains(&m.start()) {
                continue;
            }
            let name = m.as_str();
            let qualified = caps.get(1).is_some();
            let sdk = sdk_class_of(file, name).or(if qualified { Some(name) } else { None });
            let class = match sdk {
                Some("AgentServer") => Some(ServiceClass::AgentServer),
                Some("WebService") => Some(ServiceClass::WebService),
                Some("SearchService") => Some(ServiceClass::SearchService),
                Some("SWMLService") => Some(ServiceClass::SwmlService),
                Some(agent) if AGENT_CLASSES.contains(&agent) => {
                    if first_agent.is_none() {
                        first_agent = Some((m.start(), format!("{name}(…)")));
                    }
                    None
                }
                _ if swml_classes.contains(name) => Some(ServiceClass::SwmlService),
                _ => None,
            };
            if let Some(class) = class
                && seen.insert(class)
            {
                file_has_server |= class == ServiceClass::AgentServer;
                services.push(Service {
                    class,
                    origin: Origin::Detected {
                        path: file.path.clone(),
                        line: lines.line_of(m.start()),
                    },
                    evidence: Some(format!("{name}(…)")),
                });
            }
        }
        // Agents: the repository's own classes built on AgentBase, or an SDK
        // agent class instantiated directly; the first stands for the file.
        let defined_agent = defs
            .iter()
            .find(|d| agent_classes.contains(d.name))
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
        if let Some((offset, evidence)) = agent {
            agents.push((file, lines.line_of(offset), evidence, file_has_server));
        }
    }
    let any_server = services
        .iter()
        .any(|s| s.class == ServiceClass::AgentServer);
    let runs = |file: &PyFile| (RUNS.is_match(&file.code), GET_APP.is_match(&file.code));
    // Files that only define agents are services of their own only when no
    // file runs one (a library of agents beside the script that serves them).
    let any_agent_run = agents
        .iter()
        .any(|(file, _, _, has_server)| !has_server && (runs(file).0 || runs(file).1));
    for (file, line, evidence, file_has_server) in agents {
        let (served_here, app_here) = runs(file);
        // Under an AgentServer an agent is one of its routes; it is a
        // service of its own only where its file also runs it.
        if file_has_server || ((any_server || any_agent_run) && !served_here && !app_here) {
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
