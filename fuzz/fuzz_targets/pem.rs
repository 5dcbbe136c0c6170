#![no_main]
//! PEM, X.509 and private key parsing and matching on arbitrary bytes.

use libfuzzer_sys::fuzz_target;
use swml_sec::checks::{CheckOptions, check_pem};

fuzz_target!(|data: &[u8]| {
    let split = data
        .first()
        .map_or(0, |b| usize::from(*b))
        .min(data.len().saturating_sub(1));
    let (cert, key) = data
        .get(1..)
        .unwrap_or(&[])
        .split_at(split.min(data.len().saturating_sub(1)));
    let options = CheckOptions::at_time(1_800_000_000);
    let _ = check_pem(cert, key, "a.example.com", &options);
});
