#![no_main]
//! Any bytes as an --env-file: python-dotenv's grammar must never panic,
//! and the environment it starts from must never change (override=False).

use libfuzzer_sys::fuzz_target;
use swml_sec::input::EnvView;

fuzz_target!(|data: &[u8]| {
    let mut env = EnvView::from_pairs([("A".to_string(), "process".to_string())]);
    let _ = env.load_env_bytes("fuzz.env", data);
    assert_eq!(env.get("A"), Some("process"));
    let _ = env.secret_values();
});
