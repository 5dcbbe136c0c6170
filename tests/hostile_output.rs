//! Text from input never reaches a terminal or a CI log raw, no input
//! panics the renderer, and output stays proportional to the findings.

mod common;

use common::Sandbox;

/// Characters that must never be written as they are.
fn raw_controls(text: &str) -> Vec<char> {
    text.chars()
        .filter(|&c| {
            (c.is_control() && c != '\n')
                || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{fffe}' | '\u{ffff}')
        })
        .collect()
}

#[test]
fn controls_and_bidi_from_keys_paths_and_names_are_escaped() {
    let sb = Sandbox::new();
    let config = "{\"security\": {\"do\u{1b}[31mmain\u{7}\": 1, \"domain\": \"${A\u{202e}B}\", \"x\\r\": \"\u{1b}]0;pwned\u{7}\"}}";
    sb.file("c\u{1b}[2J.json", config);
    for args in [
        vec!["check", "--color", "never", "c\u{1b}[2J.json"],
        vec!["check", "--color", "always", "c\u{1b}[2J.json"],
        vec!["check", "--format", "github", "c\u{1b}[2J.json"],
        vec!["resolve", "--color", "never", "c\u{1b}[2J.json"],
        vec!["resolve", "--format", "env", "c\u{1b}[2J.json"],
    ] {
        let out = sb.run(&args);
        assert!(out.code.is_some_and(|c| c <= 2), "{args:?}: {}", out.stderr);
        for (stream, text) in [("stdout", &out.stdout), ("stderr", &out.stderr)] {
            let mut bad = raw_controls(text);
            if args.contains(&"always") {
                // Colour is ours: ESC may open an SGR sequence, nothing else.
                bad.retain(|&c| c != '\u{1b}');
                assert!(
                    !text.contains("\u{1b}[2J") && !text.contains("\u{1b}]0;"),
                    "{text}"
                );
            }
            assert!(bad.is_empty(), "{args:?} {stream} has {bad:?}:\n{text}");
        }
    }
}

#[test]
fn a_value_cannot_start_a_github_workflow_command() {
    let sb = Sandbox::new();
    sb.file(
        "config.json",
        r#"{"security": {"domain": "${A\n::add-mask::x\n::error title=PWN::injected}"}}"#,
    );
    for args in [
        vec!["resolve", "config.json"],
        vec!["resolve", "--format", "env", "config.json"],
        vec!["check", "config.json"],
    ] {
        let out = sb.run(&args);
        for line in out.stdout.lines().chain(out.stderr.lines()) {
            assert!(
                !line.starts_with("::"),
                "{args:?} printed a command: {line}"
            );
        }
    }
    let out = sb.run(&["check", "--format", "github", "config.json"]);
    // One line per finding: the value's newlines stay escaped inside it.
    for line in out.stdout.lines() {
        assert!(
            line.starts_with("::error ")
                || line.starts_with("::warning ")
                || line.starts_with("::notice "),
            "{line}"
        );
    }
}

#[test]
fn env_format_keeps_each_value_on_its_line_and_round_trips() {
    let sb = Sandbox::new();
    sb.file(
        "config.json",
        r#"{"security": {"domain": "a\nb'c\u001b", "allowed_hosts": ["x\u202ey"]}}"#,
    );
    let out = sb.run(&["resolve", "--format", "env", "config.json"]);
    assert_eq!(out.code, Some(0), "{}", out.stderr);
    for line in out.stdout.lines() {
        assert!(
            line.starts_with("export ") || line.starts_with("unset ") || line.starts_with('#'),
            "{line}"
        );
    }
    assert!(
        out.stdout
            .contains("export SWML_DOMAIN=$'a\\x0ab\\'c\\x1b'"),
        "{}",
        out.stdout
    );
    // bash reads dollar-single quotes back to the same value.
    let script = format!("{}\nprintf '%s' \"$SWML_DOMAIN\"", out.stdout);
    let shell = std::process::Command::new("bash")
        .arg("-c")
        .arg(script)
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&shell.stdout), "a\nb'c\u{1b}");
}

#[test]
fn junit_stays_valid_xml_with_noncharacters_in_a_key() {
    let sb = Sandbox::new();
    sb.file(
        "config.json",
        "{\"security\": {\"k\u{fffe}\u{ffff}\\u0001\": 1, \"allowed_hosts\": [\"\"]}}",
    );
    let out = sb.run(&["check", "--format", "junit", "config.json"]);
    roxmltree::Document::parse(&out.stdout)
        .unwrap_or_else(|e| panic!("invalid XML ({e}):\n{}", out.stdout));
    assert!(
        out.stdout.contains("k\\u{fffe}\\u{ffff}\\u{1}"),
        "{}",
        out.stdout
    );
}

#[test]
fn sarif_uris_are_percent_encoded() {
    let sb = Sandbox::new();
    sb.file("my dir/c#1.json", r#"{"security": {"domain": "${UNSET}"}}"#);
    let out = sb.run(&["check", "--format", "sarif", "my dir/c#1.json"]);
    let doc = out.json();
    let uri = doc["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]
        ["uri"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(uri, "my%20dir/c%231.json");
}

#[test]
fn labels_far_along_a_line_do_not_panic() {
    let sb = Sandbox::new();
    // 16.5 KB of tabs: a label past visual column 65,535.
    sb.file(
        "tabs.json",
        format!(
            "{{\"security\": {{{}\"domain\": \"${{UNSET}}\"}}}}",
            "\t".repeat(16_500)
        ),
    );
    // 86 KB minified, 3,000 CORS origins, some malformed.
    let origins: Vec<String> = (0..3000)
        .map(|i| format!("\"https://app{i}.example.com/\""))
        .collect();
    sb.file(
        "minified.json",
        format!(
            "{{\"security\":{{\"cors_origins\":[{}]}}}}",
            origins.join(",")
        ),
    );
    for file in ["tabs.json", "minified.json"] {
        let out = sb.run(&["check", "--color", "never", file]);
        assert_eq!(out.code, Some(1), "{file}: {}", out.stderr);
        assert!(out.stdout.contains(&format!("{file}:1:")), "{file}");
    }
    // A policy file with a long line.
    sb.file(
        "policy.toml",
        format!("{}fail_on = \"sometimes\"\n", " ".repeat(70_000)),
    );
    let out = sb.run(&["check", "--policy", "policy.toml", "tabs.json"]);
    assert_eq!(out.code, Some(2), "{}", out.stderr);
    assert!(out.stderr.len() < 4096, "{}", out.stderr.len());
}

#[test]
fn output_grows_with_the_findings_not_with_the_line() {
    let sb = Sandbox::new();
    let n = 21_000;
    sb.file(
        "config.json",
        format!(
            "{{\"security\": {{\"allowed_hosts\": [{}]}}}}",
            vec!["\"\""; n].join(",")
        ),
    );
    let out = sb.run(&["check", "--color", "never", "config.json"]);
    assert_eq!(out.code, Some(1));
    let findings = out.stdout.matches("list-empty-entry").count();
    assert_eq!(findings, n);
    // About half a kilobyte a finding, whatever the line's 63 KB.
    assert!(out.stdout.len() < n * 1024, "{} bytes", out.stdout.len());
}

#[test]
fn dates_that_do_not_exist_are_refused() {
    let sb = Sandbox::new();
    sb.file("config.json", "{}");
    for at in ["2026-02-31", "9223372036854775807-01-01"] {
        let out = sb.run(&["check", "--at", at, "config.json"]);
        assert_eq!(out.code, Some(2), "{at}: {}", out.stdout);
        assert!(out.stderr.contains("--at"), "{}", out.stderr);
    }
}

#[test]
fn command_line_errors_escape_what_the_arguments_carry() {
    let sb = Sandbox::new();
    let out = sb.run(&["check", "--format", "x\ry\u{7}\u{202e}z"]);
    assert_eq!(out.code, Some(2));
    assert!(raw_controls(&out.stderr).is_empty(), "{:?}", out.stderr);
    assert!(out.stderr.contains("x\\ry"), "{}", out.stderr);
    let help = sb.run(&["--help"]);
    assert_eq!(help.code, Some(0));
    assert!(help.stdout.contains("Usage: swml-sec"), "{}", help.stdout);
}

#[test]
fn with_colour_on_only_colour_sequences_pass() {
    let sb = Sandbox::new();
    let dir = "cfg\u{1b}[2J\u{1b}[H";
    std::fs::create_dir_all(sb.path(dir)).unwrap();
    sb.file(&format!("{dir}/config.json"), "{}");
    let path = format!("{dir}/config.json");
    for args in [
        vec!["--color", "always", "check", "--format", "github", &path],
        vec!["--color", "always", "check", &path],
        vec![
            "--color",
            "always",
            "check",
            "--env-file",
            "x\u{1b}[2J.env",
            &path,
        ],
    ] {
        let out = sb.run(&args);
        for text in [&out.stdout, &out.stderr] {
            assert!(
                !text.contains("\u{1b}[2J") && !text.contains("\u{1b}[H"),
                "{args:?}: {text:?}"
            );
        }
    }
}

#[test]
fn an_expansion_bomb_stops_at_the_cap() {
    let sb = Sandbox::new();
    let big = "a".repeat(1_000_000);
    sb.file("big.env", format!("B={big}\n"));
    let items = vec!["\"${B}\""; 2000].join(",");
    sb.file(
        "config.json",
        format!(
            "{{\"security\": {{\"allowed_hosts\": [{items}], \"domain\": \"{}\"}}}}",
            "${B}".repeat(200)
        ),
    );
    let out = sb.run(&["resolve", "--env-file", "big.env", "config.json"]);
    assert_eq!(out.code, Some(2), "{}", out.stderr);
    assert!(out.stderr.contains("past the 16 MiB"), "{}", out.stderr);
    assert!(out.stdout.len() + out.stderr.len() < 64 * 1024);
    let check = sb.run(&[
        "check",
        "--format",
        "json",
        "--env-file",
        "big.env",
        "config.json",
    ]);
    assert!(check.stdout.len() < 64 * 1024);
    assert!(
        check.stdout.contains("config-invalid-json"),
        "{}",
        check.stdout
    );
}
