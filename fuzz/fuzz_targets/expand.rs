#![no_main]
//! `${VAR|default}` expansion and re-typing on arbitrary text.

use libfuzzer_sys::fuzz_target;
use swml_sec::expand::{expand, retype};
use swml_sec::input::EnvView;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    // The first line is a variable value, the rest the string to expand.
    let (value, raw) = text.split_once('\n').unwrap_or(("", text));
    let env = EnvView::from_pairs([
        ("A".to_string(), value.to_string()),
        ("B".to_string(), String::new()),
    ]);
    let x = expand(raw, &env);
    for s in &x.substitutions {
        assert!(
            raw.get(s.range.clone())
                .is_some_and(|r| r.starts_with("${") && r.ends_with('}'))
        );
    }
    let _ = retype(x.text);
});
