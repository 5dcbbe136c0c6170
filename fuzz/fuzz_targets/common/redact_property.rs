//! A secret placed where a run must hide it, rendered by every format of
//! `check` and `resolve`: the secret, its JSON-escaped and escaped forms,
//! and the base64 of `user:secret` must never be in any output.
//!
//! Input: byte 0 picks the placement, byte 1 the config skeleton, byte 2
//! options (profile, compact or pretty JSON, where the password comes from
//! when a placement needs one elsewhere); then the secret (UTF-8, at least
//! 8 characters) up to a NUL byte; after it, the bytes of the arbitrary
//! skeleton.

use serde_json::{Map, Value, json};
use swml_sec::policy::Profile;

use super::{check_well_formed, render_everything};

const PLACEMENTS: u8 = 24;
const SKELETONS: u8 = 6;

/// Members of a JSON object, by key.
type Members = Vec<(&'static str, Value)>;

/// The security members of each realistic skeleton, and its other members.
fn skeleton(n: u8) -> (Members, Members) {
    match n % SKELETONS {
        0 => (vec![], vec![]),
        1 => (
            vec![("ssl_enabled", json!(false))],
            vec![("service", json!({"name": "agent", "port": 3000}))],
        ),
        2 => (
            vec![
                ("ssl_enabled", json!(true)),
                ("ssl_cert_path", json!("/etc/ssl/agent.pem")),
                ("ssl_key_path", json!("/etc/ssl/agent.key")),
                ("domain", json!("agent.example.com")),
                ("use_hsts", json!(true)),
            ],
            vec![],
        ),
        3 => (
            vec![
                ("allowed_hosts", json!(["agent.example.com"])),
                ("cors_origins", json!(["https://app.example.com"])),
                ("rate_limit", json!("${RATE|60}")),
                ("auth", json!({"basic": {"user": "admin"}})),
            ],
            vec![("service", json!({"port": "${PORT|3000}"}))],
        ),
        4 => (
            vec![
                ("ssl_enabled", json!("${SSL|true}")),
                ("request_size_limit", json!(1048576)),
                ("domain", json!("${DOMAIN}")),
            ],
            vec![("logging", json!({"level": "debug"}))],
        ),
        // 5: the arbitrary bytes after the secret.
        _ => (vec![], vec![]),
    }
}

fn set_auth(security: &mut Map<String, Value>, key: &str, value: Value) {
    let auth = security
        .entry("auth")
        .or_insert_with(|| json!({}))
        .as_object_mut();
    if let Some(auth) = auth {
        let basic = auth
            .entry("basic")
            .or_insert_with(|| json!({}))
            .as_object_mut();
        if let Some(basic) = basic {
            basic.insert(key.to_string(), value);
        }
    }
}

/// Whether `form` occurs in `text` other than inside a `<redacted>` marker
/// (which redaction itself writes, e.g. a secret `redacted>x`).
fn leaks(text: &str, form: &str) -> bool {
    let markers: Vec<std::ops::Range<usize>> = text
        .match_indices(swml_sec::report::REDACTED)
        .map(|(i, m)| i..i + m.len())
        .collect();
    text.match_indices(form).any(|(i, _)| {
        let r = i..i + form.len();
        !markers.iter().any(|m| m.start < r.end && r.start < m.end)
    })
}

/// The property, on one input (see the module's comment).
pub fn check(data: &[u8]) {
    let [placement, skel, options, rest @ ..] = data else {
        return;
    };
    let (secret, garbage) = match rest.iter().position(|&b| b == 0) {
        Some(i) => (&rest[..i], &rest[i + 1..]),
        None => (rest, &[][..]),
    };
    let Ok(secret) = std::str::from_utf8(secret) else {
        return;
    };
    // The net searches only for unambiguous secrets (issue 17): a short,
    // common or own-word secret is masked in its slot, not in free text.
    if !swml_sec::report::redact::is_unambiguous(secret) {
        return;
    }
    // Only `${NAME}` references: variable names, shown by design.
    let expansion = swml_sec::expand::expand(secret, &swml_sec::input::EnvView::empty());
    let referenced: usize = expansion.substitutions.iter().map(|s| s.range.len()).sum();
    if referenced == secret.len() {
        return;
    }
    let placement = placement % PLACEMENTS;
    let profile = [Profile::Dev, Profile::Staging, Profile::Prod][usize::from(options % 3)];
    let pretty = options & 0x4 != 0;
    // Where the password is when a placement puts the secret in another
    // setting too: the environment or the config literal.
    let password_in_config = options & 0x8 != 0;
    let user_in_env = options & 0x10 != 0;

    let (sec_members, top_members) = skeleton(*skel);
    let mut security: Map<String, Value> = sec_members
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect();
    let mut top: Map<String, Value> = top_members
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect();
    let mut env: Vec<(String, String)> = vec![
        ("RATE".into(), "30".into()),
        ("DOMAIN".into(), "agent.example.com".into()),
    ];
    if user_in_env {
        env.push(("SWML_BASIC_AUTH_USER".into(), "admin".into()));
    }
    let s = || Value::String(secret.to_string());
    let json_escaped = {
        let j = serde_json::to_string(secret).unwrap_or_default();
        j[1..j.len() - 1].to_string()
    };
    // Text placements: the config text is made by hand (not valid JSON).
    let mut text: Option<String> = None;
    let password_elsewhere = |security: &mut Map<String, Value>, env: &mut Vec<_>| {
        if password_in_config {
            set_auth(security, "password", s());
        } else {
            env.push(("SWML_BASIC_AUTH_PASSWORD".to_string(), secret.to_string()));
        }
    };
    match placement {
        0 => env.push(("SWML_BASIC_AUTH_PASSWORD".into(), secret.into())),
        1 => set_auth(&mut security, "password", s()),
        2 => {
            // `|` and `}` end a default: then the secret is not the default.
            if secret.contains(['|', '}']) {
                return;
            }
            set_auth(
                &mut security,
                "password",
                json!(format!("${{PW|{secret}}}")),
            );
        }
        3 => {
            set_auth(&mut security, "password", json!("${AGENT_PW}"));
            env.push(("AGENT_PW".into(), secret.into()));
        }
        4 => {
            password_elsewhere(&mut security, &mut env);
            security.insert("domain".into(), s());
        }
        5 => {
            password_elsewhere(&mut security, &mut env);
            security.insert("rate_limit".into(), s());
        }
        6 => {
            password_elsewhere(&mut security, &mut env);
            security.insert("allowed_hosts".into(), json!(["agent.example.com", secret]));
        }
        7 => {
            password_elsewhere(&mut security, &mut env);
            security.insert("ssl_cert_path".into(), s());
        }
        8 => {
            // Another setting takes the password through the variable.
            env.push(("SWML_BASIC_AUTH_PASSWORD".into(), secret.into()));
            let key = ["domain", "rate_limit", "ssl_cert_path", "ssl_key_path"]
                [usize::from(options >> 5) % 4];
            security.insert(key.into(), json!("${SWML_BASIC_AUTH_PASSWORD}"));
        }
        9 => {
            env.push(("SWML_BASIC_AUTH_PASSWORD".into(), secret.into()));
            security.insert(
                "allowed_hosts".into(),
                json!(["a.example.com", "${SWML_BASIC_AUTH_PASSWORD}"]),
            );
        }
        10 => set_auth(&mut security, "pasword", s()),
        11 => set_auth(&mut security, "Password", s()),
        12 => set_auth(&mut security, "passwd", s()),
        13 => set_auth(&mut security, "password ", s()),
        14 => {
            security.insert("basic_auth_password".into(), s());
        }
        15 => {
            // Misplaced: at the top level, or under auth instead of basic.
            if options & 0x20 != 0 {
                top.insert("password".into(), s());
            } else {
                security.insert("auth".into(), json!({"password": secret}));
            }
        }
        16 => {
            security.insert("auth".into(), json!({"basic": format!("admin:{secret}")}));
        }
        17 => {
            security.insert("auth".into(), s());
        }
        18 => {
            top.insert("security".into(), s());
        }
        19 => {
            // Single-quoted: a quote or a line break in it ends the value.
            if secret.contains(['\'', '\n']) {
                return;
            }
            text = Some(format!(
                "{{'security': {{'auth': {{'basic': {{'user': 'admin', 'password': '{secret}'}}}}}}}}\n"
            ));
        }
        20 => {
            // Unquoted: the syntax cuts the value at `,}]` and line breaks,
            // and a value cannot start with a quote, a bracket or a space.
            let first = secret.chars().next().unwrap_or(' ');
            if secret.contains([',', '}', ']', '\n'])
                || first.is_whitespace()
                || "\"'[{".contains(first)
                || secret.trim_end() != secret
            {
                return;
            }
            text = Some(format!(
                "{{security: {{auth: {{basic: {{user: admin, password: {secret}}}}}}}}}\n"
            ));
        }
        21 => {
            text = Some(format!(
                "{{\"security\": {{\"auth\": {{\"basic\": {{\"password\": \"{json_escaped}\n"
            ));
        }
        22 => {
            text = Some(format!(
                "// \"password\": \"{json_escaped}\"\n{{\"security\": {{\"domain\": \"a.example.com\"}}}}\n"
            ));
        }
        _ => {
            // A trailing comma after the password.
            text = Some(format!(
                "{{\"security\": {{\"auth\": {{\"basic\": {{\"password\": \"{json_escaped}\",}}}}}}}}\n"
            ));
        }
    }
    let config_text = text.unwrap_or_else(|| {
        if !security.is_empty() && !top.contains_key("security") {
            top.insert("security".into(), Value::Object(security));
        }
        let doc = Value::Object(top);
        let t = if pretty {
            serde_json::to_string_pretty(&doc)
        } else {
            serde_json::to_string(&doc)
        };
        t.unwrap_or_default() + "\n"
    });
    let mut config = Vec::new();
    if skel % SKELETONS == 5 {
        config.extend_from_slice(garbage);
        config.push(b'\n');
    }
    config.extend_from_slice(config_text.as_bytes());

    let env = swml_sec::input::EnvView::from_pairs(env);
    let outputs = render_everything(&config, &env, profile);

    let mut forms = vec![
        secret.to_string(),
        json_escaped.clone(),
        swml_sec::report::escape::escape(secret).into_owned(),
    ];
    for user in ["admin", "signalwire"] {
        let pair = format!("{user}:{secret}");
        forms.extend(
            swml_sec::report::redact::basic_credential_forms(user, secret)
                .into_iter()
                .filter(|f| *f != pair),
        );
    }
    for r in &outputs {
        let decoded = check_well_formed(r);
        for form in &forms {
            assert!(
                !leaks(&r.text, form),
                "{}: the secret {secret:?} shows as {form:?} (placement {placement}) in:\n{}\nconfig:\n{}",
                r.name,
                r.text,
                String::from_utf8_lossy(&config)
            );
        }
        for d in &decoded {
            assert!(
                !leaks(d, secret),
                "{}: the secret {secret:?} shows in the decoded string {d:?} (placement {placement})\nconfig:\n{}",
                r.name,
                String::from_utf8_lossy(&config)
            );
        }
    }
}
