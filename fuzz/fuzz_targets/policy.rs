#![no_main]
//! The `.swml-sec.toml` policy file on arbitrary text.

use libfuzzer_sys::fuzz_target;
use swml_sec::policy::PolicyFile;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = PolicyFile::parse(".swml-sec.toml", text);
    }
});
