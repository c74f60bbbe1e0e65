//! Hostile code, against the real sandbox. Every script must end classified and
//! explained, leave nothing behind, and leave the host healthy and its files
//! untouched. (Writing to the dataset and the 1 GiB memory bomb are in
//! tests/sandbox.rs.)

mod common;

use common::{ScriptRun, leftovers_of_run, sandbox};
use sandpiper::events::Outcome;
use sandpiper::sandbox::RunResult;
use std::time::{Duration, Instant};

/// Runs hostile `code` with a short time limit and checks what every hostile
/// run must leave: an explained outcome and no container or volume.
async fn hostile(code: &str, timeout_secs: u64) -> (RunResult, Duration) {
    let out = tempfile::tempdir().unwrap();
    let mut run = ScriptRun::new(code, out.path());
    run.settings.timeout_secs = timeout_secs;
    let request = run.request();
    let run_id = request.run_id.clone();
    let started = Instant::now();
    let result = sandbox(run.settings.clone())
        .await
        .run(request, &sandpiper::events::Discard)
        .await;
    let took = started.elapsed();
    assert_ne!(result.outcome, Outcome::DockerFailure, "{}", result.summary);
    assert!(!result.summary.is_empty());
    let left = leftovers_of_run(&run_id).await;
    assert!(left.is_empty(), "left behind: {left:?}");
    (result, took)
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
    let (result, took) = hostile(code, 10).await;
    host_is_healthy();
    assert_eq!(result.outcome, Outcome::TimedOut, "{}", result.summary);
    assert!(
        result
            .stdout
            .contains("fork refused: Resource temporarily unavailable"),
        "{}",
        result.stdout
    );
    assert!(took < Duration::from_secs(30), "{took:?}");
}

#[tokio::test]
async fn a_memory_bomb_of_many_small_objects_is_stopped_and_said_so() {
    let code = "hoard = []\nwhile True:\n    hoard.append(bytearray(1024 * 1024))\n    hoard[-1][::4096] = b'x' * 256\n";
    let (result, _) = hostile(code, 60).await;
    assert_eq!(result.outcome, Outcome::OutOfMemory, "{}", result.summary);
    assert!(result.summary.contains("512 MiB limit"));
}

#[tokio::test]
async fn an_infinite_loop_is_stopped_at_the_time_limit() {
    let (result, took) = hostile("while True:\n    pass\n", 3).await;
    assert_eq!(result.outcome, Outcome::TimedOut);
    assert!(took < Duration::from_secs(15), "{took:?}");
}

#[tokio::test]
async fn a_sleep_loop_that_ignores_sigterm_is_still_stopped_at_once() {
    let code = "import signal, time\nsignal.signal(signal.SIGTERM, signal.SIG_IGN)\nprint('ignoring TERM', flush=True)\nwhile True:\n    time.sleep(1)\n";
    let (result, took) = hostile(code, 3).await;
    assert_eq!(result.outcome, Outcome::TimedOut);
    assert!(result.stdout.contains("ignoring TERM"));
    // Killed, not politely asked: no 10 s grace period on top of the limit.
    assert!(took < Duration::from_secs(8), "{took:?}");
}

#[tokio::test]
async fn filling_the_output_folder_stops_at_its_cap() {
    let code = "chunk = b'x' * (1024 * 1024)\nwith open('/workspace/output/filler.csv', 'wb') as f:\n    while True:\n        f.write(chunk)\n";
    let (result, took) = hostile(code, 60).await;
    assert_eq!(result.outcome, Outcome::Failed, "{}", result.summary);
    assert!(
        result.summary.contains("No space left on device"),
        "{}",
        result.summary
    );
    assert!(took < Duration::from_secs(40));
}

#[tokio::test]
async fn filling_tmp_stops_at_its_cap() {
    let code = "chunk = b'x' * (1024 * 1024)\nwritten = 0\ntry:\n    with open('/tmp/filler', 'wb') as f:\n        while True:\n            f.write(chunk)\n            f.flush()\n            written += 1\nexcept OSError as e:\n    print('stopped after', written, 'MiB:', e.strerror)\n";
    let (result, _) = hostile(code, 60).await;
    assert_eq!(result.outcome, Outcome::Success, "{}", result.stderr);
    let mib: u64 = result
        .stdout
        .split_whitespace()
        .nth(2)
        .and_then(|n| n.parse().ok())
        .unwrap();
    assert!(mib <= 64, "{}", result.stdout);
    assert!(result.stdout.contains("No space left on device"));
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
    let (result, _) = hostile(&code, 60).await;
    std::fs::remove_file(&host_file).unwrap();
    assert_eq!(result.outcome, Outcome::Success, "{}", result.stderr);
    assert!(result.stdout.contains("found: []"), "{}", result.stdout);
    let host_name = sandpiper::docker::labels::host_name();
    assert!(
        !result.stdout.contains(&format!("hostname: {host_name}\n")),
        "the container has its own host name"
    );
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
    let (result, _) = hostile(code, 30).await;
    assert!(
        result.stdout.contains("https: blocked"),
        "{}",
        result.stdout
    );
}

#[tokio::test]
async fn fifty_megabytes_of_stdout_are_capped_and_flagged() {
    let code = "import sys\nline = 'y' * 1023 + '\\n'\nfor _ in range(50 * 1024):\n    sys.stdout.write(line)\nprint('the end')\n";
    let (result, took) = hostile(code, 60).await;
    assert_eq!(result.outcome, Outcome::Success, "{}", result.stderr);
    assert!(result.output_truncated);
    assert!(
        result.summary.contains("[output truncated"),
        "{}",
        result.summary
    );
    assert!(result.stdout.len() <= 1024 * 1024);
    assert!(!result.stdout.contains("the end"));
    assert!(took < Duration::from_secs(40), "{took:?}");
}

#[tokio::test]
async fn binary_garbage_on_stdout_is_shown_safely() {
    let code = "import os, sys\nsys.stdout.buffer.write(os.urandom(256 * 1024))\nsys.stdout.buffer.write(b'\\xff\\xfe\\x00garbage\\n')\nprint('still here')\n";
    let (result, _) = hostile(code, 30).await;
    assert_eq!(result.outcome, Outcome::Success, "{}", result.stderr);
    assert!(result.stdout.contains("\u{fffd}"));
    assert!(
        result.stdout.ends_with("still here\n"),
        "the run kept going"
    );
}

#[tokio::test]
async fn a_background_process_does_not_outlive_the_run() {
    let code =
        "import subprocess\nsubprocess.Popen(['sleep', '600'])\nprint('spawned a sleeper')\n";
    let (result, took) = hostile(code, 60).await;
    assert_eq!(result.outcome, Outcome::Success, "{}", result.stderr);
    assert!(
        took < Duration::from_secs(15),
        "the run waited for it: {took:?}"
    );
}

#[tokio::test]
async fn a_symlink_to_etc_passwd_in_the_output_is_not_brought_back() {
    let out = tempfile::tempdir().unwrap();
    let code = "import os\nos.symlink('/etc/passwd', '/workspace/output/passwd.csv')\nopen('/workspace/output/real.csv', 'w').write('a\\n1\\n')\n";
    let (result, _) = {
        let run = ScriptRun::new(code, out.path());
        run.run().await
    };
    assert_eq!(result.outcome, Outcome::Success, "{}", result.stderr);
    let names: Vec<_> = result.artifacts.iter().map(|a| a.name.as_str()).collect();
    assert_eq!(names, vec!["real.csv"]);
    assert!(!out.path().join("passwd.csv").exists());
    assert!(result.stdout.is_empty());
}

#[tokio::test]
async fn pip_install_inside_the_sandbox_fails_and_is_explained() {
    let code = "import subprocess, sys\nsubprocess.run([sys.executable, '-m', 'pip', 'install', '--quiet', 'tabulate'], check=True, timeout=60)\n";
    let (result, _) = hostile(code, 90).await;
    assert_eq!(result.outcome, Outcome::Failed);
    assert!(
        result.summary.contains("CalledProcessError"),
        "{}",
        result.summary
    );
}

#[tokio::test]
async fn every_isolation_setting_is_in_force_inside() {
    let code = r#"
import os, resource
status = dict(line.split(":", 1) for line in open("/proc/self/status").read().splitlines() if ":" in line)
print("uid", os.getuid(), "gid", os.getgid())
print("CapEff", status["CapEff"].strip())
print("CapBnd", status["CapBnd"].strip())
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
"#;
    let (result, _) = hostile(code, 30).await;
    assert_eq!(result.outcome, Outcome::Success, "{}", result.stderr);
    let out = &result.stdout;
    let line = |key: &str| -> String {
        out.lines()
            .find(|l| l.starts_with(&format!("{key} ")))
            .unwrap_or_else(|| panic!("no {key} in {out}"))
            .to_owned()
    };
    assert!(!line("uid").starts_with("uid 0 "), "runs as root: {out}");
    assert_eq!(line("CapEff"), "CapEff 0000000000000000");
    assert_eq!(line("CapBnd"), "CapBnd 0000000000000000");
    assert_eq!(line("NoNewPrivs"), "NoNewPrivs 1");
    assert_eq!(line("nofile"), "nofile (1024, 1024)");
    assert_eq!(line("cpu"), "cpu 50000/100000");
    assert_eq!(line("memory"), format!("memory {}", 512 * 1024 * 1024));
    // memory-swap equal to memory: no swap beyond the limit.
    assert_eq!(line("swap"), "swap none");
    assert_eq!(line("pids"), "pids 256");
    for target in ["/usr/evil.txt", "/etc/evil.txt", "/data/evil.txt"] {
        assert!(
            line(&format!("write {target}")).contains("refused"),
            "{out}"
        );
    }
    assert_eq!(line("root"), "root ro");
    assert_eq!(line("tmp"), "tmp tmpfs");
    assert_eq!(line("home"), "home /tmp");
}
