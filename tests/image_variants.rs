//! Image variants (seed 002), built through the Docker API FROM the sandbox image:
//! every variant builds and has what it promises; an unchanged one is not
//! rebuilt; a failed build names its step.

mod common;

use common::{Recorder, docker, test_image};
use sandpiper::Error;
use sandpiper::docker::ensure_variant_image;
use sandpiper::docker::image_variants::ImageVariant;
use sandpiper::events::Event;
use sandpiper::settings::PackageSettings;

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
