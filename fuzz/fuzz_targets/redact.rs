#![no_main]
//! The `redact` property (`common/redact_property.rs`) on libFuzzer's
//! inputs; `tests/fuzz_seeds.rs` replays the committed seeds through it.

use libfuzzer_sys::fuzz_target;

#[path = "common/mod.rs"]
mod common;

fuzz_target!(|data: &[u8]| common::redact_property::check(data));
