//! The built-in Quick profile, end to end through the CLI and the engine, in the
//! real sandbox image (a bare Python: the standard-library path), on a table of
//! real-world files, and in the analysis image (DuckDB) on large files.

mod common;

use common::known_csv::{large_profile_test_mib, write_known_csv};
use common::stop_on_first_line::StopOnFirstLine;
use common::{Recorder, test_image};
use sandpiper::docker::ensure_variant_image;
use sandpiper::docker::image_variants::ImageVariant;
use sandpiper::events::{Event, Outcome};
use sandpiper::llm::what_is_sent::{SendPolicy, what_is_sent};
use sandpiper::profile_data::{ColumnKind, ColumnProfile, DatasetProfile, ProfileEngine};
use sandpiper::sandbox::RunResult;
use sandpiper::settings::PackageSettings;
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

/// The bare image, as it is (not its analysis variant): the standard-library path.
fn engine() -> std::sync::Arc<Engine> {
    let mut settings = Settings::default();
    settings.sandbox.image = test_image();
    settings.agent.analysis_image = false;
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
        "one histogram per numeric column (the numbers come as an event, not a file)"
    );
    let typed = events
        .iter()
        .position(|e| matches!(e, Event::DatasetProfiled { .. }))
        .expect("the profile's numbers as typed data");
    assert!(first_line < typed && typed < events.len() - 1);
    let [profile] = profiles(&events).try_into().unwrap();
    assert_eq!(profile.rows, 3);
    let y = column(&profile, "y");
    assert_eq!(y.kind, ColumnKind::Integer);
    let numbers = y.numbers.as_ref().unwrap();
    assert_eq!((numbers.min, numbers.median, numbers.max), (2.0, 4.0, 5.0));
    assert!((numbers.mean - 11.0 / 3.0).abs() < 1e-9);
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

/// The window's preview: the first ten rows, as the file has them, each
/// cell cut to what a table can show and a short row filled out.
#[tokio::test]
async fn the_profile_brings_the_first_rows_for_the_preview() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("notes.csv");
    let long = "x".repeat(300);
    let mut text = format!("id,note,amount\n1,{long},2.5\n2,short\n");
    for i in 3..=12 {
        text.push_str(&format!("{i},row {i},{i}.0\n"));
    }
    std::fs::write(&csv, text).unwrap();

    let (result, events) = profile_with(&engine(), &[csv], &dir.path().join("out")).await;

    assert_eq!(result.outcome, Outcome::Success, "{}", result.stderr);
    let [profile] = profiles(&events).try_into().unwrap();
    assert_eq!(profile.rows, 12);
    assert_eq!(profile.first_rows.len(), 10, "ten rows at most");
    assert_eq!(profile.first_rows[0], ["1", &"x".repeat(200), "2.5"]);
    assert_eq!(profile.first_rows[1], ["2", "short", ""]);
    assert_eq!(profile.first_rows[9], ["10", "row 10", "10.0"]);

    // The preview stays on this computer: what the model is told about the
    // same file is what it was, five sample rows with cells cut to 60
    // characters, none of the rows only the preview shows.
    let summaries = engine()
        .summarise_datasets(std::slice::from_ref(&dir.path().join("notes.csv")))
        .await
        .unwrap();
    let sent = what_is_sent(&summaries, &SendPolicy::default());
    assert_eq!(sent.sample_rows_sent, 5);
    assert!(
        sent.text.contains("Sample rows (the first 5 of 12):"),
        "{}",
        sent.text
    );
    assert!(sent.text.contains("row 5"), "{}", sent.text);
    for only_previewed in ["row 6", "row 7", "row 8", "row 9", "row 10"] {
        assert!(!sent.text.contains(only_previewed), "{}", sent.text);
    }
    assert!(!sent.text.contains(&"x".repeat(61)), "{}", sent.text);
}

fn profiles(events: &[Event]) -> Vec<DatasetProfile> {
    events
        .iter()
        .filter_map(|e| match e {
            Event::DatasetProfiled { profile, .. } => Some(profile.clone()),
            _ => None,
        })
        .collect()
}

fn column<'a>(profile: &'a DatasetProfile, name: &str) -> &'a ColumnProfile {
    profile
        .columns
        .iter()
        .find(|c| c.name == name)
        .unwrap_or_else(|| panic!("no column {name} in {profile:?}"))
}

async fn profile_with(
    engine: &Engine,
    files: &[std::path::PathBuf],
    out: &Path,
) -> (RunResult, Vec<Event>) {
    let recorder = Recorder::default();
    let result = engine.quick_profile(files, out, &recorder).await.unwrap();
    (result, recorder.events())
}

/// What a fixture must give: its numbers, or exactly this message.
enum Expect {
    Profiled {
        rows: u64,
        columns: &'static [&'static str],
        delimiter: &'static str,
        check: fn(&DatasetProfile),
    },
    Refused(&'static str),
}

struct Fixture {
    name: &'static str,
    bytes: &'static [u8],
    expect: Expect,
}

const FIXTURES: &[Fixture] = &[
    Fixture {
        name: "bom.csv",
        bytes: b"\xef\xbb\xbfid,name\n1,a\n2,b\n",
        expect: Expect::Profiled {
            rows: 2,
            columns: &["id", "name"], // not "\u{feff}id"
            delimiter: "\",\"",
            check: |p| assert_eq!(column(p, "id").kind, ColumnKind::Integer),
        },
    },
    Fixture {
        name: "crlf.csv",
        bytes: b"a,b\r\n1,2\r\n3,4\r\n",
        expect: Expect::Profiled {
            rows: 2,
            columns: &["a", "b"],
            delimiter: "\",\"",
            // "4\r" would make b a text column
            check: |p| assert_eq!(column(p, "b").numbers.as_ref().unwrap().max, 4.0),
        },
    },
    Fixture {
        name: "quoted.csv",
        bytes:
            b"name,comment,amount\n\"Smith, John\",\"line one\nline two\",10\n\"Doe, Jane\",ok,20\n",
        expect: Expect::Profiled {
            rows: 2,
            columns: &["name", "comment", "amount"],
            delimiter: "\",\"",
            check: |p| {
                assert_eq!(column(p, "amount").numbers.as_ref().unwrap().mean, 15.0);
                let comments: Vec<_> = column(p, "comment")
                    .top_values
                    .iter()
                    .map(|t| t.value.as_str())
                    .collect();
                assert!(comments.contains(&"line one\nline two"), "{comments:?}");
                assert_eq!(column(p, "name").distinct, 2);
            },
        },
    },
    Fixture {
        name: "tabs.tsv",
        bytes: b"city\tvisits\nOslo\t3\nLima\t5\n",
        expect: Expect::Profiled {
            rows: 2,
            columns: &["city", "visits"],
            delimiter: "tab",
            check: |p| assert_eq!(column(p, "visits").numbers.as_ref().unwrap().min, 3.0),
        },
    },
    Fixture {
        name: "pipe.txt",
        bytes: b"a|b|c\n1|2|3\n4|5|6\n",
        expect: Expect::Profiled {
            rows: 2,
            columns: &["a", "b", "c"],
            delimiter: "\"|\"",
            check: |p| assert_eq!(column(p, "c").numbers.as_ref().unwrap().max, 6.0),
        },
    },
    Fixture {
        name: "gaps.csv",
        bytes: b"x,y,note\n1,NA,\n2,,-\n3,7,\n",
        expect: Expect::Profiled {
            rows: 3,
            columns: &["x", "y", "note"],
            delimiter: "\",\"",
            check: |p| {
                let y = column(p, "y");
                assert_eq!((y.missing, y.count), (2, 1));
                assert!((y.missing_share - 2.0 / 3.0).abs() < 1e-9);
                assert_eq!(column(p, "note").kind, ColumnKind::Empty);
            },
        },
    },
    Fixture {
        name: "utf16.csv",
        bytes: b"\xff\xfea\x00,\x00b\x00\n\x001\x00,\x002\x00\n\x00",
        expect: Expect::Refused(
            "utf16.csv is saved as UTF-16 text, which the quick profile cannot read. \
             Save it again as CSV UTF-8 and try again.",
        ),
    },
    Fixture {
        name: "unbalanced.csv",
        bytes: b"a,b\n1,\"oops\n2,3\n4,5\n",
        expect: Expect::Refused(
            "Could not read unbalanced.csv as a table: the quote mark that opens a value \
             on line 2 is never closed, so the rest of the file would become one value. \
             Check that quote marks in the file are balanced, or save it again as CSV, \
             and try again.",
        ),
    },
    Fixture {
        name: "header_only.csv",
        bytes: b"a,b,c\n",
        expect: Expect::Refused(
            "header_only.csv has column names but no rows of data. Add at least one row \
             of data and try again.",
        ),
    },
    Fixture {
        name: "sales.dat",
        bytes: b"a,b\n1,2\n",
        expect: Expect::Refused(
            "sales.dat cannot be profiled: .dat files are not supported. The quick profile \
             reads CSV (.csv, .tsv, .txt), Excel (.xlsx, .xls), JSON and Parquet files; \
             save your data as CSV and try again.",
        ),
    },
    Fixture {
        name: "report.csv", // a zip (an .xlsx, say) renamed
        bytes: b"PK\x03\x04\x14\x00\x00\x00\x08\x00",
        expect: Expect::Refused(
            "report.csv does not look like a text table: it contains binary data (it may \
             be a spreadsheet or another file saved with a .csv name). Open it in its \
             program, export it as CSV and try again.",
        ),
    },
];

#[tokio::test]
async fn real_world_files_give_their_exact_numbers_or_their_exact_message() {
    let dir = tempfile::tempdir().unwrap();
    let engine = engine();
    for fixture in FIXTURES {
        let file = dir.path().join(fixture.name);
        std::fs::write(&file, fixture.bytes).unwrap();
        let (result, events) = profile_with(
            &engine,
            &[file],
            &dir.path().join(fixture.name).with_extension("out"),
        )
        .await;
        let name = fixture.name;
        match &fixture.expect {
            Expect::Profiled {
                rows,
                columns,
                delimiter,
                check,
            } => {
                assert_eq!(
                    result.outcome,
                    Outcome::Success,
                    "{name}: {}",
                    result.summary
                );
                assert!(
                    result.stdout.contains(&format!("Rows: {rows}\n"))
                        && result.stdout.contains(&format!("Delimiter: {delimiter}\n")),
                    "{name}: {}",
                    result.stdout
                );
                let [profile] = profiles(&events).try_into().unwrap();
                assert_eq!(profile.file_name, name);
                assert_eq!(profile.rows, *rows, "{name}");
                assert_eq!(profile.delimiter.as_deref(), Some(*delimiter), "{name}");
                assert_eq!(profile.engine, ProfileEngine::StandardLibrary);
                let names: Vec<_> = profile.columns.iter().map(|c| c.name.as_str()).collect();
                assert_eq!(names, *columns, "{name}");
                check(&profile);
            }
            Expect::Refused(message) => {
                assert_eq!(result.outcome, Outcome::Failed, "{name}");
                assert_eq!(result.summary, *message, "{name}");
                assert!(profiles(&events).is_empty(), "{name}");
            }
        }
    }
}

#[tokio::test]
async fn several_files_are_each_profiled_and_a_bad_one_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let files = [
        ("north.csv", "region,units\nnorth,3\nnorth,4\n"),
        ("header_only.csv", "region,units\n"),
        ("south.tsv", "region\tunits\tprice\nsouth\t1\t2.5\n"),
    ]
    .map(|(name, text)| {
        let path = dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        path
    });

    let (result, events) = profile_with(&engine(), &files, &dir.path().join("out")).await;

    assert_eq!(result.outcome, Outcome::Failed);
    assert_eq!(
        result.summary,
        "header_only.csv has column names but no rows of data. Add at least one row of data \
         and try again."
    );
    let profiled: Vec<_> = profiles(&events)
        .into_iter()
        .map(|p| (p.file_name, p.rows, p.columns.len()))
        .collect();
    assert_eq!(
        profiled,
        [("north.csv".into(), 2, 2), ("south.tsv".into(), 1, 3)]
    );
    let later = result.stdout.find("Quick profile of south.tsv").unwrap();
    assert!(
        result
            .stdout
            .find("Quick profile of header_only.csv")
            .unwrap()
            < later
    );
}

// ---------------------------------------------------------------- DuckDB

/// The analysis image (DuckDB, pandas, …) built FROM the test image; its
/// layers are cached, so this is quick once built.
async fn analysis_engine() -> std::sync::Arc<Engine> {
    let docker = common::docker().await;
    let ca = PackageSettings::default().ca_bundle;
    let (tag, _) = ensure_variant_image(
        &docker,
        &test_image(),
        ImageVariant::Analysis,
        ca.as_deref(),
        &Recorder::default(),
    )
    .await
    .unwrap_or_else(|e| panic!("{}", e.plain_words()));
    // The default limits (512 MiB, half a core, 120 s), on the bare image the
    // engine itself swaps for its analysis variant.
    let mut settings = Settings::default();
    settings.sandbox.image = test_image();
    assert!(settings.agent.analysis_image);
    let engine = Engine::new(settings);
    assert_eq!(
        engine
            .ensure_variant_image(ImageVariant::Analysis, &Recorder::default())
            .await
            .unwrap()
            .0,
        tag
    );
    engine
}

fn close(a: f64, b: f64, tolerance: f64) -> bool {
    (a - b).abs() <= tolerance * b.abs().max(1.0)
}

/// The 1 GB case, measured by hand for the README (it takes most of the
/// 120 s limit on half a core); CI profiles 256 MiB, or SANDPIPER_PROFILE_TEST_MIB.
#[tokio::test]
async fn a_large_csv_is_profiled_by_duckdb_within_the_default_limits_showing_progress() {
    let mib = large_profile_test_mib();
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("big.csv");
    let rows = write_known_csv(&csv, mib);
    let engine = analysis_engine().await;

    let (result, events) = profile_with(&engine, &[csv], &dir.path().join("out")).await;

    assert_eq!(
        result.outcome,
        Outcome::Success,
        "{}\n{}",
        result.summary,
        result.stderr
    );
    assert!(
        matches!(&events[0], Event::RunStarted { image, .. } if image.starts_with("sandpiper-analysis:")),
        "{:?}",
        events[0]
    );
    let progress: Vec<_> = events
        .iter()
        .filter_map(|e| match e {
            Event::Stdout { line, .. } if line.starts_with("  Read ") => Some(line.clone()),
            _ => None,
        })
        .collect();
    assert!(
        !progress.is_empty() && progress.iter().all(|l| l.ends_with("% of big.csv")),
        "{progress:?}"
    );
    let [profile] = profiles(&events).try_into().unwrap();
    assert_eq!(profile.engine, ProfileEngine::Duckdb);
    assert!(profile.estimated);
    assert_eq!(profile.rows, rows);

    let id = column(&profile, "id").numbers.clone().unwrap();
    assert_eq!((id.min, id.max), (0.0, (rows - 1) as f64));
    assert!(close(id.mean, (rows - 1) as f64 / 2.0, 1e-9), "{}", id.mean);
    assert!(
        close(id.median, (rows - 1) as f64 / 2.0, 0.02),
        "{}",
        id.median
    );

    let units = column(&profile, "units");
    assert_eq!(units.kind, ColumnKind::Integer);
    assert_eq!(units.missing, rows.div_ceil(50));
    assert_eq!(units.count, rows - rows.div_ceil(50));
    let numbers = units.numbers.as_ref().unwrap();
    assert_eq!((numbers.min, numbers.max), (1.0, 40.0));
    let bins = numbers.histogram.as_ref().unwrap();
    assert_eq!(bins.counts.len(), 40, "one bin per whole number");
    let binned: u64 = bins.counts.iter().sum();
    assert!(close(binned as f64, units.count as f64, 0.01), "{binned}");
    assert!(
        close(units.distinct as f64, 40.0, 0.05),
        "{}",
        units.distinct
    );

    let region = column(&profile, "region");
    assert_eq!(region.kind, ColumnKind::Text);
    assert_eq!(region.top_values.len(), 4);
    for top in &region.top_values {
        assert!(close(top.count as f64, rows as f64 / 4.0, 0.05), "{top:?}");
    }
    let day = column(&profile, "day");
    assert_eq!(day.kind, ColumnKind::Date);
    let range = day.date_range.as_ref().unwrap();
    assert_eq!(
        (range.earliest.as_str(), range.latest.as_str()),
        ("2024-01-01", "2024-12-28")
    );
}

#[tokio::test]
async fn duckdb_and_the_standard_library_agree_on_the_same_file() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("sales.csv");
    write_known_csv(&csv, 10); // over the 8 MiB where DuckDB takes over
    let (duck, duck_events) = profile_with(
        &*analysis_engine().await,
        std::slice::from_ref(&csv),
        &dir.path().join("a"),
    )
    .await;
    let (plain, plain_events) = profile_with(&engine(), &[csv], &dir.path().join("b")).await;
    assert_eq!(duck.outcome, Outcome::Success, "{}", duck.stderr);
    assert_eq!(plain.outcome, Outcome::Success, "{}", plain.stderr);
    let [duck] = profiles(&duck_events).try_into().unwrap();
    let [plain] = profiles(&plain_events).try_into().unwrap();
    assert_eq!(
        (duck.engine, plain.engine),
        (ProfileEngine::Duckdb, ProfileEngine::StandardLibrary)
    );
    assert_eq!(duck.rows, plain.rows);
    assert_eq!(duck.first_rows.len(), 10);
    assert_eq!(duck.first_rows, plain.first_rows, "the same preview");
    for (d, p) in duck.columns.iter().zip(&plain.columns) {
        let name = &p.name;
        assert_eq!(
            (&d.name, d.kind, d.count, d.missing),
            (&p.name, p.kind, p.count, p.missing)
        );
        assert!(close(d.distinct as f64, p.distinct as f64, 0.06), "{name}");
        if let (Some(d), Some(p)) = (&d.numbers, &p.numbers) {
            assert_eq!((d.min, d.max), (p.min, p.max), "{name}");
            assert!(close(d.mean, p.mean, 1e-9), "{name}");
            assert!(close(d.std.unwrap(), p.std.unwrap(), 1e-6), "{name}");
            let span = p.max - p.min;
            for (a, b) in [(d.q25, p.q25), (d.median, p.median), (d.q75, p.q75)] {
                assert!((a - b).abs() <= 0.02 * span, "{name}: {a} vs {b}");
            }
            let (dh, ph) = (d.histogram.as_ref().unwrap(), p.histogram.as_ref().unwrap());
            assert_eq!(dh.edges, ph.edges, "{name}: the same bins");
        }
    }
}

// ------------------------------------------------- Excel, JSON, Parquet

/// The numbers a tests/data fixture really holds (tests/data/make_fixtures.py).
fn mean_min_max(profile: &DatasetProfile, name: &str) -> (f64, f64, f64) {
    let numbers = column(profile, name).numbers.clone().unwrap();
    (numbers.mean, numbers.min, numbers.max)
}

/// The workbook a first-time user drops: a "Notes" cover sheet, then "Sales"
/// with a title and a blank row above its two header rows ("Revenue" and
/// "Units" merged over their quarters). The profile reads it as the agent
/// does (sandbox/read_tables.py) and says where the table was.
#[tokio::test]
async fn an_excel_report_is_profiled_from_its_table_sheet_under_its_title_like_the_agent_reads_it()
{
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data");
    let dir = tempfile::tempdir().unwrap();
    let files = ["sales_report.xlsx", "orders.json", "visits.parquet"].map(|f| data.join(f));

    let (result, events) =
        profile_with(&*analysis_engine().await, &files, &dir.path().join("out")).await;

    assert_eq!(
        result.outcome,
        Outcome::Success,
        "{}\n{}",
        result.summary,
        result.stderr
    );
    let [excel, json, parquet] = profiles(&events).try_into().unwrap();
    let names = |p: &DatasetProfile| p.columns.iter().map(|c| c.name.clone()).collect::<Vec<_>>();

    assert!(
        result
            .stdout
            .contains("Format: an Excel workbook (sheet \"Sales\", header on row 4)\n"),
        "{}",
        result.stdout
    );
    assert_eq!(
        (excel.sheet.as_deref(), excel.header_row, excel.rows),
        (Some("Sales"), Some(4), 3)
    );
    assert_eq!(
        names(&excel),
        ["Region", "Revenue Q1", "Revenue Q2", "Units Q1", "Units Q2"]
    );
    assert_eq!(column(&excel, "Revenue Q1").kind, ColumnKind::Integer);
    assert_eq!(excel.sheets, ["Notes", "Sales"]);
    // The preview's first rows, as the sheet holds them under its headers.
    assert_eq!(
        excel.first_rows,
        [
            ["North", "120", "135", "12", "14"],
            ["South", "250", "240", "20", "19"],
            ["East", "175", "190", "15", "16"],
        ]
    );
    // North 120, South 250, East 175.
    let (mean, min, max) = mean_min_max(&excel, "Revenue Q1");
    assert_eq!((min, max), (120.0, 250.0));
    assert!(close(mean, 545.0 / 3.0, 1e-12), "{mean}");

    // {"orders": [{"id", "total", "customer": {"name", "country"}}, ...]}
    assert_eq!(
        json.format.as_deref(),
        Some("a JSON file (records under \"orders\")")
    );
    assert_eq!(
        names(&json),
        ["id", "total", "customer.name", "customer.country"]
    );
    assert_eq!((json.rows, json.sheet.as_deref()), (3, None));
    assert_eq!(mean_min_max(&json, "total"), (33.25, 12.0, 57.25));

    assert_eq!(parquet.format.as_deref(), Some("a Parquet file"));
    assert_eq!(names(&parquet), ["day", "visits", "conversion"]);
    assert_eq!(parquet.rows, 4);
    assert_eq!(parquet.first_rows[0], ["2024-01-01", "120", "0.031"]);
    assert_eq!(json.first_rows[2], ["3", "57.25", "Chloé", "FR"]);
    assert_eq!(mean_min_max(&parquet, "visits"), (117.75, 98.0, 143.0));
    assert_eq!(column(&parquet, "day").kind, ColumnKind::Date);
}

/// Stop, on the path users take: a Quick profile of a big file stopped on its
/// first line of output ends as Cancelled at once, and leaves nothing behind.
#[tokio::test]
async fn a_quick_profile_stopped_on_its_first_line_ends_cancelled_and_leaves_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("big.csv");
    common::write_big_csv(&csv);
    let mut settings = Settings::default();
    settings.sandbox.image = test_image();
    let engine = Engine::with_state_dir(settings, dir.path().to_owned());

    let heard = Recorder::default();
    let sink = StopOnFirstLine::new(&engine, &heard);
    let started = std::time::Instant::now();
    let (run_id, handle) = engine
        .start_quick_profile(std::slice::from_ref(&csv), dir.path(), sink)
        .await
        .unwrap_or_else(|err| panic!("{}", err.plain_words()));
    let result = handle.await.unwrap();
    assert_eq!(result.outcome, Outcome::Cancelled, "{}", result.summary);
    assert!(result.summary.starts_with("You stopped this run"));
    // Lines already on their way when Stop was clicked may still arrive, but
    // the profile never got to its results.
    let lines = heard.stdout_lines();
    assert!(
        !lines.iter().any(|l| l.starts_with("Rows:")),
        "the profile ran to its end: {lines:?}"
    );
    assert!(
        started.elapsed() < std::time::Duration::from_secs(30),
        "the stop was not at once: {:?}",
        started.elapsed()
    );
    assert_eq!(
        common::leftovers_of_run(&run_id).await,
        Vec::<String>::new()
    );
}
