//! Image variants (seed 002), built through the Docker API FROM the sandbox image:
//! every variant builds and has what it promises; an unchanged one is not
//! rebuilt; a failed build names its step.

mod common;

use bollard::query_parameters::TagImageOptions;
use common::{Recorder, docker, test_image};
use sandpiper::Error;
use sandpiper::docker::ensure_variant_image;
use sandpiper::docker::image_variants::ImageVariant;
use sandpiper::events::Event;
use sandpiper::settings::PackageSettings;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

/// Runs `cmd` in `image` and returns its stdout.
async fn run_in(image: &str, cmd: &[&str]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let mut run = common::ScriptRun::new(
        &format!(
            "import subprocess\nprint(subprocess.run({cmd:?}, capture_output=True, text=True).stdout)"
        ),
        dir.path(),
    );
    run.settings.image = image.to_owned();
    let (result, _) = run.run().await;
    result.stdout
}

#[tokio::test]
async fn every_variant_builds_once_and_has_what_it_promises() {
    let docker = docker().await;
    let ca = PackageSettings::default().ca_bundle;
    for variant in ImageVariant::ALL {
        // Start from no tag (the layers stay cached, so this stays quick).
        let tag = sandpiper::docker::image_variants::tag_for(
            variant,
            &sandpiper::docker::image_variants::render_dockerfile(&test_image(), variant),
        );
        let _ = docker
            .remove_image(
                &tag,
                Some(
                    bollard::query_parameters::RemoveImageOptionsBuilder::default()
                        .noprune(true)
                        .force(true)
                        .build(),
                ),
                None,
            )
            .await;
        let recorder = Recorder::default();
        let (built_tag, built) =
            ensure_variant_image(&docker, &test_image(), variant, ca.as_deref(), &recorder)
                .await
                .unwrap_or_else(|err| panic!("{variant:?}: {}", err.plain_words()));
        assert_eq!(built_tag, tag);
        assert!(built, "{variant:?} was not built");
        assert!(
            recorder.events().iter().any(
                |e| matches!(e, Event::ImageBuildLine { line, .. } if line.starts_with("Step 1/"))
            ),
            "{variant:?}: no build progress streamed"
        );

        let info = docker.inspect_image(&tag).await.unwrap().config.unwrap();
        assert_eq!(info.user.as_deref(), Some("appuser"));
        let env = info.env.unwrap_or_default();
        assert!(env.contains(&"PIP_USER=1".to_owned()), "{env:?}");
        assert!(env.contains(&"PYTHONUNBUFFERED=1".to_owned()), "{env:?}");
        for package in variant.system_packages() {
            let status = run_in(&tag, &["dpkg-query", "-W", "-f=${Status}", package]).await;
            assert!(
                status.contains("install ok installed"),
                "{variant:?} lacks {package}: {status}"
            );
        }

        // Unchanged: found by its tag, not built again.
        let recorder = Recorder::default();
        let (again, rebuilt) =
            ensure_variant_image(&docker, &test_image(), variant, ca.as_deref(), &recorder)
                .await
                .unwrap();
        assert_eq!(again, tag);
        assert!(!rebuilt);
        assert!(recorder.events().is_empty());
    }
}

#[tokio::test]
async fn a_failed_build_names_the_step_that_failed() {
    let docker = docker().await;
    let err = ensure_variant_image(
        &docker,
        "127.0.0.1:9/sandpiper-tests/absent:1",
        ImageVariant::Web,
        None,
        &Recorder::default(),
    )
    .await
    .unwrap_err();
    assert!(matches!(err, Error::ImageBuildFailed { .. }), "{err}");
    let words = err.plain_words();
    assert!(
        words
            .title
            .contains("could not prepare the Python environment"),
        "{}",
        words.title
    );
    assert!(
        words
            .advice
            .contains("FROM 127.0.0.1:9/sandpiper-tests/absent:1"),
        "{}",
        words.advice
    );
}

/// A Docker socket that forwards to the real daemon, except that it drops a
/// connection in the middle of the daemon's line that says "Successfully
/// tagged": the build's stream of lines then breaks after Docker tagged the
/// image, as a loaded daemon's did once ("bytes remaining on stream").
struct BreaksAfterTheTag {
    path: std::path::PathBuf,
    broke: Arc<AtomicBool>,
}

impl BreaksAfterTheTag {
    fn start(dir: &std::path::Path) -> Self {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let path = dir.join("docker.sock");
        let listener = tokio::net::UnixListener::bind(&path).unwrap();
        let broke = Arc::new(AtomicBool::new(false));
        let noted = broke.clone();
        tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                let noted = noted.clone();
                tokio::spawn(async move {
                    let real = common::remote::local_socket();
                    let Ok(daemon) = tokio::net::UnixStream::connect(real).await else {
                        return;
                    };
                    let (mut from_client, mut to_client) = client.into_split();
                    let (mut from_daemon, mut to_daemon) = daemon.into_split();
                    tokio::spawn(async move {
                        let _ = tokio::io::copy(&mut from_client, &mut to_daemon).await;
                    });
                    let mut buffer = vec![0u8; 64 * 1024];
                    const TAGGED: &[u8] = b"Successfully tagged";
                    while let Ok(read) = from_daemon.read(&mut buffer).await {
                        let got = &buffer[..read];
                        // Up to the words and no further: the line that says
                        // so arrives cut, its JSON never closed.
                        let cut_at = got
                            .windows(TAGGED.len())
                            .position(|w| w == TAGGED)
                            .map(|at| at + TAGGED.len());
                        let forwarded = &got[..cut_at.unwrap_or(read)];
                        if read == 0 || to_client.write_all(forwarded).await.is_err() {
                            break;
                        }
                        if cut_at.is_some() {
                            noted.store(true, Ordering::SeqCst);
                            // Dropping both halves ends the connection mid-answer.
                            break;
                        }
                    }
                });
            }
        });
        Self { path, broke }
    }
}

/// The build's lines break after Docker tagged the image: the image is there,
/// so the build is done (and said so), not reported as failed.
#[tokio::test]
async fn a_build_whose_lines_break_after_docker_tagged_it_is_done() {
    let real = docker().await;
    // A base of its own, so the variant's tag is this test's alone; its
    // layers are the test image's, so the build is from cache.
    let repo = "sandpiper-test/build-cut";
    let version = format!("p{}", std::process::id());
    real.tag_image(
        &test_image(),
        Some(TagImageOptions {
            repo: Some(repo.to_owned()),
            tag: Some(version.clone()),
        }),
    )
    .await
    .unwrap();
    let base = format!("{repo}:{version}");
    let dir = tempfile::tempdir().unwrap();
    let socket = BreaksAfterTheTag::start(dir.path());
    let through_it = bollard::Docker::connect_with_unix(
        socket.path.to_str().unwrap(),
        600,
        bollard::API_DEFAULT_VERSION,
    )
    .unwrap();

    let built = ensure_variant_image(
        &through_it,
        &base,
        ImageVariant::Base,
        PackageSettings::default().ca_bundle.as_deref(),
        &Recorder::default(),
    )
    .await;

    let tag = sandpiper::docker::image_variants::tag_for(
        ImageVariant::Base,
        &sandpiper::docker::image_variants::render_dockerfile(&base, ImageVariant::Base),
    );
    for image in [tag.as_str(), base.as_str()] {
        let _ = real
            .remove_image(
                image,
                Some(
                    bollard::query_parameters::RemoveImageOptionsBuilder::default()
                        .noprune(true)
                        .build(),
                ),
                None,
            )
            .await;
    }
    assert!(
        socket.broke.load(Ordering::SeqCst),
        "the build's answer never said the image was tagged"
    );
    let (built_tag, was_built) = built.unwrap_or_else(|err| panic!("{}", err.plain_words()));
    assert_eq!(built_tag, tag);
    assert!(was_built);
}
