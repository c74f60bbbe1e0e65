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
