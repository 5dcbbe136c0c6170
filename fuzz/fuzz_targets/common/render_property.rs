//! Any config bytes through every renderer: `check` in each format and
//! `resolve` in each format. The bytes are the config; after a NUL byte,
//! up to eight `NAME=VALUE` lines add variables to the environment. The
//! input's length picks the profile.
//!
//! Asserts: no panic; JSON and SARIF parse as JSON, JUnit as XML, TOML as
//! TOML; text outputs carry no raw control character but newline and tab
//! (no ESC, BEL, CR, bidi control, noncharacter); and a `check` output
//! stays under 4 KiB per finding plus 4 KiB, whatever the input's lines.

use swml_sec::policy::Profile;

use super::{check_well_formed, env_lines, render_everything};

const PER_FINDING: usize = 4096;

/// The property, on one input (see the module's comment).
pub fn check(data: &[u8]) {
    let (config, env_block) = match data.iter().position(|&b| b == 0) {
        Some(i) => (&data[..i], String::from_utf8_lossy(&data[i + 1..])),
        None => (data, "".into()),
    };
    let env = env_lines(
        &[("A", "1"), ("PW", "x y"), ("HOST", "a.example.com")],
        &env_block,
    );
    let profile = [Profile::Dev, Profile::Staging, Profile::Prod][data.len() % 3];
    let outputs = render_everything(config, &env, profile);
    let count = |name: &str, key: &str| {
        outputs
            .iter()
            .find(|r| r.name == name)
            .and_then(|r| serde_json::from_str::<serde_json::Value>(&r.text).ok())
            .and_then(|v| v[key].as_array().map(Vec::len))
            .unwrap_or_else(|| panic!("{name} has no {key} array"))
    };
    for r in &outputs {
        check_well_formed(r);
    }
    let findings = count("check json", "findings");
    let diagnostics = count("resolve json", "diagnostics");
    for r in &outputs {
        let bound = match r.name {
            "check human" | "check github" => PER_FINDING * (findings + 1),
            // One testcase per rule besides the findings.
            "check junit" => {
                PER_FINDING * (findings + 1) + 512 * swml_sec::checks::registry::RULES.len()
            }
            "resolve stderr" => PER_FINDING * (diagnostics + 1),
            _ => continue,
        };
        assert!(
            r.text.len() <= bound,
            "{}: {} bytes for {findings} findings, {diagnostics} diagnostics:\n{}",
            r.name,
            r.text.len(),
            r.text
        );
    }
}
