//! A large CSV whose every statistic is known in advance, for the tests that
//! profile big files.

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::Path;

/// A sales-like CSV of about `mib` MiB with known numbers; returns its rows.
/// `id` counts from 0; every 50th `units` is missing, the others cycle 1..=40;
/// `region` cycles through 4 values.
pub fn write_known_csv(path: &Path, mib: u64) -> u64 {
    let mut out = std::io::BufWriter::new(std::fs::File::create(path).unwrap());
    let header = "id,region,units,price,day\n";
    out.write_all(header.as_bytes()).unwrap();
    let (mut written, mut i) = (header.len() as u64, 0u64);
    let mut line = String::new();
    while written < mib * 1024 * 1024 {
        line.clear();
        let region = ["north", "south", "east", "west"][(i % 4) as usize];
        let units = if i % 50 == 0 {
            String::new()
        } else {
            (i % 40 + 1).to_string()
        };
        writeln!(
            line,
            "{i},{region},{units},{:.2},2024-{:02}-{:02}",
            (i * 37 % 50000) as f64 / 100.0,
            i % 12 + 1,
            i % 28 + 1
        )
        .unwrap();
        out.write_all(line.as_bytes()).unwrap();
        written += line.len() as u64;
        i += 1;
    }
    out.flush().unwrap();
    i
}

/// The size the large-profile tests use: 256 MiB in CI, or
/// SANDPIPER_PROFILE_TEST_MIB (the README's 1 GB case is measured with 1024).
pub fn large_profile_test_mib() -> u64 {
    std::env::var("SANDPIPER_PROFILE_TEST_MIB")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(256)
}
