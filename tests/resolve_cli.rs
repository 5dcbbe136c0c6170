//! `swml-sec resolve` and `gen-password` on the real binary.

mod common;

use common::Sandbox;

#[test]
fn empty_folder_and_environment_prints_defaults_from_default() {
    let sb = Sandbox::new();
    let out = sb.run(&["resolve", "--format", "json"]);
    assert_eq!(out.code, Some(0), "{}", out.stderr);
    let j = out.json();
    assert_eq!(j["version"], 1);
    assert_eq!(j["config_file"], serde_json::Value::Null);
    let settings = j["settings"].as_object().unwrap();
    assert_eq!(settings.len(), 14);
    for (name, s) in settings {
        assert_eq!(s["source"]["kind"], "default", "{name}");
    }
    assert_eq!(settings["rate_limit"]["value"], 60);
    assert_eq!(settings["allowed_hosts"]["value"], serde_json::json!(["*"]));
    assert_eq!(
        settings["basic_auth_password"]["value"],
        serde_json::Value::Null
    );
    let human = sb.run(&["resolve"]);
    assert_eq!(human.code, Some(0));
    insta::assert_snapshot!("resolve_defaults_human", human.stdout);
}

#[test]
fn file_values_carry_line_column_pointer_and_via() {
    let sb = Sandbox::new().env("SWML_SSL_ENABLED", "true");
    sb.file(
        "config.json",
        "{\n  \"security\": {\n    \"rate_limit\": \"${RL|30}\"\n  }\n}\n",
    );
    let j = sb.run(&["resolve", "--format", "json"]).json();
    let rl = &j["settings"]["rate_limit"];
    assert_eq!(rl["value"], 30);
    assert_eq!(rl["source"]["kind"], "file");
    assert_eq!(rl["source"]["path"], "config.json");
    assert_eq!(rl["source"]["line"], 3);
    assert_eq!(rl["source"]["column"], 19);
    assert_eq!(rl["source"]["pointer"], "/security/rate_limit");
    assert_eq!(rl["source"]["via"], "RL default");
    assert_eq!(
        j["settings"]["ssl_enabled"]["source"],
        serde_json::json!({"kind": "env", "name": "SWML_SSL_ENABLED"})
    );
}

#[test]
fn human_output_is_a_table_with_sources() {
    let sb = Sandbox::new().env("SWML_SSL_ENABLED", "on").env("RL", "45");
    sb.file(
        "config.json",
        "{\"security\": {\"rate_limit\": \"${RL|30}\", \"domain\": \"${DOMAIN}\"}}",
    );
    let out = sb.run(&["resolve", "--color", "never"]);
    assert_eq!(out.code, Some(0));
    insta::assert_snapshot!("resolve_human_with_file", out.stdout);
    insta::assert_snapshot!("resolve_human_diagnostics", out.stderr);
}

#[test]
fn named_config_that_does_not_exist_is_exit_2() {
    let sb = Sandbox::new();
    let out = sb.run(&["resolve", "missing.json"]);
    assert_eq!(out.code, Some(2));
    assert!(out.stderr.contains("missing.json"), "{}", out.stderr);
    assert!(out.stderr.contains("config-unreadable"));
}

#[test]
fn invalid_json_is_exit_2_with_span_and_says_the_sdk_ignores_it() {
    let sb = Sandbox::new();
    sb.file(
        "config.json",
        "{\n  \"security\": {\"ssl_enabled\": true,}\n}\n",
    );
    let out = sb.run(&["resolve", "--color", "never"]);
    assert_eq!(out.code, Some(2));
    assert!(out.stderr.contains("config-invalid-json"), "{}", out.stderr);
    assert!(out.stderr.contains("config.json:2:"), "{}", out.stderr);
    assert!(out.stderr.contains("silently ignores"), "{}", out.stderr);
    // JSON mode still prints what the SDK would run with (the file ignored).
    let j = sb.run(&["resolve", "--format", "json"]);
    assert_eq!(j.code, Some(2));
    assert_eq!(j.json()["settings"]["ssl_enabled"]["value"], false);
    assert_eq!(j.json()["config_loaded"], false);
}

#[test]
fn bom_and_bad_utf8_config_are_reported() {
    let sb = Sandbox::new();
    sb.file("config.json", b"\xEF\xBB\xBF{}");
    let out = sb.run(&["resolve"]);
    assert_eq!(out.code, Some(2));
    assert!(out.stderr.contains("byte order mark"), "{}", out.stderr);
    sb.file("config.json", b"{\"security\": {\"domain\": \"caf\xE9\"}}");
    let out = sb.run(&["resolve"]);
    assert_eq!(out.code, Some(2));
    assert!(out.stderr.contains("UTF-8"), "{}", out.stderr);
}

#[test]
fn int_failure_is_exit_2_with_the_span() {
    let sb = Sandbox::new();
    sb.file(
        "config.json",
        "{\"security\": {\"max_request_size\": \"10MB\"}}",
    );
    let out = sb.run(&["resolve", "--color", "never"]);
    assert_eq!(out.code, Some(2));
    assert!(out.stderr.contains("value-not-integer"), "{}", out.stderr);
    assert!(
        out.stderr.contains("invalid literal for int()"),
        "{}",
        out.stderr
    );
    assert!(out.stderr.contains("\"10MB\""), "{}", out.stderr);
    assert!(out.stderr.contains("fail to start"), "{}", out.stderr);
}

#[test]
fn int_failure_in_the_environment_names_the_variable() {
    let sb = Sandbox::new().env("SWML_RATE_LIMIT", "1e3");
    let out = sb.run(&["resolve"]);
    assert_eq!(out.code, Some(2));
    assert!(out.stderr.contains("SWML_RATE_LIMIT"), "{}", out.stderr);
}

#[test]
fn wrong_shaped_security_is_exit_2() {
    let sb = Sandbox::new();
    sb.file("config.json", "{\"security\": [\"ssl_enabled\"]}");
    let out = sb.run(&["resolve"]);
    assert_eq!(out.code, Some(2));
    assert!(
        out.stderr.contains("config-invalid-shape"),
        "{}",
        out.stderr
    );
}

#[test]
fn depth_limit_is_exit_2() {
    let sb = Sandbox::new();
    let mut v = String::from("1");
    for _ in 0..9 {
        v = format!("{{\"k\": {v}}}");
    }
    sb.file("config.json", format!("{{\"security\": {{\"x\": {v}}}}}"));
    let out = sb.run(&["resolve", "--format", "json"]);
    assert_eq!(out.code, Some(2));
    let diags = out.json()["diagnostics"].to_string();
    assert!(
        diags.contains("Maximum variable substitution depth exceeded"),
        "{diags}"
    );
}

#[test]
fn special_files_as_config_are_clear_errors_not_hangs() {
    let sb = Sandbox::new();
    std::fs::create_dir(sb.path("dir.json")).unwrap();
    let out = sb.run(&["resolve", "dir.json"]);
    assert_eq!(out.code, Some(2));
    assert!(
        out.stderr.contains("dir.json") && out.stderr.contains("directory"),
        "{}",
        out.stderr
    );

    let fifo = sb.path("fifo.json");
    common::mkfifo(&fifo);
    let out = sb.run(&["resolve", "fifo.json"]);
    assert_eq!(out.code, Some(2));
    assert!(out.stderr.contains("FIFO"), "{}", out.stderr);

    let out = sb.run(&["resolve", "/dev/zero"]);
    assert_eq!(out.code, Some(2));
    assert!(
        out.stderr.contains("/dev/zero") && out.stderr.contains("device"),
        "{}",
        out.stderr
    );

    sb.file("huge.json", vec![b' '; 17 * 1024 * 1024]);
    let out = sb.run(&["resolve", "huge.json"]);
    assert_eq!(out.code, Some(2));
    assert!(
        out.stderr.contains("huge.json") && out.stderr.contains("limit"),
        "{}",
        out.stderr
    );
}

#[test]
fn a_directory_named_config_json_shadows_later_candidates() {
    let sb = Sandbox::new();
    std::fs::create_dir(sb.path("config.json")).unwrap();
    sb.file("agent_config.json", "{\"security\": {\"rate_limit\": 5}}");
    let out = sb.run(&["resolve", "--format", "json"]);
    assert_eq!(out.code, Some(2));
    assert_eq!(out.json()["settings"]["rate_limit"]["value"], 60);
    assert_eq!(out.json()["config_file"], "config.json");
}

#[test]
fn discovery_follows_service_and_home() {
    let sb = Sandbox::new();
    sb.file("myagent_config.json", "{\"security\": {\"rate_limit\": 1}}");
    sb.file("config.json", "{\"security\": {\"rate_limit\": 2}}");
    let j = sb
        .run(&["resolve", "--format", "json", "--service", "myagent"])
        .json();
    assert_eq!(j["settings"]["rate_limit"]["value"], 1);
    assert_eq!(j["config_file"], "myagent_config.json");

    let sb = Sandbox::new();
    let home_cfg = sb.home.path().join(".swml/config.json");
    std::fs::create_dir_all(home_cfg.parent().unwrap()).unwrap();
    std::fs::write(&home_cfg, "{\"security\": {\"rate_limit\": 7}}").unwrap();
    let j = sb.run(&["resolve", "--format", "json"]).json();
    assert_eq!(j["settings"]["rate_limit"]["value"], 7);
}

#[test]
fn env_files_fill_in_but_never_override() {
    let sb = Sandbox::new().env("SWML_DOMAIN", "process.example.com");
    sb.file("a.env", "SWML_DOMAIN=file.example.com\nSWML_RATE_LIMIT=5\n");
    sb.file(
        "b.env",
        "SWML_RATE_LIMIT=6\nexport SWML_REQUEST_TIMEOUT=7\n",
    );
    let j = sb
        .run(&[
            "resolve",
            "--format",
            "json",
            "--env-file",
            "a.env",
            "--env-file",
            "b.env",
        ])
        .json();
    assert_eq!(j["settings"]["domain"]["value"], "process.example.com");
    assert_eq!(j["settings"]["rate_limit"]["value"], 5);
    assert_eq!(j["settings"]["rate_limit"]["source"]["env_file"], "a.env");
    assert_eq!(j["settings"]["rate_limit"]["source"]["line"], 2);
    assert_eq!(j["settings"]["request_timeout"]["value"], 7);
}

#[test]
fn no_env_ignores_the_process_environment() {
    let sb = Sandbox::new().env("SWML_RATE_LIMIT", "5");
    sb.file("a.env", "SWML_DOMAIN=file.example.com\n");
    let j = sb
        .run(&[
            "resolve",
            "--format",
            "json",
            "--no-env",
            "--env-file",
            "a.env",
        ])
        .json();
    assert_eq!(j["settings"]["rate_limit"]["value"], 60);
    assert_eq!(j["settings"]["domain"]["value"], "file.example.com");
}

#[test]
fn bad_env_files_are_exit_2_naming_the_file_but_bad_lines_are_findings() {
    let sb = Sandbox::new();
    let out = sb.run(&["resolve", "--env-file", "nope.env"]);
    assert_eq!(out.code, Some(2));
    assert!(out.stderr.contains("nope.env"), "{}", out.stderr);
    sb.file("bad.env", "SWML_RATE_LIMIT=5\nthis is not dotenv\n");
    let out = sb.run(&["resolve", "--format", "json", "--env-file", "bad.env"]);
    assert_eq!(out.code, Some(0), "{}", out.stderr);
    let j = out.json();
    assert_eq!(j["settings"]["rate_limit"]["value"], 5);
    let d = &j["diagnostics"][0];
    assert_eq!(d["rule"], "dotenv-line-skipped");
    assert_eq!(d["location"]["path"], "bad.env");
    assert_eq!(d["location"]["line"], 2);
}

#[test]
fn invalid_utf8_in_a_swml_value_is_reported_not_a_crash() {
    use std::os::unix::ffi::OsStrExt;
    let sb = Sandbox::new();
    let out = sb
        .cmd()
        .env(
            std::ffi::OsStr::new("SWML_DOMAIN"),
            std::ffi::OsStr::from_bytes(b"caf\xE9.example"),
        )
        .args(["resolve", "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let j: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let rules: Vec<&str> = j["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["rule"].as_str().unwrap())
        .collect();
    assert!(rules.contains(&"env-not-utf8"), "{rules:?}");
    assert_eq!(j["settings"]["domain"]["value"], "caf\u{FFFD}.example");
}

#[test]
fn resolution_warnings_are_findings_with_rule_ids() {
    let sb = Sandbox::new()
        .env("SWML_SSL_ENABLE", "true")
        .env("SWML_ALLOWED_HOSTS", "a.com,,b.com");
    sb.file(
        "config.json",
        "{\"security\": {\"ssl_enable\": true, \"domain\": \"${ HOST }\", \"use_hsts\": \"no\"}}",
    );
    let j = sb.run(&["resolve", "--format", "json"]).json();
    let diags = j["diagnostics"].as_array().unwrap();
    let find = |rule: &str| {
        diags
            .iter()
            .find(|d| d["rule"] == rule)
            .unwrap_or_else(|| panic!("no {rule} in {diags:?}"))
    };
    assert!(
        find("env-unknown-var")["help"]
            .as_str()
            .unwrap()
            .contains("SWML_SSL_ENABLED")
    );
    assert!(
        find("config-unknown-key")["help"]
            .as_str()
            .unwrap()
            .contains("ssl_enabled")
    );
    assert_eq!(find("var-syntax")["location"]["kind"], "file");
    assert_eq!(find("value-ambiguous-bool")["setting"], "use_hsts");
    assert_eq!(
        find("list-empty-entry")["location"]["name"],
        "SWML_ALLOWED_HOSTS"
    );
}

#[test]
fn non_string_list_items_are_flagged() {
    let sb = Sandbox::new();
    sb.file(
        "config.json",
        "{\"security\": {\"allowed_hosts\": [\"a.example.com\", null, 1.5]}}",
    );
    let j = sb.run(&["resolve", "--format", "json"]).json();
    assert_eq!(
        j["settings"]["allowed_hosts"]["value"],
        serde_json::json!(["a.example.com", "None", "1.5"])
    );
    let lossy: Vec<&serde_json::Value> = j["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["rule"] == "value-lossy")
        .collect();
    assert_eq!(lossy.len(), 2, "{lossy:?}");
    assert_eq!(lossy[0]["location"]["pointer"], "/security/allowed_hosts/1");
}

#[test]
fn passwords_never_appear_without_show_secrets() {
    let secret = "Zq8-secret-Password-value-77";
    let sb = Sandbox::new()
        .env("SWML_BASIC_AUTH_PASSWORD", secret)
        .env("SWML_BASIC_AUTH_USER", "agent");
    for format in ["human", "json", "toml", "env"] {
        let out = sb.run(&["resolve", "--format", format]);
        assert_eq!(out.code, Some(0));
        assert!(
            !out.all().contains(secret),
            "{format} leaks the password:\n{}",
            out.all()
        );
        let shown = sb.run(&["resolve", "--format", format, "--show-secrets"]);
        assert!(
            shown.stdout.contains(secret),
            "{format} with --show-secrets hides it"
        );
    }
    // A user equal to the password is a secret too, and so is a password in the file.
    let sb = Sandbox::new().env("PW", secret);
    sb.file("config.json", format!("{{\"security\": {{\"auth\": {{\"basic\": {{\"user\": \"{secret}\", \"password\": \"${{PW}}\"}}}}}}}}"));
    for format in ["human", "json", "toml", "env"] {
        let out = sb.run(&["resolve", "--format", format]);
        assert!(
            !out.all().contains(secret),
            "{format} leaks:\n{}",
            out.all()
        );
    }
}

#[test]
fn env_format_reproduces_the_settings() {
    let sb = Sandbox::new().env("SWML_SSL_ENABLED", "yes");
    sb.file(
        "config.json",
        "{\"security\": {\"allowed_hosts\": [\"a.com\", \"b.com\"], \"domain\": \"it's.example\"}}",
    );
    let out = sb.run(&["resolve", "--format", "env"]);
    assert!(
        out.stdout.contains("export SWML_SSL_ENABLED='true'\n"),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout
            .contains("export SWML_ALLOWED_HOSTS='a.com,b.com'\n"),
        "{}",
        out.stdout
    );
    assert!(out.stdout.contains("unset SWML_SSL_CERT_PATH\n"));
    // Re-resolving from the printed variables gives the same settings.
    let script = format!("{}\nswml-sec resolve --format json", out.stdout);
    let bin = assert_cmd::cargo::cargo_bin("swml-sec");
    let shell = std::process::Command::new("sh")
        .arg("-c")
        .arg(script.replace("swml-sec", bin.to_str().unwrap()))
        .current_dir(sb.home.path())
        .env_clear()
        .env("HOME", sb.home.path())
        .output()
        .unwrap();
    let again: serde_json::Value = serde_json::from_slice(&shell.stdout).unwrap();
    let first = sb.run(&["resolve", "--format", "json"]).json();
    for (name, s) in first["settings"].as_object().unwrap() {
        assert_eq!(again["settings"][name]["value"], s["value"], "{name}");
    }
}

#[test]
fn toml_format_is_valid_toml_with_the_same_values() {
    let sb = Sandbox::new().env("SWML_RATE_LIMIT", "99");
    let out = sb.run(&["resolve", "--format", "toml"]);
    let t: toml::Value = toml::from_str(&out.stdout).unwrap();
    assert_eq!(t["settings"]["rate_limit"]["value"].as_integer(), Some(99));
    assert_eq!(t["version"].as_integer(), Some(1));
}

#[test]
fn gen_password_default_is_43_url_safe_chars() {
    let sb = Sandbox::new();
    let out = sb.run(&["gen-password"]);
    assert_eq!(out.code, Some(0));
    let p = out.stdout.trim_end();
    assert_eq!(p.len(), 43);
    assert!(
        p.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    );
    assert_ne!(p, sb.run(&["gen-password"]).stdout.trim_end());
}

#[test]
fn gen_password_options() {
    let sb = Sandbox::new();
    assert_eq!(
        sb.run(&["gen-password", "--bytes", "48"])
            .stdout
            .trim_end()
            .len(),
        64
    );
    assert_eq!(
        sb.run(&["gen-password", "--length", "30"])
            .stdout
            .trim_end()
            .len(),
        30
    );
    let many = sb.run(&["gen-password", "--count", "5"]);
    assert_eq!(many.stdout.lines().count(), 5);
    let env = sb.run(&["gen-password", "--format", "env"]);
    assert!(
        env.stdout.starts_with("export SWML_BASIC_AUTH_PASSWORD='"),
        "{}",
        env.stdout
    );
    let j = sb
        .run(&["gen-password", "--format", "json", "--count", "2"])
        .json();
    assert_eq!(j["passwords"].as_array().unwrap().len(), 2);
    assert_eq!(j["entropy_bits"], 256);
}

#[test]
fn gen_password_refuses_weak_shapes() {
    let sb = Sandbox::new();
    for args in [
        &["gen-password", "--bytes", "15"][..],
        &["gen-password", "--length", "21"],
        &["gen-password", "--count", "0"],
    ] {
        let out = sb.run(args);
        assert_eq!(out.code, Some(2), "{args:?}");
        assert!(out.stdout.is_empty());
    }
    assert!(
        sb.run(&["gen-password", "--bytes", "8"])
            .stderr
            .contains("128 bits")
    );
}
