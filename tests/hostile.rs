//! Hostile input on the real binary: each ends with exit 1 or 2 and a
//! message that names the file or variable, and its output stays bounded.
//! No test here times the binary (a debug build on shared cores varies
//! tenfold); the time these inputs take is measured by
//! scripts/bench-large.py.

mod common;

use common::Sandbox;

/// Runs `args` and checks it ended with a verdict (1) or an error (2),
/// never a panic. A hang is stopped by the sandbox's guard.
fn quick(sb: &Sandbox, args: &[&str]) -> common::Output {
    let out = sb.run(args);
    assert!(
        matches!(out.code, Some(1 | 2)),
        "{args:?} exited {:?}: {}",
        out.code,
        out.all()
    );
    assert!(!out.stderr.contains("panicked"), "{}", out.stderr);
    out
}

#[test]
fn deeply_nested_json() {
    let sb = Sandbox::new();
    let depth = 200_000;
    sb.file(
        "config.json",
        format!(
            "{{\"security\": {}{}}}",
            "[".repeat(depth),
            "]".repeat(depth)
        ),
    );
    for cmd in ["resolve", "check"] {
        let out = quick(&sb, &[cmd, "--color", "never"]);
        assert!(
            out.all().contains("config.json") && out.all().contains("levels"),
            "{}",
            out.all()
        );
    }
    // Between jsonc-parser's 512 levels and Python's ~980, the SDK still loads
    // the file: swml-sec says it cannot follow it, not that the SDK ignores it.
    sb.file(
        "config.json",
        format!(
            "{{\"other\": {}{}, \"security\": {{}}}}",
            "[".repeat(600),
            "]".repeat(600)
        ),
    );
    let out = quick(&sb, &["resolve", "--color", "never"]);
    assert!(out.stderr.contains("cannot follow"), "{}", out.stderr);
    assert!(!out.stderr.contains("silently ignore"), "{}", out.stderr);
}

#[test]
fn a_3_mb_string_and_a_40_digit_number() {
    let sb = Sandbox::new();
    sb.file(
        "config.json",
        format!(
            "{{\"security\": {{\"domain\": \"{}\", \"rate_limit\": 1{}}}}}",
            "a".repeat(3 * 1024 * 1024),
            "0".repeat(39)
        ),
    );
    let out = quick(&sb, &["check", "--format", "json"]);
    assert_eq!(out.code, Some(1));
    let j = out.json();
    assert!(
        j["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["rule"] == "limits-not-enforced"
                && f["message"].as_str().unwrap().contains(&"0".repeat(39)))
    );
    let out = sb.run(&["resolve", "--format", "json"]);
    assert_eq!(out.code, Some(0));
    assert_eq!(
        out.json()["settings"]["rate_limit"]["value"].to_string(),
        format!("1{}", "0".repeat(39))
    );
}

#[test]
fn a_byte_order_mark() {
    let sb = Sandbox::new();
    sb.file("config.json", b"\xEF\xBB\xBF{\"security\": {}}");
    let out = quick(&sb, &["check", "--color", "never"]);
    assert!(
        out.all().contains("config.json") && out.all().contains("byte order mark"),
        "{}",
        out.all()
    );
}

#[test]
fn invalid_utf8_in_a_swml_value() {
    use std::os::unix::ffi::OsStrExt;
    let sb = Sandbox::new();
    for var in [
        "SWML_RATE_LIMIT",
        "SWML_BASIC_AUTH_PASSWORD",
        "SWML_SSL_ENABLED",
    ] {
        let out = sb
            .cmd()
            .env(
                std::ffi::OsStr::new(var),
                std::ffi::OsStr::from_bytes(b"\xFF\xFE1"),
            )
            .args(["check", "--color", "never"])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1));
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(
            text.contains(var) && text.contains("env-not-utf8"),
            "{text}"
        );
    }
}

#[test]
fn special_files_as_certificate_paths() {
    let sb = Sandbox::new();
    let fifo = sb.path("fifo.pem");
    common::mkfifo(&fifo);
    std::fs::create_dir(sb.path("dir.pem")).unwrap();
    std::os::unix::fs::symlink("loop-b.pem", sb.path("loop-a.pem")).unwrap();
    std::os::unix::fs::symlink("loop-a.pem", sb.path("loop-b.pem")).unwrap();
    sb.file("key.pem", "x");
    for (path, words) in [
        ("fifo.pem", "FIFO"),
        ("/dev/zero", "device"),
        ("dir.pem", "directory"),
        ("loop-a.pem", "symbolic links"),
    ] {
        let sb = Sandbox::new()
            .env("SWML_SSL_ENABLED", "true")
            .env(
                "SWML_SSL_CERT_PATH",
                &if path.starts_with('/') {
                    path.to_string()
                } else {
                    sb.path(path).to_string_lossy().into_owned()
                },
            )
            .env("SWML_SSL_KEY_PATH", sb.path("key.pem").to_str().unwrap());
        let out = quick(&sb, &["check", "--color", "never"]);
        assert!(
            out.stdout.contains(path) && out.stdout.contains(words),
            "{path}: {}",
            out.stdout
        );
        assert!(out.stdout.contains("tls-file-unreadable"));
    }
}

#[test]
fn config_paths_that_are_not_files() {
    let sb = Sandbox::new();
    std::fs::create_dir(sb.path("conf.json")).unwrap();
    std::os::unix::fs::symlink("self.json", sb.path("self.json")).unwrap();
    for path in ["conf.json", "self.json", "/dev/zero"] {
        for cmd in ["resolve", "check"] {
            let out = quick(&sb, &[cmd, path]);
            assert_eq!(out.code, Some(2), "{cmd} {path}");
            assert!(out.stderr.contains(path), "{cmd} {path}: {}", out.stderr);
        }
    }
    // Discovered (not named): a directory config.json is a finding, exit 1.
    std::fs::create_dir(sb.path("config.json")).unwrap();
    let out = quick(&sb, &["check", "--format", "json"]);
    assert!(
        out.rules("findings")
            .contains(&"config-unreadable".to_string())
    );
}

#[test]
fn huge_and_endless_files() {
    let sb = Sandbox::new()
        .env("SWML_SSL_ENABLED", "true")
        .env("SWML_SSL_CERT_PATH", "big.pem")
        .env("SWML_SSL_KEY_PATH", "big.pem");
    sb.file("big.pem", vec![b'A'; 2 * 1024 * 1024]);
    let out = quick(&sb, &["check", "--color", "never"]);
    assert!(
        out.stdout.contains("big.pem") && out.stdout.contains("limit"),
        "{}",
        out.stdout
    );
    sb.file("big.env", vec![b'#'; 17 * 1024 * 1024]);
    let out = quick(&sb, &["check", "--env-file", "big.env"]);
    assert_eq!(out.code, Some(2));
    assert!(out.stderr.contains("big.env"));
    let out = quick(&sb, &["check", "--env-file", "/dev/zero"]);
    assert!(out.stderr.contains("/dev/zero"));
    let out = quick(&sb, &["check", "--policy", "/dev/zero"]);
    assert!(out.stderr.contains("/dev/zero"));
}

#[test]
fn unreadable_files() {
    use std::os::unix::fs::PermissionsExt;
    // Root reads everything regardless of mode, so this only means something for other users.
    if unsafe_is_root() {
        return;
    }
    let sb = Sandbox::new();
    let p = sb.file("config.json", "{}");
    std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o000)).unwrap();
    let out = quick(&sb, &["resolve", "config.json"]);
    assert!(
        out.stderr.contains("config.json") && out.stderr.contains("permission denied"),
        "{}",
        out.stderr
    );
}

fn unsafe_is_root() -> bool {
    std::process::Command::new("id")
        .arg("-u")
        .output()
        .map(|o| o.stdout.starts_with(b"0"))
        .unwrap_or(false)
}

#[test]
fn hostile_variable_values() {
    let sb = Sandbox::new()
        .env("SWML_RATE_LIMIT", &"9".repeat(5000))
        .env("SWML_ALLOWED_HOSTS", &",".repeat(100_000))
        .env("SWML_DOMAIN", "\u{202e}moc.elpmaxe\u{1b}[2J")
        .env("SWML_SSL_ENABLED", "true")
        .env("SWML_CORS_ORIGINS", "https://\u{1b}]8;;x\u{7}")
        .env("SWML_BASIC_AUTH_USER", "a\u{7}b");
    let out = sb.run(&["check", "--format", "json"]);
    assert_eq!(out.code, Some(1), "{}", out.stderr);
    let rules = out.rules("findings");
    assert!(
        rules.contains(&"value-not-integer".to_string()),
        "{rules:?}"
    );
    assert!(
        rules.contains(&"auth-user-invalid".to_string()),
        "{rules:?}"
    );
    // Human output never passes a terminal escape through.
    let human = sb.run(&["check", "--color", "never"]);
    assert!(!human.all().contains('\u{1b}'), "{:?}", human.all());
}

#[test]
fn scale_100k_references_resolve() {
    let sb = Sandbox::new().env("V00007", "set");
    let mut items = Vec::with_capacity(100_000);
    for i in 0..100_000 {
        items.push(format!("\"${{V{i:05}|h{i}.example.com}}\""));
    }
    sb.file(
        "config.json",
        format!(
            "{{\"security\": {{\"allowed_hosts\": [{}]}}}}",
            items.join(",")
        ),
    );
    let out = sb.run(&["resolve", "--format", "json"]);
    assert_eq!(out.code, Some(0), "{}", out.stderr);
    let hosts = out.json()["settings"]["allowed_hosts"]["value"]
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(hosts.len(), 100_000);
    assert_eq!(hosts[7], "set");
    assert_eq!(hosts[99_999], "h99999.example.com");
}
