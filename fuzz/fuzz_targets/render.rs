#![no_main]
//! The `render` property (`common/render_property.rs`) on libFuzzer's
//! inputs; `tests/fuzz_seeds.rs` replays the committed seeds through it.

use libfuzzer_sys::fuzz_target;

#[path = "common/mod.rs"]
mod common;

fuzz_target!(|data: &[u8]| common::render_property::check(data));
