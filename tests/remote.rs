//! The sandbox on a remote Docker host, reached over TCP with TLS and client
//! certificates (a listener on 127.0.0.1 that the test starts; see
//! common/remote.rs). The daemon cannot see this machine's files: datasets go up
//! through the API, outputs come back through it, and no bind mount is used.

mod common;

use bollard::query_parameters::ListContainersOptionsBuilder;
use common::{ScriptRun, docker, leftovers_of_run, remote, sha256_of};
use sandpiper::docker::{DockerState, status};
use sandpiper::events::Outcome;
use sandpiper::settings::DockerSettings;
use std::collections::HashMap;
use std::time::Duration;

#[tokio::test]
async fn the_remote_host_is_reported_ready_and_remote() {
    let host = remote::start().await;
    let s = status(&host.settings).await;
    assert_eq!(s.state, DockerState::Ready, "{} {}", s.title, s.advice);
    let connection = sandpiper::docker::connect(&host.settings).await.unwrap();
    assert!(connection.remote);
}

#[tokio::test]
async fn without_the_client_certificate_the_host_refuses_and_it_is_explained() {
    let host = remote::start().await;
    let settings = DockerSettings {
        tls_cert_dir: None,
        ..host.settings.clone()
    };
    let s = status(&settings).await;
    assert_eq!(s.state, DockerState::Error);
    assert!(
        s.title
            .contains("could not reach the Docker host at tcp://127.0.0.1:"),
        "{}",
        s.title
    );
    assert!(s.advice.contains("certificate folder"), "{}", s.advice);
}

#[tokio::test]
async fn a_run_on_the_remote_host_reads_its_dataset_and_returns_its_outputs_without_bind_mounts() {
    let host = remote::start().await;
    let data_dir = tempfile::tempdir().unwrap();
    let dataset = data_dir.path().join("prices.csv");
    std::fs::write(&dataset, "item,price\napple,1.25\npear,2.5\n").unwrap();
    let before = sha256_of(&dataset);
    let out = tempfile::tempdir().unwrap();
    let code = r#"
import time
rows = open(main_file).read().splitlines()[1:]
total = sum(float(r.split(",")[1]) for r in rows)
print("total", total, flush=True)
open("/workspace/output/total.csv", "w").write("total\n%s\n" % total)
try:
    open(main_file, "a").write("x")
    print("dataset writable")
except OSError:
    print("dataset read-only")
time.sleep(2)  # time for the test to inspect the container
"#;
    let mut run = ScriptRun::new(code, out.path());
    run.datasets = vec![dataset.clone()];
    run.docker = host.settings.clone();
    let request = run.request();
    let run_id = request.run_id.clone();

    let inspect = tokio::spawn(async move {
        let docker = docker().await;
        let filters = HashMap::from([(
            "label".to_owned(),
            vec![format!("sandpiper.run_id={run_id}")],
        )]);
        for _ in 0..50 {
            let found = docker
                .list_containers(Some(
                    ListContainersOptionsBuilder::default()
                        .filters(&filters)
                        .build(),
                ))
                .await
                .unwrap();
            if let Some(id) = found.into_iter().find_map(|c| c.id) {
                let mounts = docker
                    .inspect_container(&id, None)
                    .await
                    .unwrap()
                    .mounts
                    .unwrap_or_default();
                return mounts
                    .into_iter()
                    .map(|m| (m.typ.map(|t| t.to_string()), m.destination, m.rw))
                    .collect::<Vec<_>>();
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("the run's container never showed up");
    });
    let run_id = request.run_id.clone();
    let sandbox = common::sandbox_on(&run.docker, run.settings.clone()).await;
    let result = sandbox.run(request, &sandpiper::events::Discard).await;
    let mounts = inspect.await.unwrap();

    assert_eq!(
        result.outcome,
        Outcome::Success,
        "{}\n{}",
        result.summary,
        result.stderr
    );
    assert!(result.stdout.contains("total 3.75"), "{}", result.stdout);
    assert!(
        result.stdout.contains("dataset read-only"),
        "{}",
        result.stdout
    );
    assert_eq!(sha256_of(&dataset), before);
    assert!(
        mounts
            .iter()
            .all(|(kind, _, _)| kind.as_deref() != Some("bind")),
        "{mounts:?}"
    );
    assert!(
        mounts
            .iter()
            .any(|(kind, dest, rw)| kind.as_deref() == Some("volume")
                && dest.as_deref() == Some("/data")
                && *rw == Some(false)),
        "{mounts:?}"
    );
    let names: Vec<_> = result.artifacts.iter().map(|a| a.name.as_str()).collect();
    assert_eq!(names, vec!["total.csv"]);
    assert_eq!(
        std::fs::read_to_string(&result.artifacts[0].path).unwrap(),
        "total\n3.75\n"
    );
    let left = leftovers_of_run(&run_id).await;
    assert!(left.is_empty(), "left behind: {left:?}");
}

#[tokio::test]
async fn errors_time_limits_and_memory_are_classified_the_same_on_the_remote_host() {
    let host = remote::start().await;
    let out = tempfile::tempdir().unwrap();
    let cases = [
        ("x = {}\nx['price']\n", 30, Outcome::Failed),
        ("while True:\n    pass\n", 2, Outcome::TimedOut),
        (
            "big = 'x' * (1024 * 1024 * 1024)\n",
            60,
            Outcome::OutOfMemory,
        ),
    ];
    for (code, timeout, expected) in cases {
        let mut run = ScriptRun::new(code, out.path());
        run.docker = host.settings.clone();
        run.settings.timeout_secs = timeout;
        let (result, _) = run.run().await;
        assert_eq!(result.outcome, expected, "{code}: {}", result.summary);
    }
}

#[tokio::test]
async fn a_remote_session_uploads_its_dataset_once_and_reuses_it() {
    let host = remote::start().await;
    let state = tempfile::tempdir().unwrap();
    let dataset = state.path().join("sales.csv");
    std::fs::write(&dataset, "region,units\nnorth,3\nsouth,4\n").unwrap();
    let mut settings = sandpiper::Settings::default();
    settings.docker = host.settings.clone();
    settings.sandbox.image = common::test_image();
    let engine = sandpiper::Engine::with_state_dir(settings, state.path().to_owned());
    let session = sandpiper::SessionId::parse(&format!(
        "test-remote-{}",
        &uuid::Uuid::new_v4().simple().to_string()[..8]
    ))
    .unwrap();
    let code = "print(sum(int(l.split(',')[1]) for l in open(main_file).read().splitlines()[1:]))";
    let out = state.path().join("out");
    let data_volume = format!("sandpiper-session-{session}-data");

    let (first, container) = engine
        .run_code_in_session(
            &session,
            "t",
            code,
            std::slice::from_ref(&dataset),
            &out,
            &common::Recorder::default(),
        )
        .await
        .unwrap();
    assert_eq!(first.outcome, Outcome::Success, "{}", first.stderr);
    assert_eq!(first.stdout, "7\n");
    let uploaded_at = docker()
        .await
        .inspect_volume(&data_volume)
        .await
        .unwrap()
        .created_at;

    let (second, again) = engine
        .run_code_in_session(
            &session,
            "t",
            code,
            std::slice::from_ref(&dataset),
            &out,
            &common::Recorder::default(),
        )
        .await
        .unwrap();
    assert_eq!(second.stdout, "7\n");
    assert!(!again.created);
    assert_eq!(again.id, container.id);
    let still = docker()
        .await
        .inspect_volume(&data_volume)
        .await
        .unwrap()
        .created_at;
    assert_eq!(uploaded_at, still, "the dataset went up once");
    let mounts = docker()
        .await
        .inspect_container(&container.id, None)
        .await
        .unwrap()
        .mounts
        .unwrap_or_default();
    assert!(
        mounts
            .iter()
            .all(|m| m.typ.as_ref().map(|t| t.to_string()) != Some("bind".into()))
    );

    engine
        .session_containers()
        .await
        .unwrap()
        .remove_session(&session)
        .await
        .unwrap();
    assert!(docker().await.inspect_volume(&data_volume).await.is_err());
}
