//! A session's long-lived container (seed 002), against real Docker: reused
//! across runs and engine restarts, kept after a failure, found again or
//! recreated, listed, stopped and removed.

mod common;

use common::session::TestSession;
use common::{Recorder, docker, force_remove, test_image};
use sandpiper::docker::labels;
use sandpiper::events::{Event, Outcome};
use sandpiper::{Engine, Settings};

/// A run in the session: its result, the container id, and whether it was new.
async fn run(session: &TestSession, code: &str) -> (sandpiper::sandbox::RunResult, String, bool) {
    let (result, container) = session.run(code, &Recorder::default()).await;
    (result, container.id, container.created)
}

const REMEMBER: &str = "import os\n\
    print('seen before:', os.path.exists('/workspace/note.txt'))\n\
    open('/workspace/note.txt', 'w').write('kept')\n";

#[tokio::test]
async fn a_follow_up_run_reuses_the_container_and_its_state_even_after_a_restart() {
    let session = TestSession::new("reuse");
    let (first, first_id, created) = run(&session, REMEMBER).await;
    assert_eq!(first.outcome, Outcome::Success, "{}", first.stderr);
    assert!(created);
    assert_eq!(first.stdout, "seen before: False\n");

    // A new engine over the same state folder is an app restart.
    let (second, second_id, created) = run(&session, REMEMBER).await;
    assert_eq!(second.stdout, "seen before: True\n");
    assert!(!created, "the follow-up did not pay for a new container");
    assert_eq!(first_id, second_id);

    // So is another process, whose attach to the harness ends with it (on
    // Podman the harness's stdin closes then): the work folder outlives it,
    // and this process's runs go on in the same container.
    let script = session.state.path().join("remember.py");
    std::fs::write(
        &script,
        "import os\n\
         print('other process sees:', os.path.exists('/workspace/note.txt'))\n\
         open('/workspace/other.txt', 'w').write('kept')\n",
    )
    .unwrap();
    for _ in 0..2 {
        let cli = session.cli(&[
            "run",
            "--image",
            &session.image,
            "--session",
            session.name.as_str(),
            script.to_str().unwrap(),
        ]);
        let stdout = String::from_utf8_lossy(&cli.stdout);
        let stderr = String::from_utf8_lossy(&cli.stderr);
        assert_eq!(stdout, "other process sees: True\n", "{stderr}");
        assert!(stderr.contains("(reused)"), "{stderr}");
    }
    let (third, third_id, _) = run(
        &session,
        "import os\nprint(sorted(os.listdir('/workspace')))",
    )
    .await;
    assert_eq!(
        third.stdout, "['note.txt', 'other.txt', 'output']\n",
        "{}",
        third.stderr
    );
    assert_eq!(third_id, first_id);
}

/// One session identity: the run's events name the session it ran in, and its
/// container and metadata are named by the same id.
#[tokio::test]
async fn a_session_run_is_named_by_its_session_id_everywhere() {
    let session = TestSession::new("identity");
    let recorder = Recorder::default();
    let (result, container) = session.run("print(1)", &recorder).await;
    assert_eq!(result.outcome, Outcome::Success, "{}", result.stderr);
    let started = recorder
        .events()
        .into_iter()
        .find_map(|e| match e {
            Event::RunStarted { session_id, .. } => Some(session_id),
            _ => None,
        })
        .expect("a run_started event");
    assert_eq!(started.as_ref(), Some(&session.name));
    assert_eq!(
        container.meta.container_name,
        format!("sandpiper-session-{}", session.name)
    );
    assert!(
        session
            .state
            .path()
            .join("sessions")
            .join(session.name.as_str())
            .join("container.json")
            .is_file()
    );
}

#[tokio::test]
async fn a_failed_run_keeps_the_container_so_the_fix_runs_in_the_same_state() {
    let session = TestSession::new("failed");
    let (_, id, _) = run(&session, REMEMBER).await;
    let (failed, failed_id, _) = run(&session, "raise ValueError('not yet')").await;
    assert_eq!(failed.outcome, Outcome::Failed);
    assert_eq!(failed.error.unwrap().message, "not yet");
    assert_eq!(failed_id, id);
    let running = docker().await.inspect_container(&id, None).await.unwrap();
    assert_eq!(running.state.unwrap().running, Some(true));
    let (fixed, _, _) = run(&session, REMEMBER).await;
    assert_eq!(fixed.stdout, "seen before: True\n");
}

#[tokio::test]
async fn a_container_removed_behind_our_back_is_recreated() {
    let session = TestSession::new("removed");
    let (_, id, _) = run(&session, "print(1)").await;
    force_remove(&id).await;

    let (again, new_id, created) = run(&session, "print(2)").await;
    assert_eq!(again.stdout, "2\n");
    assert!(created);
    assert_ne!(new_id, id);
    let meta = session
        .containers()
        .await
        .list()
        .await
        .unwrap()
        .into_iter()
        .find(|c| c.session.as_ref() == Some(&session.name))
        .unwrap();
    assert_eq!(meta.id, new_id);
}

#[tokio::test]
async fn a_stopped_container_is_listed_as_stopped_and_started_again_by_the_next_run() {
    let session = TestSession::new("stopped");
    let (_, id, _) = run(&session, REMEMBER).await;
    let containers = session.containers().await;
    containers.stop(&id).await.unwrap();
    let listed = containers
        .list()
        .await
        .unwrap()
        .into_iter()
        .find(|c| c.id == id)
        .unwrap();
    assert!(!listed.running);
    assert_eq!(listed.kind, "session");
    assert_eq!(listed.session.as_ref(), Some(&session.name));
    assert_eq!(listed.image, test_image());
    assert!(listed.installed_packages.contains(&"pip".to_owned()));

    let (again, again_id, created) = run(&session, "print('back')").await;
    assert_eq!(again.outcome, Outcome::Success, "{}", again.stderr);
    assert_eq!(again_id, id);
    assert!(!created);
}

#[tokio::test]
async fn removing_a_session_container_removes_its_volumes_and_details() {
    let session = TestSession::new("rm");
    let (_, id, _) = run(&session, "print(1)").await;
    let meta = session
        .state
        .path()
        .join(format!("sessions/{}/container.json", session.name));
    let saved: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&meta).unwrap()).unwrap();
    assert_eq!(saved["container_id"], id.as_str());
    assert_eq!(
        saved["container_name"],
        format!("sandpiper-session-{}", session.name).as_str()
    );
    assert!(
        saved["installed_packages"]
            .as_array()
            .unwrap()
            .contains(&serde_json::json!("pip"))
    );

    session.containers().await.remove(&id).await.unwrap();

    assert!(docker().await.inspect_container(&id, None).await.is_err());
    let volume = format!("sandpiper-session-{}-work", session.name);
    assert!(docker().await.inspect_volume(&volume).await.is_err());
    assert!(!meta.exists());
}

#[tokio::test]
async fn the_reaper_leaves_kept_session_containers_alone() {
    let session = TestSession::new("reaper");
    let (_, id, _) = run(&session, "print(1)").await;
    let labels = docker()
        .await
        .inspect_container(&id, None)
        .await
        .unwrap()
        .config
        .unwrap()
        .labels
        .unwrap();
    assert_eq!(labels[labels::KIND], "session");
    session.engine().reap_orphans().await.unwrap();
    assert!(docker().await.inspect_container(&id, None).await.is_ok());
}

#[tokio::test]
async fn a_time_out_in_a_session_stops_its_container_and_the_next_run_starts_it() {
    let session = TestSession::new("timeout");
    let mut settings = Settings::default();
    settings.sandbox.image = test_image();
    settings.sandbox.timeout_secs = 2;
    let engine = Engine::with_state_dir(settings, session.state.path().to_owned());
    let out = session.state.path().join("out");
    let (result, container) = engine
        .run_code_in_session(
            &session.name,
            "t",
            "while True:\n    pass\n",
            &[],
            &out,
            &Recorder::default(),
        )
        .await
        .unwrap();
    assert_eq!(result.outcome, Outcome::TimedOut);
    let (after, id, _) = run(&session, "print('alive')").await;
    assert_eq!(after.stdout, "alive\n");
    assert_eq!(id, container.id);
}

#[tokio::test]
async fn the_session_sees_its_dataset_read_only_and_sends_back_its_outputs() {
    let session = TestSession::new("data");
    let csv = session.state.path().join("scores.csv");
    std::fs::write(&csv, "name,score\nann,3\nbob,5\n").unwrap();
    let code = "rows = open(main_file).read().splitlines()[1:]\n\
                total = sum(int(r.split(',')[1]) for r in rows)\n\
                open('/workspace/output/total.csv', 'w').write('total\\n%d\\n' % total)\n\
                try:\n    open(main_file, 'a').write('x')\nexcept OSError:\n    print('read-only')\n";
    let out = session.state.path().join("out");
    let (result, _) = session
        .engine()
        .run_code_in_session(&session.name, "t", code, &[csv], &out, &Recorder::default())
        .await
        .unwrap();
    assert_eq!(result.outcome, Outcome::Success, "{}", result.stderr);
    assert_eq!(result.stdout, "read-only\n");
    assert_eq!(result.artifacts.len(), 1);
    assert_eq!(
        std::fs::read_to_string(&result.artifacts[0].path).unwrap(),
        "total\n8\n"
    );

    // The next run's output folder starts empty: nothing comes back twice.
    let (again, _, _) = run(&session, "print('no files')").await;
    assert!(again.artifacts.is_empty());
}

#[test]
fn the_cli_runs_in_a_session_and_manages_its_containers() {
    let session = TestSession::new("cli");
    let script = session.state.path().join("hello.py");
    std::fs::write(&script, "print('hello')\n").unwrap();
    let sandpiper = |args: &[&str]| session.cli(args);
    let out_dir = session.state.path().join("out");
    let run = |extra: &[&str]| {
        let mut args = vec!["run", "--image"];
        let image = test_image();
        args.push(&image);
        args.extend([
            "--session",
            session.name.as_str(),
            "--out",
            out_dir.to_str().unwrap(),
        ]);
        args.extend(extra);
        args.push(script.to_str().unwrap());
        sandpiper(&args)
    };
    let first = run(&[]);
    assert!(
        first.status.success(),
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );
    assert!(String::from_utf8_lossy(&first.stderr).contains("(new)"));
    let second = run(&[]);
    assert!(String::from_utf8_lossy(&second.stderr).contains("(reused)"));
    assert_eq!(String::from_utf8_lossy(&second.stdout), "hello\n");

    let name = format!("sandpiper-session-{}", session.name);
    let list = sandpiper(&["containers", "list"]);
    let listed = String::from_utf8_lossy(&list.stdout);
    let row = listed
        .lines()
        .find(|l| l.contains(&name))
        .unwrap_or_else(|| panic!("{listed}"));
    assert!(row.contains("session") && row.contains("running"), "{row}");

    assert!(sandpiper(&["containers", "stop", &name]).status.success());
    let listed = String::from_utf8_lossy(&sandpiper(&["containers", "list"]).stdout).to_string();
    assert!(
        listed
            .lines()
            .any(|l| l.contains(&name) && l.contains("stopped")),
        "{listed}"
    );
    assert!(sandpiper(&["containers", "rm", &name]).status.success());
    let listed = String::from_utf8_lossy(&sandpiper(&["containers", "list"]).stdout).to_string();
    assert!(!listed.contains(&name), "{listed}");

    let missing = sandpiper(&["containers", "rm", "no-such-container"]);
    assert!(!missing.status.success());
    assert!(String::from_utf8_lossy(&missing.stderr).contains("There is no Sandpiper container"));
}

#[tokio::test]
async fn closing_a_session_keeps_its_container_by_default_and_clears_its_work_folder() {
    let session = TestSession::new("close");
    let (_, id, _) = run(&session, REMEMBER).await;
    let containers = session.containers().await;

    containers.close_session(&session.name, true).await.unwrap();
    let kept = docker().await.inspect_container(&id, None).await.unwrap();
    assert_eq!(kept.state.unwrap().running, Some(false), "kept, stopped");
    let (again, again_id, created) = run(&session, REMEMBER).await;
    assert_eq!(again_id, id);
    assert!(!created);
    assert_eq!(
        again.stdout, "seen before: False\n",
        "the work folder was cleared"
    );

    containers
        .close_session(&session.name, false)
        .await
        .unwrap();
    assert!(docker().await.inspect_container(&id, None).await.is_err());
}

#[test]
fn the_cli_close_keeps_when_nobody_can_answer() {
    let session = TestSession::new("cli-close");
    let script = session.state.path().join("hello.py");
    std::fs::write(&script, "print('hello')\n").unwrap();
    let sandpiper = |args: &[&str]| session.cli(args);
    let image = test_image();
    let out = session.state.path().join("out");
    let ran = sandpiper(&[
        "run",
        "--image",
        &image,
        "--session",
        session.name.as_str(),
        "--out",
        out.to_str().unwrap(),
        script.to_str().unwrap(),
    ]);
    assert!(
        ran.status.success(),
        "{}",
        String::from_utf8_lossy(&ran.stderr)
    );
    let closed = sandpiper(&["containers", "close", session.name.as_str()]);
    assert!(String::from_utf8_lossy(&closed.stdout).contains("Kept the container"));
    let removed = sandpiper(&["containers", "close", "--remove", session.name.as_str()]);
    assert!(String::from_utf8_lossy(&removed.stdout).contains("Removed the container"));
}

/// Runs in a session share files, never Python state: each starts as clean as
/// the first, so a fix can't depend on a variable a failed try happened to set.
#[tokio::test]
async fn each_run_starts_with_fresh_python_state_and_only_its_own_output() {
    let session = TestSession::new("fresh-state");
    let (first, _, _) = run(
        &session,
        "import sys, subprocess\n\
         leftover = 'from the first run'\n\
         sys.modules['json'].sandpiper_mark = True\n\
         # A background process that would print during the next run.\n\
         subprocess.Popen(['python3', '-c', 'import time; time.sleep(1.5); print(\"STRAY\", flush=True)'])\n\
         print('first done')\n",
    )
    .await;
    assert_eq!(first.outcome, Outcome::Success, "{}", first.stderr);
    assert_eq!(first.stdout, "first done\n");

    let (second, _, created) = run(
        &session,
        "import time, json\n\
         time.sleep(2.5)\n\
         print('leftover' in globals(), hasattr(json, 'sandpiper_mark'))\n",
    )
    .await;
    assert!(!created);
    assert_eq!(second.outcome, Outcome::Success, "{}", second.stderr);
    assert_eq!(
        second.stdout, "False False\n",
        "the second run saw the first one's state or its stray output"
    );
}

/// The harness stays resident between runs; the code can neither stop it nor
/// read what the engine sends it.
#[tokio::test]
async fn the_code_cannot_end_the_harness_or_read_its_requests() {
    let session = TestSession::new("resident");
    let (first, id, _) = run(
        &session,
        "import os, signal, sys\n\
         for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGKILL):\n\
         \x20   try:\n\
         \x20       os.kill(1, sig)\n\
         \x20   except OSError as e:\n\
         \x20       print('refused', e)\n\
         print('stdin says', repr(sys.stdin.read()))\n",
    )
    .await;
    assert_eq!(first.outcome, Outcome::Success, "{}", first.stderr);
    assert!(
        first.stdout.ends_with("stdin says ''\n"),
        "{}",
        first.stdout
    );
    let (second, second_id, created) = run(&session, "print('still here')").await;
    assert_eq!(second.stdout, "still here\n");
    assert!(!created);
    assert_eq!(second_id, id);
}

/// The harness walks a run's outputs and work folder acting as the code's
/// user (no fork of its own large process). The run after it must find the
/// harness fully root again: every user and group id as before the walk (0),
/// not dumpable (its /proc files unreadable), and out of the code's reach
/// for signals.
#[tokio::test]
async fn after_walking_a_runs_outputs_the_harness_is_root_again_and_out_of_reach() {
    const LOOK_AT_THE_HARNESS: &str = "import os\n\
        status = open('/proc/1/status').read().splitlines()\n\
        for key in ('Uid:', 'Gid:', 'Groups:'):\n\
        \x20   print(key, [' '.join(l.split()[1:]) for l in status if l.startswith(key)][0])\n\
        for path in ('/proc/1/environ', '/proc/1/mem'):\n\
        \x20   try:\n\
        \x20       open(path, 'rb').read(1)\n\
        \x20       print(path, 'readable')\n\
        \x20   except OSError:\n\
        \x20       print(path, 'refused')\n\
        try:\n\
        \x20   os.kill(1, 0)\n\
        \x20   print('signal allowed')\n\
        except OSError:\n\
        \x20   print('signal refused')\n";
    let session = TestSession::new("settled");
    let leaves_outputs = format!(
        "{LOOK_AT_THE_HARNESS}\
         os.makedirs('/workspace/output/charts', exist_ok=True)\n\
         open('/workspace/output/charts/a.txt', 'w').write('chart')\n\
         open('/workspace/kept.csv', 'w').write('a,b')\n"
    );
    // Before any walk: how the harness started.
    let (first, id, _) = run(&session, &leaves_outputs).await;
    assert_eq!(first.outcome, Outcome::Success, "{}", first.stderr);
    assert_eq!(first.artifacts.len(), 1, "{:?}", first.artifacts);
    let (second, second_id, _) = run(&session, LOOK_AT_THE_HARNESS).await;
    assert_eq!(second_id, id, "the same container");
    assert_eq!(second.outcome, Outcome::Success, "{}", second.stderr);
    assert_eq!(
        second.stdout, first.stdout,
        "the harness changed after the walk"
    );
    let seen: Vec<&str> = second.stdout.lines().collect();
    assert_eq!(seen[0], "Uid: 0 0 0 0");
    assert_eq!(seen[1], "Gid: 0 0 0 0");
    assert_eq!(
        seen[3..],
        [
            "/proc/1/environ refused",
            "/proc/1/mem refused",
            "signal refused"
        ]
    );
}

/// A memory bomb or a fork bomb ends its own run, classified, and leaves the
/// session's container and work folder for the next question.
#[tokio::test]
async fn a_bomb_in_a_session_ends_its_run_and_the_session_goes_on() {
    let session = TestSession::new("bombs");
    let (_, id, _) = run(&session, REMEMBER).await;

    let (memory, memory_id, _) = run(
        &session,
        "x = bytearray(1 << 30)\nx[::4096] = b'1' * len(x[::4096])",
    )
    .await;
    assert_eq!(memory.outcome, Outcome::OutOfMemory, "{}", memory.stderr);
    assert_eq!(memory_id, id);

    // Every pid the container may have, held by children that would sleep
    // for a minute: the next run can only start if they were ended.
    let (forks, _, _) = run(
        &session,
        "import os, time\n\
         end, refused = time.time() + 3, 0\n\
         while time.time() < end:\n\
         \x20   try:\n\
         \x20       if os.fork() == 0:\n\
         \x20           time.sleep(60)\n\
         \x20           os._exit(0)\n\
         \x20   except OSError:\n\
         \x20       refused += 1\n\
         print('forks refused:', refused > 0)\n",
    )
    .await;
    assert_eq!(forks.outcome, Outcome::Success, "{}", forks.stderr);
    assert_eq!(forks.stdout, "forks refused: True\n");

    let (after, after_id, _) = run(&session, REMEMBER).await;
    assert_eq!(after.stdout, "seen before: True\n", "{}", after.stderr);
    assert_eq!(after_id, id, "the same container, its work folder intact");
}

/// A module a run leaves in the work folder is data: a later run that imports
/// the standard module of the same name gets the standard one, and nothing
/// of the planted file runs.
#[tokio::test]
async fn a_module_a_run_leaves_in_the_work_folder_never_runs_in_a_later_run() {
    let session = TestSession::new("planted");
    let (planted, _, _) = run(
        &session,
        "open('/workspace/colorsys.py', 'w').write(\n\
         \x20   \"import os\\nopen('/tmp/planted.log', 'a').write('colorsys.py ran as %d\\\\n' % os.getuid())\\nprint('PLANTED')\\n\"\n\
         )\n\
         print('planted')\n",
    )
    .await;
    assert_eq!(planted.outcome, Outcome::Success, "{}", planted.stderr);

    let (later, _, _) = run(
        &session,
        "import colorsys, os\n\
         print(colorsys.rgb_to_hsv(1, 0, 0))\n\
         print(os.path.exists('/tmp/planted.log'), os.path.exists('/workspace/colorsys.py'))\n",
    )
    .await;
    assert_eq!(later.outcome, Outcome::Success, "{}", later.stderr);
    assert_eq!(
        later.stdout, "(0.0, 1.0, 1)\nFalse True\n",
        "the planted module ran, or the file a follow-up may read is gone"
    );
}

/// Run 1 ends itself early with a forged "done" (the token found in the
/// resident harness's variables) and then waits on the harness's stdin for
/// the next request, to answer it in the harness's place. It must get
/// neither: it times out, it cannot open the harness's stdin, and the next
/// run is answered by the harness.
#[tokio::test]
async fn the_next_runs_request_cannot_be_read_by_the_previous_runs_code() {
    let session = TestSession::new("thief").with_timeout(4);
    run(&session, "print('ready')").await;
    let thief = r#"
import json, os, sys, time
frame, token = sys._getframe(), None
while frame is not None:
    if isinstance(frame.f_locals.get("token"), str):
        token = frame.f_locals["token"]
    frame = frame.f_back
if token:
    for stream in (sys.stdout, sys.stderr):
        stream.write("\n\x1eSANDPIPER-DONE %s 0 0\n" % token)
        stream.flush()
try:
    stdin = os.open("/proc/1/fd/0", os.O_RDONLY)
except OSError as e:
    print("the harness's stdin: %s" % e.strerror, flush=True)
    while True:
        time.sleep(0.05)
header = b""
while not header.endswith(b"\n"):
    header += os.read(stdin, 1)
body = b""
while len(body) < int(header):
    body += os.read(stdin, int(header) - len(body))
stolen = json.loads(body)["token"]
for stream in (sys.stdout, sys.stderr):
    stream.write("\n\x1eSANDPIPER-START %s\nHIJACKED\n\n\x1eSANDPIPER-DONE %s 0 0\n" % (stolen, stolen))
    stream.flush()
"#;
    let (first, _, _) = run(&session, thief).await;
    assert_eq!(first.outcome, Outcome::TimedOut, "{}", first.summary);
    assert!(
        first
            .stdout
            .ends_with("the harness's stdin: Permission denied\n"),
        "{}",
        first.stdout
    );

    let (second, _, _) = run(&session, "print('genuine')\n").await;
    assert_eq!(
        (second.outcome, second.stdout.as_str()),
        (Outcome::Success, "genuine\n"),
        "{}",
        second.stderr
    );
}

/// Run 1 leaves a chain of detached processes (each in a session of its own,
/// each the parent of the next) ending in a fork loop that moves to a new
/// process all the time. When run 2 starts, no process but the harness and
/// run 2's own may be left.
#[tokio::test]
async fn a_chain_of_detached_processes_and_a_fork_loop_do_not_survive_a_run() {
    let session = TestSession::new("chain");
    let (first, _, _) = run(
        &session,
        r#"
import os, time
def chain(links):
    for _ in range(links):
        if os.fork():
            while True:
                time.sleep(60)
        os.setsid()
    while True:
        if os.fork():
            os._exit(0)
if os.fork() == 0:
    os.setsid()
    chain(30)
time.sleep(0.5)
print("spawned")
"#,
    )
    .await;
    assert_eq!(first.outcome, Outcome::Success, "{}", first.stderr);
    let (second, _, _) = run(
        &session,
        "import os\n\
         me = os.getpid()\n\
         print('others:', sorted(int(p) for p in os.listdir('/proc') if p.isdigit() and int(p) not in (1, me)))\n",
    )
    .await;
    assert_eq!(second.stdout, "others: []\n", "{}", second.stderr);
}

/// Whether each of `pids` is still a live process in the container.
async fn alive_in(container: &str, pids: &[u32]) -> Option<Vec<bool>> {
    use bollard::exec::{StartExecOptions, StartExecResults};
    use futures_util::StreamExt;
    let script = format!(
        "import os\nfor pid in {pids:?}:\n    try:\n        state = open('/proc/%d/stat' % pid).read().rsplit(')', 1)[1].split()[0]\n    except OSError:\n        state = 'gone'\n    print(state not in ('gone', 'Z'))\n"
    );
    let docker = docker().await;
    let exec = docker
        .create_exec(
            container,
            bollard::models::ExecConfig {
                attach_stdout: Some(true),
                cmd: Some(vec!["python3".into(), "-I".into(), "-c".into(), script]),
                user: Some("0:0".into()),
                working_dir: Some("/".into()),
                ..Default::default()
            },
        )
        .await
        .ok()?;
    let StartExecResults::Attached { mut output, .. } = docker
        .start_exec(&exec.id, None::<StartExecOptions>)
        .await
        .ok()?
    else {
        return None;
    };
    let mut text = String::new();
    while let Some(Ok(chunk)) = output.next().await {
        text.push_str(&chunk.to_string());
    }
    let answers: Vec<bool> = text.lines().map(|l| l == "True").collect();
    (answers.len() == pids.len()).then_some(answers)
}

/// The engine (a `sandpiper run --session`) is killed while the code runs: the
/// code, and what it left running in the background, still stop at the time
/// limit, because the harness enforces it too.
#[tokio::test]
async fn killing_the_engine_mid_run_leaves_code_that_still_stops_at_its_limit() {
    use std::io::BufRead;
    let session = TestSession::new("engine-killed");
    let (_, container, _) = run(&session, "print('ready')").await;
    let script = session.state.path().join("endless.py");
    std::fs::write(
        &script,
        "import os, subprocess, time\n\
         sleeper = subprocess.Popen(['sleep', '3600'], start_new_session=True)\n\
         print('running', os.getpid(), sleeper.pid, flush=True)\n\
         while True:\n    time.sleep(0.1)\n",
    )
    .unwrap();
    let out = session.state.path().join("out");
    let mut cli = std::process::Command::new(env!("CARGO_BIN_EXE_sandpiper"))
        .args(["run", "--image", &session.image, "--timeout", "3"])
        .args(["--session", session.name.as_str(), "--out"])
        .arg(&out)
        .arg(&script)
        .env("SANDPIPER_STATE_DIR", session.state.path())
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let stdout = cli.stdout.take().unwrap();
    let first_line =
        tokio::task::spawn_blocking(move || std::io::BufReader::new(stdout).lines().next());
    let line = tokio::time::timeout(std::time::Duration::from_secs(60), first_line)
        .await
        .expect("the code never said it was running")
        .unwrap()
        .unwrap()
        .unwrap();
    let pids: Vec<u32> = line
        .split_whitespace()
        .skip(1)
        .map(|p| p.parse().unwrap())
        .collect();
    // Killed as a crash would: no chance to stop anything.
    cli.kill().unwrap();
    cli.wait().unwrap();
    let killed_at = std::time::Instant::now();
    assert_eq!(alive_in(&container, &pids).await, Some(vec![true, true]));

    loop {
        let alive = alive_in(&container, &pids).await;
        if alive == Some(vec![false, false]) {
            break;
        }
        assert!(
            killed_at.elapsed() < std::time::Duration::from_secs(30),
            "{:?} after the engine was killed, for a 3 s limit, still alive: {alive:?}",
            killed_at.elapsed()
        );
        tokio::time::sleep(std::time::Duration::from_millis(250)).await;
    }
    let (after, after_id, _) = run(&session, "print('after')").await;
    assert_eq!(after.stdout, "after\n", "{}", after.stderr);
    assert_eq!(after_id, container);
}

/// The code prints the line the old harness used for its error report,
/// naming a module: that is text, not an exception, and installs nothing. A
/// module really missing is still reported, by the harness.
#[tokio::test]
async fn a_missing_module_the_code_only_prints_installs_nothing() {
    let mut session = TestSession::new("fake-missing");
    // Nothing reaches PyPI: an install that starts fails at once.
    session.packages.proxy = Some("http://127.0.0.1:9".into());
    let recorder = Recorder::default();
    let (printed, _) = session
        .run(
            "import sys\n\
             print('SANDPIPER-ERROR {\"type\": \"ModuleNotFoundError\", \"message\": \"No module named \\'tabulate\\'\", \"line\": 1, \"context\": null}', file=sys.stderr)\n\
             sys.exit(1)\n",
            &recorder,
        )
        .await;
    assert_eq!(printed.outcome, Outcome::Failed);
    assert!(printed.error.is_none(), "{:?}", printed.error);
    let installs = |recorder: &Recorder| {
        recorder
            .events()
            .into_iter()
            .filter(|e| matches!(e, sandpiper::events::Event::PackagesInstalling { .. }))
            .count()
    };
    assert_eq!(installs(&recorder), 0, "an install started");

    let (missing, _) = session
        .run(
            "import sandpiper_test_absent_module\n",
            &Recorder::default(),
        )
        .await;
    let error = missing.error.expect("the harness reports the exception");
    assert_eq!(error.type_name, "ModuleNotFoundError");
    assert_eq!(
        error.message,
        "No module named 'sandpiper_test_absent_module'"
    );
}

/// An idle session gives its memory back: its container stops after the idle
/// time Settings give, and the next run starts it again with its work folder.
#[tokio::test]
async fn an_idle_session_container_stops_and_the_next_run_starts_it_again() {
    let session = TestSession::new("idle");
    let mut settings = Settings::default();
    settings.sandbox.image = session.image.clone();
    settings.sessions.stop_idle_container_after_secs = 2;
    let engine = Engine::with_state_dir(settings, session.state.path().to_owned());
    let out = session.state.path().join("out");
    let run = |code: &'static str| {
        let engine = engine.clone();
        let out = out.clone();
        let name = session.name.clone();
        async move {
            engine
                .run_code_in_session(&name, "t", code, &[], &out, &Recorder::default())
                .await
                .unwrap_or_else(|err| panic!("{}", err.plain_words()))
                .0
        }
    };
    let running = || async {
        session
            .containers()
            .await
            .list()
            .await
            .unwrap()
            .into_iter()
            .find(|c| c.session.as_ref() == Some(&session.name))
            .map(|c| c.running)
    };
    let first = run("open('/workspace/kept.txt', 'w').write('still here')").await;
    assert_eq!(first.outcome, Outcome::Success, "{}", first.stderr);
    assert_eq!(running().await, Some(true), "running right after its run");

    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while running().await != Some(false) {
        assert!(
            std::time::Instant::now() < deadline,
            "the idle container was never stopped"
        );
        tokio::time::sleep(std::time::Duration::from_millis(250)).await;
    }

    let next = run("print(open('/workspace/kept.txt').read())").await;
    assert_eq!(next.outcome, Outcome::Success, "{}", next.stderr);
    assert_eq!(next.stdout, "still here\n");
    assert_eq!(running().await, Some(true));
}

/// Two installations on one daemon (two users of a team server, or these tests
/// next to the app): each keeps a session container, both stopped, so both are
/// unused. "Remove all unused" in one removes its own and leaves the other's,
/// and each one's containers panel lists only its own.
#[tokio::test]
async fn remove_all_unused_takes_only_this_installations_containers() {
    let mine = TestSession::new("mine");
    let theirs = TestSession::new("theirs");
    let (_, my_id, _) = run(&mine, "print(1)").await;
    let (_, their_id, _) = run(&theirs, "print(1)").await;
    let installation = |id: String| async move {
        docker()
            .await
            .inspect_container(&id, None)
            .await
            .unwrap()
            .config
            .unwrap()
            .labels
            .unwrap()
            .remove(labels::INSTALLATION)
            .expect("a session container says which installation made it")
    };
    assert_ne!(
        installation(my_id.clone()).await,
        installation(their_id.clone()).await
    );
    let work = |session: &TestSession| format!("sandpiper-session-{}-work", session.name);
    let their_volume = docker().await.inspect_volume(&work(&theirs)).await.unwrap();
    assert!(
        their_volume.labels.contains_key(labels::INSTALLATION),
        "its volumes say so too"
    );
    mine.containers().await.stop(&my_id).await.unwrap();
    theirs.containers().await.stop(&their_id).await.unwrap();

    let listed: Vec<String> = mine
        .containers()
        .await
        .list()
        .await
        .unwrap()
        .into_iter()
        .map(|c| c.id)
        .collect();
    assert!(listed.contains(&my_id), "{listed:?}");
    assert!(
        !listed.contains(&their_id),
        "the panel lists another installation's container"
    );

    let removed = mine.engine().remove_unused_containers().await.unwrap();
    assert!(
        removed.contains(&format!("sandpiper-session-{}", mine.name)),
        "{removed:?}"
    );
    assert!(
        docker()
            .await
            .inspect_container(&my_id, None)
            .await
            .is_err()
    );
    assert!(docker().await.inspect_volume(&work(&mine)).await.is_err());
    assert!(
        docker()
            .await
            .inspect_container(&their_id, None)
            .await
            .is_ok(),
        "another installation's kept environment was removed: {removed:?}"
    );
    assert!(docker().await.inspect_volume(&work(&theirs)).await.is_ok());
    // Theirs is still theirs: its next run reuses it.
    let (again, again_id, created) = run(&theirs, "print('back')").await;
    assert_eq!(again.outcome, Outcome::Success, "{}", again.stderr);
    assert_eq!((again_id, created), (their_id, false));
}
