//! The built-in Quick profile, end to end through the CLI and the engine, in the
//! real sandbox image (a bare Python: the standard-library path).

mod common;

use common::{Recorder, test_image};
use sandpiper::events::{Event, Outcome};
use sandpiper::{Engine, Settings};
use std::fmt::Write as _;
use std::path::Path;
use std::process::Command;

fn write_sales_csv(path: &Path, rows: usize) {
    let mut csv = String::from("order_id,region,units,unit_price,shipped\n");
    for i in 0..rows {
        let region = ["north", "south", "east", "west"][i % 4];
        let units = if i % 50 == 0 {
            String::new() // some missing values
        } else {
            ((i * 7) % 23).to_string()
        };
        writeln!(
            csv,
            "{i},{region},{units},{:.2},2024-01-{:02}",
            3.5 + (i % 17) as f64 * 1.25,
            1 + i % 28
        )
        .unwrap();
    }
    std::fs::write(path, csv).unwrap();
}

fn line_value(stdout: &str, prefix: &str) -> Option<u64> {
    stdout
        .lines()
        .find_map(|l| l.strip_prefix(prefix))
        .and_then(|v| v.trim().parse().ok())
}

#[test]
fn the_cli_profile_reports_the_right_shape_and_writes_histograms() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("sales.csv");
    write_sales_csv(&csv, 1234);
    let out = dir.path().join("charts");

    let output = Command::new(env!("CARGO_BIN_EXE_sandpiper"))
        .args(["profile", "--image", &test_image(), "--out"])
        .arg(&out)
        .arg(&csv)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);

    assert!(output.status.success(), "{stdout}\n{stderr}");
    assert_eq!(line_value(&stdout, "Rows:"), Some(1234), "{stdout}");
    assert_eq!(line_value(&stdout, "Columns:"), Some(5), "{stdout}");
    assert!(stdout.contains("units"), "{stdout}");
    assert!(stdout.contains("Missing values"), "{stdout}");
    for numeric in ["order_id", "units", "unit_price"] {
        let chart = out.join(format!("hist_{numeric}.png"));
        let bytes = std::fs::read(&chart).unwrap_or_else(|_| panic!("{chart:?}: {stderr}"));
        assert!(bytes.starts_with(b"\x89PNG\r\n\x1a\n"));
    }
    assert!(
        !out.join("hist_region.png").exists(),
        "text columns get no histogram"
    );
    assert!(stderr.contains("Finished in"), "{stderr}");
}

#[test]
fn the_cli_explains_a_missing_file_and_fails() {
    let output = Command::new(env!("CARGO_BIN_EXE_sandpiper"))
        .args(["profile", "/nonexistent/sales.csv"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success());
    assert!(
        stderr.contains("Sandpiper could not read sales.csv."),
        "{stderr}"
    );
}

fn engine() -> std::sync::Arc<Engine> {
    let mut settings = Settings::default();
    settings.sandbox.image = test_image();
    Engine::new(settings)
}

#[tokio::test]
async fn the_profile_streams_its_lines_then_its_charts_then_the_end() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("small.csv");
    std::fs::write(&csv, "x,y\n1,2\n3,5\n4,4\n").unwrap();
    let recorder = Recorder::default();

    let result = engine()
        .quick_profile(&[csv], &dir.path().join("out"), &recorder)
        .await
        .unwrap();

    assert_eq!(result.outcome, Outcome::Success, "{}", result.stderr);
    let events = recorder.events();
    let first_line = events
        .iter()
        .position(|e| matches!(e, Event::Stdout { .. }))
        .unwrap();
    let first_artifact = events
        .iter()
        .position(|e| matches!(e, Event::Artifact { .. }))
        .unwrap();
    assert!(
        matches!(events[0], Event::RunStarted { ref title, .. } if title == "Quick profile of small.csv")
    );
    assert!(first_line < first_artifact);
    assert!(matches!(events.last(), Some(Event::RunFinished { .. })));
    assert_eq!(
        result.artifacts.len(),
        2,
        "one histogram per numeric column"
    );
}

#[tokio::test]
async fn unprofilable_files_end_with_a_plain_explanation_not_a_traceback() {
    let dir = tempfile::tempdir().unwrap();
    let empty = dir.path().join("empty.csv");
    std::fs::write(&empty, "").unwrap();
    let binary = dir.path().join("photo.csv");
    std::fs::write(&binary, [0x89u8, 0x50, 0x4e, 0x47, 0, 0, 0, 13, 0xff, 0]).unwrap();

    for file in [empty, binary] {
        let result = engine()
            .quick_profile(
                std::slice::from_ref(&file),
                &dir.path().join("out"),
                &Recorder::default(),
            )
            .await
            .unwrap();
        assert_eq!(result.outcome, Outcome::Failed, "{file:?}");
        assert!(!result.stderr.contains("Traceback"), "{}", result.stderr);
        assert!(
            !result.summary.contains("PROFILE-ERROR"),
            "{}",
            result.summary
        );
        assert!(result.summary.len() > 20, "{}", result.summary);
    }
}

#[tokio::test]
async fn a_latin1_file_with_ragged_rows_is_still_profiled() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("cafe.csv");
    // "café" in Windows-1252, and one row with a missing field.
    let mut bytes = b"name;price\ncaf\xe9;2,5\nth\xe9;3\n".to_vec();
    bytes.extend_from_slice(b"short\n");
    std::fs::write(&csv, bytes).unwrap();

    let result = engine()
        .quick_profile(&[csv], &dir.path().join("out"), &Recorder::default())
        .await
        .unwrap();
    assert_eq!(result.outcome, Outcome::Success, "{}", result.stderr);
    assert!(
        result.stdout.contains("Delimiter: \";\""),
        "{}",
        result.stdout
    );
    assert!(result.stdout.contains("not UTF-8"), "{}", result.stdout);
    assert!(result.stdout.contains("café"), "{}", result.stdout);
}
