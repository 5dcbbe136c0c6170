#![no_main]
//! Python-strict JSON with spans, resolution and every check on arbitrary
//! bytes as the config file.

use libfuzzer_sys::fuzz_target;
use swml_sec::checks::{CheckOptions, run_all};
use swml_sec::input::EnvView;
use swml_sec::resolve::resolve_with_config_bytes;

fuzz_target!(|data: &[u8]| {
    let env = EnvView::from_pairs([
        ("A".to_string(), "1".to_string()),
        ("PW".to_string(), "x y".to_string()),
    ]);
    let res = resolve_with_config_bytes(&env, "config.json", data);
    let options = CheckOptions::at_time(1_800_000_000);
    let findings = run_all(&res, &options);
    if let Some(text) = res.config.as_ref().and_then(|c| c.text.clone()) {
        let _ = swml_sec::report::redacted_source(
            &text,
            &res,
            &swml_sec::report::redact::Redactor::none(),
        );
        for f in &findings {
            if let swml_sec::finding::Location::File { range, .. } = &f.location {
                assert!(
                    range.start <= range.end && range.end <= text.len(),
                    "span out of the text"
                );
            }
        }
    }
});
