//! Nothing a crashed or killed Sandpiper started is left running after the next
//! start: the reaper removes ephemeral containers and volumes whose maker is gone.

mod common;

use bollard::models::{ContainerCreateBody, VolumeCreateRequest};
use bollard::query_parameters::{CreateContainerOptions, ListContainersOptionsBuilder};
use common::cuttable_socket::CuttableSocket;
use common::{docker, force_remove, test_image};
use sandpiper::docker::labels;
use sandpiper::{Engine, Settings};
use std::collections::HashMap;
use std::process::Command;
use std::time::{Duration, Instant};

/// The reaper removes every orphan it finds, including one another test here is
/// about to look at: the tests of this file take turns.
static ONE_AT_A_TIME: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// A process id that no longer exists: a child we started and reaped.
fn dead_pid() -> u32 {
    let mut child = Command::new("true").spawn().unwrap();
    let pid = child.id();
    child.wait().unwrap();
    pid
}

/// The ephemeral containers, running or not, made by the `sandpiper` process
/// `pid` (owner `<host>/<its pid>/<its engine id>`).
async fn run_containers_of_process(pid: u32) -> Vec<bollard::models::ContainerSummary> {
    let owner_prefix = format!("{}/{}/", labels::host_name(), pid);
    let filters = HashMap::from([(
        "label".to_owned(),
        vec![format!("{}={}", labels::KIND, labels::KIND_EPHEMERAL)],
    )]);
    let list = ListContainersOptionsBuilder::default()
        .all(true)
        .filters(&filters)
        .build();
    docker()
        .await
        .list_containers(Some(list))
        .await
        .unwrap()
        .into_iter()
        .filter(|c| {
            c.labels
                .as_ref()
                .and_then(|l| l.get(labels::OWNER))
                .is_some_and(|o| o.starts_with(&owner_prefix))
        })
        .collect()
}

fn ephemeral_labels(owner: &str) -> HashMap<String, String> {
    HashMap::from([
        (labels::MANAGED.to_owned(), "true".to_owned()),
        (labels::KIND.to_owned(), labels::KIND_EPHEMERAL.to_owned()),
        (labels::OWNER.to_owned(), owner.to_owned()),
    ])
}

async fn started_container(owner: &str) -> String {
    let docker = docker().await;
    let id = docker
        .create_container(
            None::<CreateContainerOptions>,
            ContainerCreateBody {
                image: Some(test_image()),
                cmd: Some(vec!["sleep".into(), "300".into()]),
                labels: Some(ephemeral_labels(owner)),
                network_disabled: Some(true),
                ..Default::default()
            },
        )
        .await
        .unwrap()
        .id;
    docker.start_container(&id, None).await.unwrap();
    id
}

async fn exists(id: &str) -> bool {
    docker().await.inspect_container(id, None).await.is_ok()
}

fn engine() -> std::sync::Arc<Engine> {
    let mut settings = Settings::default();
    settings.sandbox.image = test_image();
    Engine::new(settings)
}

#[tokio::test]
async fn orphans_of_a_dead_engine_are_removed_and_live_runs_are_kept() {
    let _turn = ONE_AT_A_TIME.lock().await;
    let orphan_owner = format!("{}/{}", labels::host_name(), dead_pid());
    let orphan = started_container(&orphan_owner).await;
    let live = started_container(&labels::this_process_owner()).await;
    let volume = docker()
        .await
        .create_volume(VolumeCreateRequest {
            name: Some(format!("sandpiper-test-orphan-{}", std::process::id())),
            labels: Some(ephemeral_labels(&orphan_owner)),
            ..Default::default()
        })
        .await
        .unwrap()
        .name;

    let reaped = engine().reap_orphans().await.unwrap();

    assert!(reaped.containers.contains(&orphan), "{reaped:?}");
    assert!(reaped.volumes.contains(&volume), "{reaped:?}");
    assert!(!exists(&orphan).await);
    assert!(
        exists(&live).await,
        "a run of a living engine is not touched"
    );
    assert!(!reaped.containers.contains(&live));
    force_remove(&live).await;
}

#[tokio::test]
async fn killing_sandpiper_mid_run_leaves_nothing_after_the_next_start() {
    let _turn = ONE_AT_A_TIME.lock().await;
    let dir = tempfile::tempdir().unwrap();
    let script = dir.path().join("slow.py");
    std::fs::write(
        &script,
        "import time\nprint('working', flush=True)\ntime.sleep(300)\n",
    )
    .unwrap();
    let mut cli = Command::new(env!("CARGO_BIN_EXE_sandpiper"))
        .args(["run", "--image", &test_image(), "--timeout", "600", "--out"])
        .arg(dir.path().join("out"))
        .arg(&script)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    // The CLI's runs: owner `<host>/<its pid>/<its engine id>`.
    let pid = cli.id();
    let owner_prefix = format!("{}/{}/", labels::host_name(), pid);
    let filters = HashMap::from([(
        "label".to_owned(),
        vec![format!("{}={}", labels::KIND, labels::KIND_EPHEMERAL)],
    )]);
    let docker = docker().await;

    let deadline = Instant::now() + Duration::from_secs(60);
    let running = loop {
        let found = run_containers_of_process(pid).await;
        if let Some(c) = found
            .into_iter()
            .find(|c| c.state.as_ref().is_some_and(|s| s.to_string() == "running"))
        {
            break c.id.unwrap();
        }
        assert!(Instant::now() < deadline, "the run never started");
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    // Killed as a crash would: no chance to clean up.
    cli.kill().unwrap();
    cli.wait().unwrap();
    assert!(
        exists(&running).await,
        "the killed run's container is still there"
    );

    // The next command started in a terminal removes it before its own run.
    let quick = dir.path().join("quick.py");
    std::fs::write(&quick, "print('next')\n").unwrap();
    let next = Command::new(env!("CARGO_BIN_EXE_sandpiper"))
        .args(["run", "--image", &test_image(), "--out"])
        .arg(dir.path().join("out2"))
        .arg(&quick)
        .output()
        .unwrap();
    assert!(next.status.success());
    assert!(
        String::from_utf8_lossy(&next.stderr).contains("a stopped Sandpiper had left running"),
        "{}",
        String::from_utf8_lossy(&next.stderr)
    );

    assert!(!exists(&running).await, "the next start removed it");
    let left = run_containers_of_process(pid).await;
    assert!(left.is_empty(), "{left:?}");
    let volumes = docker
        .list_volumes(Some(
            bollard::query_parameters::ListVolumesOptionsBuilder::default()
                .filters(&filters)
                .build(),
        ))
        .await
        .unwrap();
    let its_volumes: Vec<_> = volumes
        .volumes
        .unwrap_or_default()
        .into_iter()
        .filter(|v| {
            v.labels
                .get(labels::OWNER)
                .is_some_and(|o| o.starts_with(&owner_prefix))
        })
        .collect();
    assert!(its_volumes.is_empty(), "{its_volumes:?}");
}

/// Docker going away while code runs (Docker Desktop quit, the daemon
/// crashed): the run ends at once with a Docker failure in plain words, and
/// what it left on the daemon is removed by the next start. A run and a
/// Quick profile against the dead socket say the same before starting.
// Multi-threaded: the forwarder serves the CLI while the test reads it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn docker_going_away_mid_run_is_said_plainly_and_leaves_nothing_after_the_next_start() {
    let _turn = ONE_AT_A_TIME.lock().await;
    let dir = tempfile::tempdir().unwrap();
    let socket = CuttableSocket::start(dir.path());
    let script = dir.path().join("slow.py");
    std::fs::write(
        &script,
        "import time\nprint('started', flush=True)\ntime.sleep(300)\n",
    )
    .unwrap();
    let sandpiper = |docker_host: &str| {
        let mut command = Command::new(env!("CARGO_BIN_EXE_sandpiper"));
        command
            .env("DOCKER_HOST", docker_host)
            .env("SANDPIPER_STATE_DIR", dir.path())
            .current_dir(dir.path())
            .stdin(std::process::Stdio::null());
        command
    };
    let mut cli = sandpiper(&socket.docker_host())
        .args(["run", "--image", &test_image(), "--timeout", "600", "--out"])
        .arg(dir.path().join("out"))
        .arg(&script)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let pid = cli.id();
    let mut stdout = std::io::BufReader::new(cli.stdout.take().unwrap());
    let mut line = String::new();
    while line.trim() != "started" {
        line.clear();
        let read = std::io::BufRead::read_line(&mut stdout, &mut line).unwrap();
        assert!(read > 0, "the run ended before its code started");
    }

    socket.cut();
    let cut_at = Instant::now();
    let ended = tokio::task::spawn_blocking(move || cli.wait_with_output())
        .await
        .unwrap()
        .unwrap();
    let said = String::from_utf8_lossy(&ended.stderr).into_owned();
    assert!(!ended.status.success(), "{said}");
    assert!(
        cut_at.elapsed() < Duration::from_secs(60),
        "the run waited for its code instead of ending when Docker went away: {said}"
    );
    assert!(said.contains("Docker"), "{said}");
    assert!(
        !said.contains("hyper") && !said.contains("Error {") && !said.contains("os error"),
        "not plain words: {said}"
    );

    // Its container is still on the daemon (nothing could remove it then)...
    let left_then = run_containers_of_process(pid).await;

    // ...and a run and a profile against the dead socket (Settings name it:
    // a dead DOCKER_HOST alone makes Sandpiper look for another daemon) say
    // what to do.
    let mut settings = Settings::default();
    settings.sandbox.image = test_image();
    settings.docker.endpoint = Some(socket.docker_host());
    let engine = Engine::with_state_dir(settings, dir.path().to_owned());
    let dataset = dir.path().join("sales.csv");
    std::fs::write(&dataset, "region,sales\nNorth,1\n").unwrap();
    let out = dir.path().join("dead-out");
    let refusals = [
        engine
            .run_code("t", "print(1)", &[], &out, &common::Recorder::default())
            .await
            .map(|r| r.outcome),
        engine
            .quick_profile(
                std::slice::from_ref(&dataset),
                &out,
                &common::Recorder::default(),
            )
            .await
            .map(|r| r.outcome),
    ];
    for refused in refusals {
        let words = match refused {
            Err(err) => err.plain_words(),
            Ok(outcome) => panic!("ran against a dead socket: {outcome:?}"),
        };
        assert_eq!(words.code, "docker.not_running", "{words}");
    }

    // The next start with Docker back removes what the cut left.
    let quick = dir.path().join("quick.py");
    std::fs::write(&quick, "print('next')\n").unwrap();
    let real = format!("unix://{}", common::remote::local_socket().display());
    let next = sandpiper(&real)
        .args(["run", "--image", &test_image(), "--out"])
        .arg(dir.path().join("out2"))
        .arg(&quick)
        .output()
        .unwrap();
    assert!(
        next.status.success(),
        "{}",
        String::from_utf8_lossy(&next.stderr)
    );
    let left_after = run_containers_of_process(pid).await;
    for c in &left_after {
        force_remove(c.id.as_deref().unwrap_or_default()).await;
    }
    assert_eq!(left_then.len(), 1, "the cut run's container: {left_then:?}");
    assert!(left_after.is_empty(), "{left_after:?}");
}
