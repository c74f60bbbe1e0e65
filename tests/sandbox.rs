//! The sandbox against a real Docker daemon: output, errors, clean-up, isolation.

mod common;

use common::{Recorder, ScriptRun, leftovers_of_run, sandbox, sha256_of, test_settings};
use sandpiper::EventSink;
use sandpiper::events::{Event, Outcome};
use std::time::Duration;

#[tokio::test]
async fn a_scripts_stdout_comes_back_line_by_line() {
    let out = tempfile::tempdir().unwrap();
    let (result, recorder) = ScriptRun::new(
        "print('hello from the sandbox')\nprint('second line', 42)",
        out.path(),
    )
    .run()
    .await;

    assert_eq!(result.outcome, Outcome::Success, "{}", result.stderr);
    assert_eq!(result.exit_code, Some(0));
    assert_eq!(result.stdout, "hello from the sandbox\nsecond line 42\n");
    assert_eq!(
        recorder.stdout_lines(),
        vec!["hello from the sandbox", "second line 42"]
    );
    let events = recorder.events();
    assert!(matches!(events.first(), Some(Event::RunStarted { .. })));
    assert!(matches!(
        events.last(),
        Some(Event::RunFinished {
            outcome: Outcome::Success,
            ..
        })
    ));
}

#[tokio::test]
async fn a_raising_script_exits_1_with_its_traceback_in_stderr() {
    let out = tempfile::tempdir().unwrap();
    let (result, recorder) = ScriptRun::new(
        "def load():\n    raise ValueError('column price is missing')\nload()\n",
        out.path(),
    )
    .run()
    .await;

    assert_eq!(result.outcome, Outcome::Failed);
    assert_eq!(result.exit_code, Some(1));
    assert!(result.stderr.contains("Traceback (most recent call last)"));
    assert!(
        result
            .stderr
            .contains("ValueError: column price is missing")
    );
    assert_eq!(
        result.summary,
        "The code stopped with ValueError on line 2: column price is missing"
    );
    let stderr_events = recorder
        .events()
        .into_iter()
        .filter(|e| matches!(e, Event::Stderr { .. }))
        .count();
    assert!(stderr_events >= 3, "the traceback streams as stderr lines");
}

#[tokio::test]
async fn no_container_or_volume_is_left_after_success_failure_or_a_time_out() {
    for code in [
        "print('ok')",
        "raise SystemExit(3)",
        "import time\ntime.sleep(30)",
    ] {
        let out = tempfile::tempdir().unwrap();
        let mut run = ScriptRun::new(code, out.path());
        run.settings.timeout_secs = 2;
        let request = run.request();
        let run_id = request.run_id.clone();
        let result = sandbox(run.settings.clone())
            .await
            .run(request, &sandpiper::events::Discard)
            .await;

        assert_ne!(result.outcome, Outcome::DockerFailure, "{}", result.summary);
        let left = leftovers_of_run(&run_id).await;
        assert!(left.is_empty(), "{code:?} left {left:?}");
    }
}

#[tokio::test]
async fn the_network_is_off_inside_the_sandbox() {
    // Target only the package index (see DEVELOPERS.md): its name inside, and the
    // address the host resolves for it, so a missing DNS alone can't pass the test.
    let pypi_address = std::net::ToSocketAddrs::to_socket_addrs(&("pypi.org", 443))
        .ok()
        .and_then(|mut addrs| addrs.find(|a| a.is_ipv4()))
        .map(|a| a.ip().to_string())
        .unwrap_or_else(|| "151.101.0.223".to_owned());
    let code = format!(
        r#"
import socket
try:
    socket.getaddrinfo("pypi.org", 443)
    print("dns: reachable")
except OSError as e:
    print("dns: blocked")
try:
    socket.create_connection(("{pypi_address}", 443), timeout=5).close()
    print("tcp: reachable")
except OSError as e:
    print("tcp: blocked", type(e).__name__)
print("interfaces:", sorted(name for _, name in socket.if_nameindex()))
"#
    );
    let out = tempfile::tempdir().unwrap();
    let (result, _) = ScriptRun::new(&code, out.path()).run().await;

    assert_eq!(result.outcome, Outcome::Success, "{}", result.stderr);
    assert!(result.stdout.contains("dns: blocked"), "{}", result.stdout);
    assert!(result.stdout.contains("tcp: blocked"), "{}", result.stdout);
    assert!(
        result.stdout.contains("interfaces: ['lo']"),
        "{}",
        result.stdout
    );
}

#[tokio::test]
async fn allocating_1_gib_is_stopped_by_the_512_mib_limit_and_said_so() {
    let out = tempfile::tempdir().unwrap();
    // A str repeat writes every byte, so the memory is really used (a bytearray
    // of zeros might never be touched).
    let (result, _) = ScriptRun::new(
        "big = 'x' * (1024 * 1024 * 1024)\nprint(len(big))",
        out.path(),
    )
    .run()
    .await;

    assert_eq!(result.outcome, Outcome::OutOfMemory, "{result:?}");
    assert!(
        result.summary.contains("ran out of memory (512 MiB limit)"),
        "{}",
        result.summary
    );
    assert!(!result.summary.contains("137"), "{}", result.summary);
}

#[tokio::test]
async fn the_dataset_is_read_only_inside_and_unchanged_after() {
    let data_dir = tempfile::tempdir().unwrap();
    let dataset = data_dir.path().join("prices.csv");
    std::fs::write(&dataset, "item,price\napple,1.2\n").unwrap();
    let before = sha256_of(&dataset);
    let code = r#"
import os
path = main_file
print(open(path).read().splitlines()[1])
for attempt, action in [
    ("append", lambda: open(path, "a").write("pear,9\n")),
    ("truncate", lambda: open(path, "w").write("")),
    ("delete", lambda: os.remove(path)),
    ("chmod", lambda: os.chmod(path, 0o777)),
]:
    try:
        action()
        print(attempt, "allowed")
    except OSError as e:
        print(attempt, "refused", type(e).__name__)
"#;
    let out = tempfile::tempdir().unwrap();
    let mut run = ScriptRun::new(code, out.path());
    run.datasets = vec![dataset.clone()];
    let (result, _) = run.run().await;

    assert_eq!(result.outcome, Outcome::Success, "{}", result.stderr);
    assert!(
        result.stdout.contains("apple,1.2"),
        "the dataset is readable"
    );
    for attempt in ["append", "truncate", "delete", "chmod"] {
        assert!(
            result.stdout.contains(&format!("{attempt} refused")),
            "{attempt}: {}",
            result.stdout
        );
    }
    assert_eq!(sha256_of(&dataset), before);
}

#[tokio::test]
async fn a_run_over_its_time_limit_is_killed_and_said_so() {
    let out = tempfile::tempdir().unwrap();
    let mut run = ScriptRun::new("while True:\n    pass\n", out.path());
    run.settings.timeout_secs = 2;
    let started = std::time::Instant::now();
    let (result, _) = run.run().await;

    assert_eq!(result.outcome, Outcome::TimedOut);
    assert!(
        result.summary.contains("time limit (2 s)"),
        "{}",
        result.summary
    );
    assert!(started.elapsed() < Duration::from_secs(20));
}

#[tokio::test]
async fn the_user_can_stop_a_run() {
    let out = tempfile::tempdir().unwrap();
    let run = ScriptRun::new(
        "import time\nprint('working', flush=True)\ntime.sleep(60)\n",
        out.path(),
    );
    // Stopped the moment its first line arrives, as a user clicking Stop
    // while it works (no sleep: a slow container start cannot outlast it).
    let recorder = Recorder::default();
    let cancel = run.cancel.clone();
    let seen = recorder.clone();
    let stop_on_first_line = move |event: Event| {
        let first_line = matches!(&event, Event::Stdout { line, .. } if line == "working");
        seen.emit(event);
        if first_line {
            cancel.cancel();
        }
    };
    let sandbox = sandbox(run.settings.clone()).await;
    let started = std::time::Instant::now();
    let result = sandbox.run(run.request(), &stop_on_first_line).await;

    assert_eq!(result.outcome, Outcome::Cancelled);
    assert!(result.summary.starts_with("You stopped this run"));
    assert_eq!(recorder.stdout_lines(), vec!["working"]);
    assert!(
        started.elapsed() < Duration::from_secs(30),
        "the stop was not at once"
    );
}

#[tokio::test]
async fn charts_written_to_the_output_folder_come_back_as_artifacts() {
    let out = tempfile::tempdir().unwrap();
    let code = r#"
import zlib, struct
def chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
raw = b"".join(b"\x00" + b"\x3b\x82\xf6" * 4 for _ in range(4))
png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 4, 4, 8, 2, 0, 0, 0)) \
    + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")
open("/workspace/output/chart.png", "wb").write(png)
open("/workspace/output/table.csv", "w").write("a,b\n1,2\n")
"#;
    let (result, recorder) = ScriptRun::new(code, out.path()).run().await;

    assert_eq!(result.outcome, Outcome::Success, "{}", result.stderr);
    let names: Vec<_> = result.artifacts.iter().map(|a| a.name.as_str()).collect();
    assert_eq!(names, vec!["chart.png", "table.csv"]);
    let chart = &result.artifacts[0];
    assert_eq!(chart.mime, "image/png");
    assert!(std::fs::read(&chart.path).unwrap().starts_with(b"\x89PNG"));
    assert!(chart.path.starts_with(out.path()));
    let artifact_events = recorder
        .events()
        .into_iter()
        .filter(|e| matches!(e, Event::Artifact { .. }))
        .count();
    assert_eq!(artifact_events, 2);
}

#[tokio::test]
async fn a_missing_image_that_cannot_be_pulled_is_explained() {
    let out = tempfile::tempdir().unwrap();
    let mut run = ScriptRun::new("print(1)", out.path());
    // A registry on this machine's loopback where nothing listens: the pull fails
    // at once, and no outside address is ever contacted.
    run.settings.image = "127.0.0.1:9/sandpiper-tests/absent:1".to_owned();
    let (result, recorder) = run.run().await;

    assert_eq!(result.outcome, Outcome::DockerFailure);
    assert!(
        result
            .summary
            .contains("could not download its Python environment"),
        "{}",
        result.summary
    );
    assert!(
        recorder
            .events()
            .iter()
            .any(|e| matches!(e, Event::ImagePullStarted { .. }))
    );
}

#[tokio::test]
async fn output_beyond_the_cap_is_dropped_and_flagged() {
    let out = tempfile::tempdir().unwrap();
    let mut run = ScriptRun::new(
        "import sys\nfor i in range(200000):\n    sys.stdout.write('line %d of noise\\n' % i)\n",
        out.path(),
    );
    run.settings.output_cap_bytes = 64 * 1024;
    let (result, _) = run.run().await;

    assert_eq!(result.outcome, Outcome::Success, "{}", result.stderr);
    assert!(result.output_truncated);
    assert!(result.stdout.len() <= 64 * 1024);
    assert!(result.stdout.starts_with("line 0 of noise\n"));
}

#[test]
fn test_settings_use_the_seed_limits() {
    let s = test_settings();
    assert_eq!(s.memory_mib, 512);
    assert_eq!((s.cpu_quota_us, s.cpu_period_us), (50_000, 100_000));
}
