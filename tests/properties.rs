//! Property tests (proptest): the expander against a direct model of the
//! SDK's regex, and no panic on arbitrary configs, variables, certificates.

use std::ffi::OsString;
use std::os::unix::ffi::OsStringExt;

use proptest::prelude::*;
use swml_sec::checks::{CheckOptions, check_pem, run_all};
use swml_sec::expand::expand;
use swml_sec::input::EnvView;
use swml_sec::resolve::resolve_with_config_bytes;

/// `re.sub(r'\$\{([^}|]+)(?:\|([^}]*))?\}', ...)` written out by hand.
fn model_expand(s: &str, lookup: impl Fn(&str) -> Option<String>) -> String {
    let chars: Vec<char> = s.chars().collect();
    let mut out = String::new();
    let mut i = 0;
    'scan: while i < chars.len() {
        if chars[i] == '$' && chars.get(i + 1) == Some(&'{') {
            let mut j = i + 2;
            while j < chars.len() && chars[j] != '}' && chars[j] != '|' {
                j += 1;
            }
            if j > i + 2 && j < chars.len() {
                let name: String = chars[i + 2..j].iter().collect();
                let (default, end) = if chars[j] == '}' {
                    (None, j)
                } else {
                    let mut k = j + 1;
                    while k < chars.len() && chars[k] != '}' {
                        k += 1;
                    }
                    if k == chars.len() {
                        out.push(chars[i]);
                        i += 1;
                        continue 'scan;
                    }
                    (Some(chars[j + 1..k].iter().collect::<String>()), k)
                };
                out.push_str(&lookup(&name).or(default).unwrap_or_default());
                i = end + 1;
                continue;
            }
        }
        out.push(chars[i]);
        i += 1;
    }
    out
}

fn options() -> CheckOptions {
    CheckOptions::at_time(1_800_000_000)
}

fn tricky_text() -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop::sample::select(vec![
            "$", "{", "}", "|", "A", "B", " ", "x", "\n", "é", "${", "}}", "${A", "${B|",
        ]),
        0..24,
    )
    .prop_map(|parts| parts.concat())
}

fn jsonish() -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec(
        prop::sample::select(vec![
            "{",
            "}",
            "[",
            "]",
            ",",
            ":",
            "\"security\"",
            "\"auth\"",
            "\"basic\"",
            "\"password\"",
            "\"user\"",
            "\"rate_limit\"",
            "\"allowed_hosts\"",
            "\"ssl_enabled\"",
            "\"domain\"",
            "\"${A}\"",
            "\"${X|7}\"",
            "\"\"",
            "1",
            "-2.5",
            "1e400",
            "NaN",
            "true",
            "false",
            "null",
            "\"no\"",
            "\"007\"",
            "\"\\u00b2\"",
            " ",
            "\"a,,b\"",
        ]),
        0..40,
    )
    .prop_map(|parts| parts.concat().into_bytes())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    /// Any dotenv text loads without panicking, every variable points at a
    /// line of the file, and the environment it started from is untouched.
    #[test]
    fn dotenv_files_never_panic(text in "([A-Z_ =#'\"\\$\\{}:\\-\r\n\t\u{a0}\u{feff}é]|export ){0,80}") {
        let mut env = EnvView::from_pairs([("A".to_string(), "process".to_string())]);
        let lines = text.split(['\n', '\r']).count();
        let _ = env.load_env_bytes("p.env", text.as_bytes());
        prop_assert_eq!(env.get("A"), Some("process"));
        for (_, var) in env.iter() {
            if let swml_sec::input::EnvOrigin::EnvFile { line, .. } = var.origin {
                prop_assert!(line >= 1 && line <= lines);
            }
        }
    }

    #[test]
    fn expander_agrees_with_the_regex_model(s in tricky_text(), a in "[a-z]{0,3}") {
        let env = EnvView::from_pairs([("A".to_string(), a.clone()), (" A ".to_string(), "spaced".to_string())]);
        let got = expand(&s, &env).text;
        let want = model_expand(&s, |n| env.get(n).map(str::to_string));
        prop_assert_eq!(got, want);
    }

    #[test]
    fn expander_agrees_on_arbitrary_strings(s in any::<String>()) {
        let env = EnvView::from_pairs([("A".to_string(), "v".to_string())]);
        prop_assert_eq!(expand(&s, &env).text, model_expand(&s, |n| env.get(n).map(str::to_string)));
    }

    #[test]
    fn resolve_and_check_never_panic_on_arbitrary_bytes(bytes in prop::collection::vec(any::<u8>(), 0..256)) {
        let res = resolve_with_config_bytes(&EnvView::empty(), "config.json", &bytes);
        let _ = run_all(&res, &options());
    }

    #[test]
    fn resolve_and_check_never_panic_on_json_like_configs(bytes in jsonish(), a in any::<String>()) {
        let env = EnvView::from_pairs([("A".to_string(), a)]);
        let res = resolve_with_config_bytes(&env, "config.json", &bytes);
        let _ = run_all(&res, &options());
    }

    #[test]
    fn resolve_never_panics_on_arbitrary_variables(
        values in prop::collection::vec(prop::collection::vec(any::<u8>(), 0..24), 14..15),
    ) {
        let names = ["SWML_SSL_ENABLED", "SWML_SSL_CERT_PATH", "SWML_SSL_KEY_PATH", "SWML_DOMAIN", "SWML_SSL_VERIFY_MODE",
            "SWML_ALLOWED_HOSTS", "SWML_CORS_ORIGINS", "SWML_MAX_REQUEST_SIZE", "SWML_RATE_LIMIT", "SWML_REQUEST_TIMEOUT",
            "SWML_USE_HSTS", "SWML_HSTS_MAX_AGE", "SWML_BASIC_AUTH_USER", "SWML_BASIC_AUTH_PASSWORD"];
        let pairs = names.iter().zip(values).map(|(n, v)| (OsString::from(n), OsString::from_vec(v.into_iter().filter(|b| *b != 0).collect())));
        let env = EnvView::from_os_pairs(pairs);
        let res = resolve_with_config_bytes(&env, "config.json", b"{\"security\": {\"domain\": \"${SWML_DOMAIN}\"}}");
        let _ = run_all(&res, &options());
    }

    #[test]
    fn certificate_checks_never_panic_on_arbitrary_bytes(cert in prop::collection::vec(any::<u8>(), 0..512), key in prop::collection::vec(any::<u8>(), 0..512)) {
        let _ = check_pem(&cert, &key, "a.example.com", &options());
        // The same bytes inside PEM armour reach the DER parsers.
        use base64::Engine;
        let b64 = base64::engine::general_purpose::STANDARD;
        let pem_cert = format!("-----BEGIN CERTIFICATE-----\n{}\n-----END CERTIFICATE-----\n", b64.encode(&cert));
        let pem_key = format!("-----BEGIN PRIVATE KEY-----\n{}\n-----END PRIVATE KEY-----\n", b64.encode(&key));
        let _ = check_pem(pem_cert.as_bytes(), pem_key.as_bytes(), "a.example.com", &options());
    }
}
