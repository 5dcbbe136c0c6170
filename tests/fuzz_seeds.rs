//! The fuzz targets' properties on every committed seed: each regression a
//! fuzzer found stays fixed in an ordinary `cargo test`, and a change of the
//! library's API that breaks a fuzz target breaks this build too.

#[path = "../fuzz/fuzz_targets/common/mod.rs"]
mod common;

fn seeds(target: &str) -> Vec<(String, Vec<u8>)> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fuzz/seeds")
        .join(target);
    let mut seeds: Vec<(String, Vec<u8>)> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            (name, std::fs::read(&path).unwrap())
        })
        .collect();
    seeds.sort();
    seeds
}

/// Runs `property` on each seed, naming the seed that fails.
fn replay(target: &str, property: fn(&[u8])) {
    let seeds = seeds(target);
    assert!(seeds.len() >= 10, "{target}: {} seeds", seeds.len());
    for (name, data) in seeds {
        if let Err(panic) = std::panic::catch_unwind(|| property(&data)) {
            let why = panic
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_default();
            panic!("fuzz/seeds/{target}/{name}: {why}");
        }
    }
}

#[test]
fn every_render_seed_keeps_every_output_well_formed() {
    replay("render", common::render_property::check);
}

#[test]
fn every_redact_seed_hides_its_secret_everywhere() {
    replay("redact", common::redact_property::check);
}
