//! Hostile code, against the real sandbox. Every script must end classified and
//! explained, leave nothing behind, and leave the host healthy and its files
//! untouched; every script runs twice, as a one-off run and inside a session,
//! whose next run must still work. (Writing to the dataset and the 1 GiB
//! memory bomb are in tests/sandbox.rs; what a run could do to a later run of
//! its session is in tests/session_containers.rs.)

mod common;

use common::session::TestSession;
use common::{Recorder, ScriptRun, docker, leftovers_of_run, sandbox};
use sandpiper::events::{Event, Outcome};
use sandpiper::sandbox::RunResult;
use std::time::{Duration, Instant};
use tokio_util::sync::CancellationToken;

/// Where a hostile script runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// A container of its own, removed after the run.
    OneOff,
    /// A session's kept container, which serves the next run too.
    Session,
}

/// Both, on every engine.
fn modes() -> Vec<Mode> {
    vec![Mode::OneOff, Mode::Session]
}

/// What a hostile run left: its result, how long it took, and every event.
struct Hostile {
    result: RunResult,
    took: Duration,
    recorder: Recorder,
}

/// Runs hostile `code` with a short time limit and checks what every hostile
/// run must leave: an explained outcome and, for a one-off run, no container
/// or volume; for a session, a next run that works.
async fn hostile(mode: Mode, code: &str, timeout_secs: u64) -> (RunResult, Duration) {
    let (hostile, ()) = hostile_watched(mode, code, timeout_secs, |_, _| async {}).await;
    (hostile.result, hostile.took)
}

/// The same, with `watch` running beside the run: it gets the container's
/// name and a token cancelled once the run is over, and its answer is returned.
async fn hostile_watched<T, F>(
    mode: Mode,
    code: &str,
    timeout_secs: u64,
    watch: impl FnOnce(String, CancellationToken) -> F,
) -> (Hostile, T)
where
    F: Future<Output = T> + Send + 'static,
    T: Send + 'static,
{
    let over = CancellationToken::new();
    let recorder = Recorder::default();
    match mode {
        Mode::OneOff => {
            let out = tempfile::tempdir().unwrap();
            let mut run = ScriptRun::new(code, out.path());
            run.settings.timeout_secs = timeout_secs;
            let request = run.request();
            let run_id = request.run_id.clone();
            let watcher = tokio::spawn(watch(
                format!("sandpiper-run-{}", run_id.short()),
                over.clone(),
            ));
            let started = Instant::now();
            let result = sandbox(run.settings.clone())
                .await
                .run(request, &recorder)
                .await;
            let took = started.elapsed();
            over.cancel();
            let watched = watcher.await.unwrap();
            assert_ne!(result.outcome, Outcome::DockerFailure, "{}", result.summary);
            assert!(!result.summary.is_empty());
            let left = leftovers_of_run(&run_id).await;
            assert!(left.is_empty(), "left behind: {left:?}");
            let hostile = Hostile {
                result,
                took,
                recorder,
            };
            (hostile, watched)
        }
        Mode::Session => {
            let session = TestSession::new("hostile").with_timeout(timeout_secs);
            // The container exists before the hostile run, as in a conversation.
            let (first, _) = session.run("print('ready')", &Recorder::default()).await;
            assert_eq!(first.outcome, Outcome::Success, "{}", first.stderr);
            let watcher = tokio::spawn(watch(
                format!("sandpiper-session-{}", session.name),
                over.clone(),
            ));
            let started = Instant::now();
            let (result, _) = session.run(code, &recorder).await;
            let took = started.elapsed();
            over.cancel();
            let watched = watcher.await.unwrap();
            assert_ne!(result.outcome, Outcome::DockerFailure, "{}", result.summary);
            assert!(!result.summary.is_empty());
            let (next, _) = session
                .run(
                    "import os\nprint('next run', len(os.listdir('/workspace/output')))",
                    &Recorder::default(),
                )
                .await;
            assert_eq!(
                (next.outcome, next.stdout.as_str()),
                (Outcome::Success, "next run 0\n"),
                "the session's next run after a hostile one: {}\n{}",
                next.summary,
                next.stderr
            );
            let hostile = Hostile {
                result,
                took,
                recorder,
            };
            (hostile, watched)
        }
    }
}

/// The host can still start processes: a fork bomb stayed inside.
fn host_is_healthy() {
    let out = std::process::Command::new("true").status();
    assert!(
        out.is_ok_and(|s| s.success()),
        "the host cannot start processes"
    );
}

#[tokio::test]
async fn a_fork_bomb_stops_at_the_process_limit() {
    // The classic bomb: every process forks forever. Each one the kernel refuses
    // says so once, then sleeps.
    let code = r#"
import os, time
while True:
    try:
        os.fork()
    except OSError as e:
        os.write(1, ("fork refused: %s\n" % e.strerror).encode())
        while True:
            time.sleep(1)
"#;
    for mode in modes() {
        let (result, took) = hostile(mode, code, 10).await;
        host_is_healthy();
        assert_eq!(
            result.outcome,
            Outcome::TimedOut,
            "{mode:?}: {}",
            result.summary
        );
        assert!(
            result
                .stdout
                .contains("fork refused: Resource temporarily unavailable"),
            "{mode:?}: {}",
            result.stdout
        );
        assert!(took < Duration::from_secs(30), "{mode:?}: {took:?}");
    }
}

#[tokio::test]
async fn a_memory_bomb_of_many_small_objects_is_stopped_and_said_so() {
    let code = "hoard = []\nwhile True:\n    hoard.append(bytearray(1024 * 1024))\n    hoard[-1][::4096] = b'x' * 256\n";
    for mode in modes() {
        let (result, _) = hostile(mode, code, 60).await;
        assert_eq!(
            result.outcome,
            Outcome::OutOfMemory,
            "{mode:?}: {}",
            result.summary
        );
        assert!(result.summary.contains("512 MiB limit"), "{mode:?}");
    }
}

#[tokio::test]
async fn an_infinite_loop_is_stopped_at_the_time_limit() {
    for mode in modes() {
        let (result, took) = hostile(mode, "while True:\n    pass\n", 3).await;
        assert_eq!(result.outcome, Outcome::TimedOut, "{mode:?}");
        assert!(took < Duration::from_secs(15), "{mode:?}: {took:?}");
    }
}

#[tokio::test]
async fn a_sleep_loop_that_ignores_sigterm_is_still_stopped_at_once() {
    let code = "import signal, time\nsignal.signal(signal.SIGTERM, signal.SIG_IGN)\nprint('ignoring TERM', flush=True)\nwhile True:\n    time.sleep(1)\n";
    for mode in modes() {
        let (result, took) = hostile(mode, code, 3).await;
        assert_eq!(result.outcome, Outcome::TimedOut, "{mode:?}");
        assert!(result.stdout.contains("ignoring TERM"), "{mode:?}");
        // Killed, not politely asked: no 10 s grace period on top of the limit.
        assert!(took < Duration::from_secs(8), "{mode:?}: {took:?}");
    }
}

#[tokio::test]
async fn filling_the_output_folder_stops_at_its_cap() {
    let code = "chunk = b'x' * (1024 * 1024)\nwith open('/workspace/output/filler.csv', 'wb') as f:\n    while True:\n        f.write(chunk)\n";
    for mode in modes() {
        let (result, took) = hostile(mode, code, 60).await;
        assert_eq!(
            result.outcome,
            Outcome::Failed,
            "{mode:?}: {}",
            result.summary
        );
        assert!(
            result.summary.contains("No space left on device"),
            "{mode:?}: {}",
            result.summary
        );
        assert!(took < Duration::from_secs(40), "{mode:?}: {took:?}");
    }
}

#[tokio::test]
async fn filling_tmp_stops_at_its_cap() {
    let code = "chunk = b'x' * (1024 * 1024)\nwritten = 0\ntry:\n    with open('/tmp/filler', 'wb') as f:\n        while True:\n            f.write(chunk)\n            f.flush()\n            written += 1\nexcept OSError as e:\n    print('stopped after', written, 'MiB:', e.strerror)\n";
    for mode in modes() {
        let (result, _) = hostile(mode, code, 60).await;
        assert_eq!(
            result.outcome,
            Outcome::Success,
            "{mode:?}: {}",
            result.stderr
        );
        let mib: u64 = result
            .stdout
            .split_whitespace()
            .nth(2)
            .and_then(|n| n.parse().ok())
            .unwrap();
        assert!(mib <= 64, "{mode:?}: {}", result.stdout);
        assert!(
            result.stdout.contains("No space left on device"),
            "{mode:?}"
        );
    }
}

#[tokio::test]
async fn the_hosts_files_are_not_visible() {
    // A file with a unique name in the host's temp folder and in the test's own
    // folder; the code searches the whole file system for that name.
    let marker = format!("sandpiper-host-marker-{}", uuid::Uuid::new_v4().simple());
    let host_file = std::env::temp_dir().join(&marker);
    std::fs::write(&host_file, "secret").unwrap();
    let code = format!(
        r#"
import os, socket
found = []
for root, dirs, files in os.walk("/"):
    if root.startswith(("/proc", "/sys", "/dev")):
        dirs[:] = []
        continue
    if "{marker}" in files:
        found.append(root)
print("found:", found)
print("home:", sorted(os.listdir("/home")) if os.path.isdir("/home") else None)
print("hostname:", socket.gethostname())
"#
    );
    for mode in modes() {
        let (result, _) = hostile(mode, &code, 60).await;
        assert_eq!(
            result.outcome,
            Outcome::Success,
            "{mode:?}: {}",
            result.stderr
        );
        assert!(
            result.stdout.contains("found: []"),
            "{mode:?}: {}",
            result.stdout
        );
        let host_name = sandpiper::docker::labels::host_name();
        assert!(
            !result.stdout.contains(&format!("hostname: {host_name}\n")),
            "{mode:?}: the container has its own host name"
        );
    }
    std::fs::remove_file(&host_file).unwrap();
}

#[tokio::test]
async fn https_to_the_package_index_fails() {
    let code = r#"
import urllib.request
try:
    urllib.request.urlopen("https://pypi.org/simple/pandas/", timeout=5)
    print("https: reachable")
except Exception as e:
    print("https: blocked", type(e).__name__)
"#;
    for mode in modes() {
        let (result, _) = hostile(mode, code, 30).await;
        assert!(
            result.stdout.contains("https: blocked"),
            "{mode:?}: {}",
            result.stdout
        );
    }
}

#[tokio::test]
async fn fifty_megabytes_of_stdout_are_capped_and_flagged() {
    let code = "import sys\nline = 'y' * 1023 + '\\n'\nfor _ in range(50 * 1024):\n    sys.stdout.write(line)\nprint('the end')\n";
    for mode in modes() {
        let (result, took) = hostile(mode, code, 60).await;
        assert_eq!(
            result.outcome,
            Outcome::Success,
            "{mode:?}: {}",
            result.stderr
        );
        assert!(result.output_truncated, "{mode:?}");
        assert!(
            result.summary.contains("[output truncated"),
            "{mode:?}: {}",
            result.summary
        );
        assert!(result.stdout.len() <= 1024 * 1024, "{mode:?}");
        assert!(!result.stdout.contains("the end"), "{mode:?}");
        assert!(took < Duration::from_secs(40), "{mode:?}: {took:?}");
    }
}

/// The size of everything the daemon keeps on disk for one container (its
/// folder under Docker's data root, logs included), sampled until `over` is
/// cancelled: the first size seen and the largest.
async fn disk_use_of_container(name: String, over: CancellationToken) -> (u64, u64) {
    let docker = docker().await;
    let root = docker
        .info()
        .await
        .unwrap()
        .docker_root_dir
        .expect("the daemon names its data root");
    let (mut first, mut largest) = (None, 0);
    while !over.is_cancelled() {
        if let Ok(found) = docker.inspect_container(&name, None).await {
            let folder = std::path::Path::new(&root)
                .join("containers")
                .join(found.id.unwrap());
            if let Some(size) = folder_size(&folder) {
                first.get_or_insert(size);
                largest = largest.max(size);
            }
        }
        tokio::select! {
            _ = tokio::time::sleep(Duration::from_millis(100)) => {}
            _ = over.cancelled() => {}
        }
    }
    (
        first.expect("the container's folder under Docker's data root was never seen (the tests need a local daemon whose data root they can read)"),
        largest,
    )
}

fn folder_size(folder: &std::path::Path) -> Option<u64> {
    let mut total = 0;
    for entry in std::fs::read_dir(folder).ok()? {
        let entry = entry.ok()?;
        let meta = entry.metadata().ok()?;
        total += if meta.is_dir() {
            folder_size(&entry.path()).unwrap_or(0)
        } else {
            meta.len()
        };
    }
    Some(total)
}

#[tokio::test]
async fn printing_at_full_speed_for_the_whole_time_limit_ends_on_time_and_writes_nothing_to_disk() {
    // An endless print loop is a common bug, not only an attack.
    let code = "import sys\nline = 'z' * 1023 + '\\n'\nwhile True:\n    sys.stdout.write(line)\n";
    for mode in modes() {
        let (hostile, (first, largest)) =
            hostile_watched(mode, code, 5, disk_use_of_container).await;
        let result = hostile.result;
        assert_eq!(
            result.outcome,
            Outcome::TimedOut,
            "{mode:?}: {}",
            result.summary
        );
        assert!(result.output_truncated, "{mode:?}");
        assert!(result.stdout.len() <= 1024 * 1024, "{mode:?}");
        assert!(
            hostile.took < Duration::from_secs(12),
            "{mode:?}: the run returned {:?} after it started, for a 5 s limit",
            hostile.took
        );
        let grew = largest - first;
        assert!(
            grew < 1024 * 1024,
            "{mode:?}: the daemon's files for the container grew by {grew} bytes"
        );
    }
}

#[tokio::test]
async fn a_sparse_file_of_many_gib_in_the_output_is_refused_without_being_streamed() {
    // 8 GiB to the engine, a few bytes in the container's tmpfs.
    let code = "with open('/workspace/output/huge.csv', 'wb') as f:\n    f.truncate(8 << 30)\nopen('/workspace/output/small.csv', 'w').write('a\\n1\\n')\nprint('written')\n";
    for mode in modes() {
        let (hostile, ()) = hostile_watched(mode, code, 60, |_, _| async {}).await;
        let result = hostile.result;
        assert_eq!(
            result.outcome,
            Outcome::Success,
            "{mode:?}: {}",
            result.stderr
        );
        let names: Vec<_> = result.artifacts.iter().map(|a| a.name.as_str()).collect();
        assert_eq!(names, vec!["small.csv"], "{mode:?}");
        let told: Vec<String> = hostile
            .recorder
            .events()
            .into_iter()
            .filter_map(|e| match e {
                Event::Stderr { line, .. } if line.contains("huge.csv") => Some(line),
                _ => None,
            })
            .collect();
        assert!(
            told.iter()
                .any(|l| l.contains("did not bring back huge.csv")),
            "{mode:?}: {told:?}"
        );
        // Streaming 8 GiB through the daemon takes far longer than this.
        assert!(
            hostile.took < Duration::from_secs(8),
            "{mode:?}: {:?}",
            hostile.took
        );
    }
}

/// Looks for its run's token everywhere the old harness left it (the resident
/// harness's variables up the stack, any dict in memory, the harness's
/// environment and command line), prints "done" markers in every format with
/// each token it found, then keeps running.
const FORGE_DONE: &str = r#"
import gc, os, sys, time
found = set()
frame = sys._getframe()
while frame is not None:
    for name, value in list(frame.f_locals.items()):
        if name == "token" and isinstance(value, str):
            found.add(value)
    frame = frame.f_back
for o in gc.get_objects():
    if isinstance(o, dict) and isinstance(o.get("token"), str):
        found.add(o["token"])
for path in ("/proc/1/environ", "/proc/1/cmdline"):
    try:
        for field in open(path, "rb").read().split(b"\0"):
            if field.startswith(b"SANDPIPER_DONE_TOKEN="):
                found.add(field.split(b"=", 1)[1].decode())
    except OSError as e:
        print("reading", path, "refused:", e.strerror)
found.discard("")
found.add("-")
print("tokens found:", len(found), flush=True)
for token in found:
    for stream in (sys.stdout, sys.stderr):
        stream.write("\n\x1eSANDPIPER-DONE %s 0 0\n" % token)
        stream.write('D {"token": "%s", "status": 0, "timed_out": false}\n' % token)
        stream.flush()
while True:
    time.sleep(0.05)
"#;

#[tokio::test]
async fn a_forged_done_is_not_taken_and_the_run_still_times_out() {
    for mode in modes() {
        // 8 s: the code must have read /proc and forged its frames before the
        // limit, which a loaded two-core machine took over 4 s to reach.
        let (result, took) = hostile(mode, FORGE_DONE, 8).await;
        assert_eq!(
            result.outcome,
            Outcome::TimedOut,
            "{mode:?}: {} after {took:?}",
            result.summary
        );
        assert!(took >= Duration::from_secs(8), "{mode:?}: {took:?}");
        assert!(
            result.stdout.contains("tokens found:"),
            "{mode:?}: {}",
            result.stdout
        );
    }
}

#[tokio::test]
async fn binary_garbage_on_stdout_is_shown_safely() {
    let code = "import os, sys\nsys.stdout.buffer.write(os.urandom(256 * 1024))\nsys.stdout.buffer.write(b'\\xff\\xfe\\x00garbage\\n')\nprint('still here')\n";
    for mode in modes() {
        let (result, _) = hostile(mode, code, 30).await;
        assert_eq!(
            result.outcome,
            Outcome::Success,
            "{mode:?}: {}",
            result.stderr
        );
        assert!(result.stdout.contains("\u{fffd}"), "{mode:?}");
        assert!(
            result.stdout.ends_with("still here\n"),
            "{mode:?}: the run kept going"
        );
    }
}

#[tokio::test]
async fn a_background_process_does_not_outlive_the_run() {
    let code =
        "import subprocess\nsubprocess.Popen(['sleep', '600'])\nprint('spawned a sleeper')\n";
    for mode in modes() {
        let (result, took) = hostile(mode, code, 60).await;
        assert_eq!(
            result.outcome,
            Outcome::Success,
            "{mode:?}: {}",
            result.stderr
        );
        assert!(
            took < Duration::from_secs(15),
            "{mode:?}: the run waited for it: {took:?}"
        );
    }
}

#[tokio::test]
async fn a_symlink_to_etc_passwd_in_the_output_is_not_brought_back() {
    let code = "import os\nos.symlink('/etc/passwd', '/workspace/output/passwd.csv')\nopen('/workspace/output/real.csv', 'w').write('a\\n1\\n')\n";
    for mode in modes() {
        let (result, _) = hostile(mode, code, 60).await;
        assert_eq!(
            result.outcome,
            Outcome::Success,
            "{mode:?}: {}",
            result.stderr
        );
        let names: Vec<_> = result.artifacts.iter().map(|a| a.name.as_str()).collect();
        assert_eq!(names, vec!["real.csv"], "{mode:?}");
        assert!(
            result
                .artifacts
                .iter()
                .all(|a| !a.path.ends_with("passwd.csv")),
            "{mode:?}"
        );
        assert!(result.stdout.is_empty(), "{mode:?}");
    }
}

#[tokio::test]
async fn pip_install_inside_the_sandbox_fails_and_is_explained() {
    let code = "import subprocess, sys\nsubprocess.run([sys.executable, '-m', 'pip', 'install', '--quiet', 'tabulate'], check=True, timeout=60)\n";
    for mode in modes() {
        let (result, _) = hostile(mode, code, 90).await;
        assert_eq!(result.outcome, Outcome::Failed, "{mode:?}");
        assert!(
            result.summary.contains("CalledProcessError"),
            "{mode:?}: {}",
            result.summary
        );
    }
}

#[tokio::test]
async fn every_isolation_setting_is_in_force_inside() {
    let code = r#"
import os, resource
status = dict(line.split(":", 1) for line in open("/proc/self/status").read().splitlines() if ":" in line)
print("uid", os.getuid(), "gid", os.getgid(), "groups", os.getgroups())
for cap in ("CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb"):
    print(cap, status[cap].strip())
print("NoNewPrivs", status["NoNewPrivs"].strip())
print("nofile", resource.getrlimit(resource.RLIMIT_NOFILE))
def read(*paths):
    for path in paths:
        try:
            return open("/sys/fs/cgroup/" + path).read().strip()
        except OSError:
            pass
    return "absent"
# cgroup v2 first, then v1 (Docker Engine on older hosts)
v2 = os.path.exists("/sys/fs/cgroup/cpu.max")
if v2:
    print("cpu", read("cpu.max").replace(" ", "/"))
    print("memory", read("memory.max"))
    print("swap", "none" if read("memory.swap.max") == "0" else read("memory.swap.max"))
else:
    print("cpu", read("cpu/cpu.cfs_quota_us") + "/" + read("cpu/cpu.cfs_period_us"))
    print("memory", read("memory/memory.limit_in_bytes"))
    memsw = read("memory/memory.memsw.limit_in_bytes")
    print("swap", "none" if memsw in ("absent", read("memory/memory.limit_in_bytes")) else memsw)
print("pids", read("pids.max", "pids/pids.max"))
for target in ("/usr/evil.txt", "/etc/evil.txt", "/data/evil.txt"):
    try:
        open(target, "w").write("x")
        print("write", target, "allowed")
    except OSError as e:
        print("write", target, "refused", e.strerror)
mounts = {line.split()[1]: line.split()[3] for line in open("/proc/mounts")}
print("root", mounts["/"].split(",")[0])
print("tmp", "tmpfs" if any(l.split()[1] == "/tmp" and l.split()[0] == "tmpfs" for l in open("/proc/mounts")) else "not tmpfs")
print("home", os.environ.get("HOME"))
print("cwd", os.getcwd())
harness = open("/proc/1/status").read()
print("harness uid", [l.split()[1] for l in harness.splitlines() if l.startswith("Uid:")][0])
for path in ("/proc/1/environ", "/proc/1/mem", "/proc/1/fd/0", "/proc/1/maps"):
    try:
        open(path, "rb").read(1)
        print("read", path, "allowed")
    except OSError as e:
        print("read", path, "refused")
try:
    os.kill(1, 0)
    print("signal harness allowed")
except OSError:
    print("signal harness refused")
"#;
    for mode in modes() {
        let (result, _) = hostile(mode, code, 30).await;
        assert_eq!(
            result.outcome,
            Outcome::Success,
            "{mode:?}: {}",
            result.stderr
        );
        let out = &result.stdout;
        let line = |key: &str| -> String {
            out.lines()
                .find(|l| l.starts_with(&format!("{key} ")))
                .unwrap_or_else(|| panic!("{mode:?}: no {key} in {out}"))
                .to_owned()
        };
        assert!(
            !line("uid").starts_with("uid 0 "),
            "{mode:?}: runs as root: {out}"
        );
        assert!(line("uid").ends_with("groups []"), "{mode:?}: {out}");
        for cap in ["CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb"] {
            assert_eq!(line(cap), format!("{cap} 0000000000000000"), "{mode:?}");
        }
        assert_eq!(line("NoNewPrivs"), "NoNewPrivs 1", "{mode:?}");
        assert_eq!(line("nofile"), "nofile (1024, 1024)", "{mode:?}");
        assert_eq!(line("cpu"), "cpu 50000/100000", "{mode:?}");
        assert_eq!(
            line("memory"),
            format!("memory {}", 512 * 1024 * 1024),
            "{mode:?}"
        );
        // memory-swap equal to memory: no swap beyond the limit.
        assert_eq!(line("swap"), "swap none", "{mode:?}");
        assert_eq!(line("pids"), "pids 256", "{mode:?}");
        for target in ["/usr/evil.txt", "/etc/evil.txt", "/data/evil.txt"] {
            assert!(
                line(&format!("write {target}")).contains("refused"),
                "{mode:?}: {out}"
            );
        }
        assert_eq!(line("root"), "root ro", "{mode:?}");
        assert_eq!(line("tmp"), "tmp tmpfs", "{mode:?}");
        assert_eq!(line("home"), "home /tmp", "{mode:?}");
        assert_eq!(line("cwd"), "cwd /workspace", "{mode:?}");
        // The harness is another user, and nothing of it is readable.
        assert_ne!(
            line("harness uid").trim_start_matches("harness uid "),
            line("uid").split_whitespace().nth(1).unwrap(),
            "{mode:?}: {out}"
        );
        for path in [
            "/proc/1/environ",
            "/proc/1/mem",
            "/proc/1/fd/0",
            "/proc/1/maps",
        ] {
            assert_eq!(
                line(&format!("read {path}")),
                format!("read {path} refused"),
                "{mode:?}"
            );
        }
        assert_eq!(line("signal"), "signal harness refused", "{mode:?}");
    }
}
