//! The redaction property: for any secret and any input, redaction never
//! changes a rule id, a severity word, a JSON or SARIF key, or the
//! document's validity. Each case runs a whole `check` in memory (the same
//! path as the binary) with the secret as the password, once as a real
//! password and once beside it in another setting.

mod common;

use std::collections::BTreeSet;

use common::key_paths;

use proptest::prelude::*;
use serde_json::Value;
use swml_sec::cli::CheckFormat;
use swml_sec::commands::check::check_in_memory;
use swml_sec::input::EnvView;
use swml_sec::policy::Profile;

const AT: i64 = 1_800_000_000;

fn config(domain: &str) -> Vec<u8> {
    serde_json::to_vec(&serde_json::json!({"security": {
        "ssl_enabled": true, "allowed_hosts": ["*"], "cors_origins": ["http://a.example.com"],
        "domain": domain, "rate_limit": 0
    }}))
    .unwrap()
}

/// (rule ids, severities, key paths) of a JSON or SARIF document; panics
/// when it does not parse.
fn structure(text: &str, sarif: bool) -> (Vec<String>, Vec<String>, BTreeSet<String>) {
    let doc: Value = serde_json::from_str(text).unwrap_or_else(|e| panic!("{e}:\n{text}"));
    let mut keys = BTreeSet::new();
    key_paths(&doc, "", &mut keys);
    let (list, rule, level) = if sarif {
        (&doc["runs"][0]["results"], "ruleId", "level")
    } else {
        (&doc["findings"], "rule", "severity")
    };
    let items = list.as_array().cloned().unwrap_or_default();
    let rules = items
        .iter()
        .map(|f| f[rule].as_str().unwrap_or("?").to_string())
        .collect();
    let levels = items
        .iter()
        .map(|f| f[level].as_str().unwrap_or("?").to_string())
        .collect();
    (rules, levels, keys)
}

fn secret_strategy() -> impl Strategy<Value = String> {
    prop_oneof![
        // The tool's own words and pieces of its markup.
        prop::sample::select(vec![
            "error",
            "warning",
            "note",
            "notice",
            "true",
            "SWML",
            "UTF-8",
            "rule",
            "ruleId",
            "level",
            "password",
            "auth-password-weak",
            "\": \"",
            "\",\n",
            "::error file=",
            "<testcase",
            "version",
            "results",
            "    ",
            "SWML_SSL_ENABLED",
            "cert-expired",
            "\"severity\": \"error\"",
            "error file=config.json,line=1",
        ])
        .prop_map(String::from),
        // Anything printable, of any length up to 40.
        "[ -~]{1,40}",
        // Strong-looking secrets with markup in them.
        "[A-Za-z0-9\"':,{}\\[\\] =<>/&-]{8,30}",
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn redaction_never_changes_ids_severities_keys_or_validity(secret in secret_strategy()) {
        let strong = EnvView::from_pairs([(
            "SWML_BASIC_AUTH_PASSWORD".to_string(),
            "Zq8-hunter2-Vx41-Lm".to_string(),
        )]);
        let env = EnvView::from_pairs([("SWML_BASIC_AUTH_PASSWORD".to_string(), secret.clone())]);
        for (format, sarif) in [(CheckFormat::Json, false), (CheckFormat::Sarif, true)] {
            // The same input without the secret anywhere: what the
            // document's structure must be.
            let base = check_in_memory(&config("svc.example.com"), &strong, format, Profile::Prod, AT);
            let (base_rules, _, base_keys) = structure(&base, sarif);
            let out = check_in_memory(&config("svc.example.com"), &env, format, Profile::Prod, AT);
            let (rules, levels, keys) = structure(&out, sarif);
            for r in &rules {
                prop_assert!(swml_sec::checks::registry::rule(r).is_some(), "rule {r:?} in {out}");
            }
            for l in &levels {
                prop_assert!(["error", "warning", "note"].contains(&l.as_str()), "level {l:?}");
            }
            // The keys of the findings may differ (a weak password adds
            // one), but no key is rewritten.
            for k in keys.difference(&base_keys) {
                prop_assert!(!k.contains("redacted"), "key {k:?} in {out}");
            }
            // Every finding not about the password survives, under its id.
            prop_assert!(base_rules.len() >= 3, "{base}");
            for r in base_rules.iter().filter(|r| !r.starts_with("auth-")) {
                prop_assert!(rules.iter().any(|b| b == r), "{r} lost with secret {secret:?}:\n{out}");
            }
            // The secret also in a value the report quotes.
            let out = check_in_memory(&config(&secret), &env, format, Profile::Prod, AT);
            let (rules, levels, _) = structure(&out, sarif);
            for r in &rules {
                prop_assert!(swml_sec::checks::registry::rule(r).is_some(), "rule {r:?} in {out}");
            }
            for l in &levels {
                prop_assert!(["error", "warning", "note"].contains(&l.as_str()), "level {l:?}");
            }
        }
    }
}
