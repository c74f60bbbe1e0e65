//! Packages on demand (seed 002), against real Docker and the real PyPI: the
//! install step has the network, analysis runs never do.

mod common;

use common::session::TestSession;
use common::{Recorder, docker, force_remove};
use sandpiper::Error;
use sandpiper::events::{Event, Outcome};

/// A run in the session, its result only.
async fn run(
    session: &TestSession,
    code: &str,
    recorder: &Recorder,
) -> sandpiper::sandbox::RunResult {
    session.run(code, recorder).await.0
}

/// A first run (which creates the container), then tabulate installed into it.
async fn session_with_tabulate(
    session: &TestSession,
) -> sandpiper::session_container::SessionContainerMeta {
    run(session, "print(1)", &Recorder::default()).await;
    session.install(&["tabulate"]).await.unwrap_or_else(|err| {
        panic!(
            "{}: {} (run scripts/test, which builds the test images)",
            session.image,
            err.plain_words()
        )
    })
}

const USE_TABULATE: &str = "from tabulate import tabulate\n\
    print(tabulate([[1, 2]], headers=['a', 'b']))\n\
    import socket\n\
    try:\n    socket.create_connection(('pypi.org', 443), timeout=3)\n    print('network: on')\n\
    except OSError:\n    print('network: off')\n";

#[tokio::test]
async fn an_installed_package_is_importable_from_a_network_less_run() {
    let session = TestSession::new("pkg-tabulate");
    let meta = session_with_tabulate(&session).await;
    assert!(
        meta.installed_packages.contains(&"tabulate".to_owned()),
        "{meta:?}"
    );
    assert_eq!(meta.requested_packages, vec!["tabulate"]);

    let result = run(&session, USE_TABULATE, &Recorder::default()).await;
    assert_eq!(result.outcome, Outcome::Success, "{}", result.stderr);
    assert!(result.stdout.contains("  a    b"), "{}", result.stdout);
    assert!(result.stdout.contains("network: off"), "{}", result.stdout);
}

/// The image variants set PIP_USER=1 (for their non-root user), which pip
/// refuses together with the --target the package store installs with.
#[tokio::test]
async fn installs_work_in_an_image_variant_that_sets_pip_user() {
    let (variant, _) = sandpiper::docker::ensure_variant_image(
        &docker().await,
        &common::test_image(),
        sandpiper::docker::image_variants::ImageVariant::Base,
        sandpiper::settings::PackageSettings::default()
            .ca_bundle
            .as_deref(),
        &Recorder::default(),
    )
    .await
    .unwrap_or_else(|err| panic!("{}", err.plain_words()));
    // A store of its own, so the install really runs (no set to reuse).
    let session = TestSession::on_image("pkg-variant", &variant).with_own_store();
    let meta = session_with_tabulate(&session).await;
    assert!(meta.installed_packages.contains(&"tabulate".to_owned()));
    let result = run(&session, USE_TABULATE, &Recorder::default()).await;
    assert_eq!(result.outcome, Outcome::Success, "{}", result.stderr);
    assert!(result.stdout.contains("  a    b"), "{}", result.stdout);
}

#[tokio::test]
async fn importing_sklearn_installs_scikit_learn_and_runs_again_without_a_model() {
    let session = TestSession::new("pkg-sklearn");
    let recorder = Recorder::default();
    let code = "from sklearn.linear_model import LinearRegression\n\
                model = LinearRegression().fit([[0], [1], [2]], [1, 3, 5])\n\
                print('slope', round(float(model.coef_[0]), 3))\n";
    let result = run(&session, code, &recorder).await;

    assert_eq!(
        result.outcome,
        Outcome::Success,
        "{}\n{}",
        result.summary,
        result.stderr
    );
    assert_eq!(result.stdout, "slope 2.0\n");
    let events = recorder.events();
    let installing = events.iter().find_map(|e| match e {
        Event::PackagesInstalling {
            packages, reason, ..
        } => Some((packages.clone(), reason.clone())),
        _ => None,
    });
    assert_eq!(
        installing,
        Some((
            vec!["scikit-learn".to_owned()],
            "the code imports sklearn".to_owned()
        ))
    );
    let runs = events
        .iter()
        .filter(|e| matches!(e, Event::RunFinished { .. }))
        .count();
    assert_eq!(runs, 2, "one failed run, one after the install");
}

/// Model code can be steered by a dataset's text: what it imports is installed
/// by itself only when it is a well-known data package (or the analyst allowed
/// it), and a forged "No module named" with a version or an option installs
/// nothing at all.
#[tokio::test]
async fn an_unknown_or_forged_missing_module_installs_nothing() {
    let session = TestSession::new("pkg-unknown");
    for (code, asked) in [
        (
            "import pandas_helper_tools_xyz",
            Some("pandas-helper-tools-xyz"),
        ),
        (
            "raise ModuleNotFoundError(\"No module named 'tabulate==0.1 --index-url http://x'\")",
            None,
        ),
    ] {
        let recorder = Recorder::default();
        let result = run(&session, code, &recorder).await;
        assert_eq!(result.outcome, Outcome::Failed, "{code}");
        let events = recorder.events();
        assert!(
            !events
                .iter()
                .any(|e| matches!(e, Event::PackagesInstalling { .. })),
            "{code}: {events:?}"
        );
        let refusal = events.iter().find_map(|e| match e {
            Event::PackagesInstalled {
                packages, error, ..
            } => Some((packages.clone(), error.clone().map(|w| w.code))),
            _ => None,
        });
        match asked {
            Some(package) => assert_eq!(
                refusal,
                Some((
                    vec![package.to_owned()],
                    Some("packages.needs_leave".to_owned())
                ))
            ),
            None => assert_eq!(refusal, None, "{code}"),
        }
        let runs = events
            .iter()
            .filter(|e| matches!(e, Event::RunFinished { .. }))
            .count();
        assert_eq!(runs, 1, "{code}: not run again");
    }
}

#[tokio::test]
async fn bad_package_names_are_refused_before_anything_is_installed() {
    let session = TestSession::new("pkg-refused");
    run(&session, "print(1)", &Recorder::default()).await;
    let containers = session.containers().await;
    for bad in [
        "--index-url x",
        "git+https://github.com/pandas-dev/pandas",
        "../evil",
        "pandas; rm -rf /",
    ] {
        let recorder = Recorder::default();
        let err = containers
            .install_packages(&session.name, &[bad.to_owned()], "asked for", &recorder)
            .await
            .unwrap_err();
        assert!(matches!(err, Error::PackageRefused { .. }), "{bad}: {err}");
        assert!(
            err.plain_words().title.contains("will not install"),
            "{bad}"
        );
        assert!(recorder.events().is_empty(), "{bad}: something started");
    }
}

#[tokio::test]
async fn a_package_that_does_not_exist_is_explained() {
    let session = TestSession::new("pkg-missing");
    run(&session, "print(1)", &Recorder::default()).await;
    let containers = session.containers().await;
    let recorder = Recorder::default();
    let name = "sandpiper-test-no-such-package-xyz";
    let err = containers
        .install_packages(&session.name, &[name.to_owned()], "asked for", &recorder)
        .await
        .unwrap_err();
    assert!(matches!(err, Error::PackageNotFound { .. }), "{err}");
    assert_eq!(
        err.plain_words().title,
        format!("There is no package called \"{name}\" on PyPI.")
    );
    let finished = recorder.events().into_iter().find_map(|e| match e {
        Event::PackagesInstalled { error, .. } => error,
        _ => None,
    });
    assert!(finished.is_some(), "the window is told the install failed");
}

#[tokio::test]
async fn a_container_removed_with_its_packages_is_recreated_with_them() {
    let session = TestSession::new("pkg-recreate").with_own_store();
    session_with_tabulate(&session).await;
    // Behind Sandpiper's back: the container and the package store go.
    let docker = docker().await;
    let name = format!("sandpiper-session-{}", session.name);
    force_remove(&name).await;
    docker
        .remove_volume(
            session.store.as_deref().unwrap(),
            None::<bollard::query_parameters::RemoveVolumeOptions>,
        )
        .await
        .unwrap();

    let recorder = Recorder::default();
    let result = run(&session, USE_TABULATE, &recorder).await;
    assert_eq!(result.outcome, Outcome::Success, "{}", result.stderr);
    assert!(recorder.events().iter().any(|e| matches!(
        e,
        Event::PackagesInstalling { reason, .. } if reason == "the session had them before"
    )));
}

/// Which tool installed a distribution, from its INSTALLER file.
const WHO_INSTALLED_TABULATE: &str = "import importlib.metadata as m\n\
    print(m.distribution('tabulate').read_text('INSTALLER').strip())\n";

#[tokio::test]
async fn uv_installs_when_the_image_has_it_and_pip_otherwise() {
    let uv_image =
        std::env::var("SANDPIPER_UV_IMAGE").unwrap_or_else(|_| "sandpiper-test/uv:1".into());
    for (image, tool) in [(uv_image, "uv"), (common::test_image(), "pip")] {
        let session = TestSession::on_image(&format!("pkg-{tool}"), &image);
        session_with_tabulate(&session).await;
        let result = run(&session, WHO_INSTALLED_TABULATE, &Recorder::default()).await;
        assert_eq!(
            result.stdout,
            format!("{tool}\n"),
            "{image}: {}",
            result.stderr
        );
    }
}

#[tokio::test]
async fn new_datasets_mean_a_new_container_but_the_packages_stay() {
    let session = TestSession::new("pkg-datasets");
    session_with_tabulate(&session).await;
    let csv = session.state.path().join("new.csv");
    std::fs::write(&csv, "a\n1\n").unwrap();
    let recorder = Recorder::default();
    let (result, container) = session
        .engine()
        .run_code_in_session(
            &session.name,
            "t",
            "import tabulate\nprint(open(main_file).read().splitlines()[1])",
            &[csv],
            &session.state.path().join("out"),
            &recorder,
        )
        .await
        .unwrap();
    assert_eq!(result.outcome, Outcome::Success, "{}", result.stderr);
    assert_eq!(result.stdout, "1\n");
    assert!(container.created, "mounts are fixed at creation");
    assert!(
        !recorder
            .events()
            .iter()
            .any(|e| matches!(e, Event::PackagesInstalling { .. })),
        "nothing was reinstalled"
    );
}

#[tokio::test]
async fn a_module_no_package_provides_leaves_the_failed_run_and_says_why() {
    // Allowed by the analyst, so Sandpiper asks PyPI (an unknown name is
    // otherwise not even tried: an_unknown_or_forged_missing_module_installs_nothing).
    let mut session = TestSession::new("pkg-nomodule");
    session.packages.allowlist = vec!["sandpiper-no-such-module-xyz".into()];
    let recorder = Recorder::default();
    let result = run(&session, "import sandpiper_no_such_module_xyz\n", &recorder).await;
    assert_eq!(result.outcome, Outcome::Failed);
    assert_eq!(result.error.unwrap().type_name, "ModuleNotFoundError");
    let told = recorder.events().into_iter().find_map(|e| match e {
        Event::PackagesInstalled {
            error: Some(words), ..
        } => Some(words.title),
        _ => None,
    });
    assert_eq!(
        told.as_deref(),
        Some("There is no package called \"sandpiper-no-such-module-xyz\" on PyPI.")
    );
}

/// Where a package's module lives: the same file for two sessions means the
/// second one installed nothing and shares the first one's copy.
const WHERE_IS_TABULATE: &str = "import os, tabulate\nprint(os.path.realpath(tabulate.__file__))\n";

#[tokio::test]
async fn a_second_session_asking_for_the_same_package_shares_the_first_ones() {
    let first = TestSession::new("pkg-share-a").with_own_store();
    let second = TestSession::new("pkg-share-b").sharing_store_of(&first);
    session_with_tabulate(&first).await;
    session_with_tabulate(&second).await;
    let in_first = run(&first, WHERE_IS_TABULATE, &Recorder::default()).await;
    let in_second = run(&second, WHERE_IS_TABULATE, &Recorder::default()).await;
    assert_eq!(in_second.outcome, Outcome::Success, "{}", in_second.stderr);
    assert!(
        in_first.stdout.starts_with("/sandpiper-store/sets/"),
        "{}",
        in_first.stdout
    );
    assert_eq!(in_first.stdout, in_second.stdout);
}

#[tokio::test]
async fn adding_a_package_to_one_session_never_changes_another_ones() {
    let plain = TestSession::new("pkg-apart-a").with_own_store();
    let more = TestSession::new("pkg-apart-b").sharing_store_of(&plain);
    session_with_tabulate(&plain).await;
    session_with_tabulate(&more).await;
    more.install(&["colorama"])
        .await
        .unwrap_or_else(|e| panic!("{}", e.plain_words()));

    let probe = "import importlib.util as u\n\
        print(bool(u.find_spec('tabulate')), bool(u.find_spec('colorama')))\n";
    let with_more = run(&more, probe, &Recorder::default()).await;
    assert_eq!(with_more.stdout, "True True\n", "{}", with_more.stderr);
    let untouched = run(&plain, probe, &Recorder::default()).await;
    assert_eq!(untouched.stdout, "True False\n", "{}", untouched.stderr);
}

#[tokio::test]
async fn the_store_forgets_gone_sessions_and_long_unused_packages_only() {
    let kept = TestSession::new("pkg-gc-kept").with_own_store();
    let gone = TestSession::new("pkg-gc-gone").sharing_store_of(&kept);
    session_with_tabulate(&kept).await;
    let before_any_run = gone.install(&["colorama"]).await;
    assert!(
        matches!(before_any_run, Err(Error::ContainerNotFound(_))),
        "a session must have run once before installing"
    );
    run(&gone, "print(1)", &Recorder::default()).await;
    let gone_set = gone
        .install(&["colorama"])
        .await
        .unwrap()
        .packages_set
        .unwrap();
    gone.containers()
        .await
        .remove_session(&gone.name)
        .await
        .unwrap();

    // Recently used: the gone session's link goes, its set stays for reuse.
    let containers = kept.containers().await;
    let collected = containers.collect_package_garbage().await.unwrap();
    assert!(
        collected.contains(&format!("package link {}", gone.name)),
        "{collected:?}"
    );
    assert!(
        !collected.iter().any(|c| c.contains(&gone_set)),
        "{collected:?}"
    );

    // Unused for longer than a month: the set goes, the kept session's stays.
    let store = kept.store.clone().unwrap();
    let aged = std::process::Command::new("docker")
        .args(["run", "--rm", "--network", "none", "-v"])
        .arg(format!("{store}:/s"))
        .args([&kept.image, "sh", "-c", "touch -d 2000-01-01 /s/sets/*"])
        .status()
        .unwrap();
    assert!(aged.success());
    let collected = containers.collect_package_garbage().await.unwrap();
    assert_eq!(collected, vec![format!("package set {gone_set}")]);
    let still = run(&kept, USE_TABULATE, &Recorder::default()).await;
    assert_eq!(still.outcome, Outcome::Success, "{}", still.stderr);
}

/// What a run leaves where Python looks by default (the work folder, which
/// was the working folder; HOME's user site-packages, with a startup hook and
/// a .pth file) never runs: not in the harness when it reloads after an
/// install, not in the read-back of installed packages, not in a later run.
#[tokio::test]
async fn modules_a_run_plants_never_run_after_an_install_reloads_the_harness() {
    let session = TestSession::new("pkg-planted");
    let plant = r#"
import os, site
hook = "import os\nopen('/tmp/planted.log', 'a').write('%s ran as %d\\n' % (__name__, os.getuid()))\n"
for name in ("json", "colorsys", "importlib_metadata", "tabulate"):
    open("/workspace/%s.py" % name, "w").write(hook)
user_site = site.getusersitepackages()
os.makedirs(user_site, exist_ok=True)
for name in ("usercustomize", "sitecustomize"):
    open(os.path.join(user_site, name + ".py"), "w").write(hook)
open(os.path.join(user_site, "planted.pth"), "w").write(
    "import os; open('/tmp/planted.log', 'a').write('planted.pth ran as %d\\n' % os.getuid())\n"
)
print("planted in", user_site)
"#;
    let planted = run(&session, plant, &Recorder::default()).await;
    assert_eq!(planted.outcome, Outcome::Success, "{}", planted.stderr);
    let meta = session
        .install(&["tabulate"])
        .await
        .unwrap_or_else(|err| panic!("{}: {}", session.image, err.plain_words()));
    assert!(
        meta.installed_packages.contains(&"tabulate".to_owned()),
        "the read-back of installed packages: {meta:?}"
    );

    let after = run(
        &session,
        "import os, colorsys, tabulate\n\
         print(tabulate.__file__.startswith('/sandpiper-store/'), colorsys.rgb_to_hsv(1, 0, 0))\n\
         print(open('/tmp/planted.log').read() if os.path.exists('/tmp/planted.log') else 'nothing ran')\n",
        &Recorder::default(),
    )
    .await;
    assert_eq!(after.outcome, Outcome::Success, "{}", after.stderr);
    assert_eq!(after.stdout, "True (0.0, 1.0, 1)\nnothing ran\n");
}

/// The window: answers each install question as `allowed` says, the moment it
/// is asked, as the analyst clicking Install or Don't install would.
struct Analyst {
    engine: std::sync::Weak<sandpiper::Engine>,
    allowed: std::sync::atomic::AtomicBool,
    heard: Recorder,
}

impl sandpiper::events::EventSink for Analyst {
    fn emit(&self, event: Event) {
        if let Event::InstallQuestion { question_id, .. } = &event {
            let allowed = self.allowed.load(std::sync::atomic::Ordering::Relaxed);
            let engine = self.engine.upgrade().expect("the engine lives");
            assert!(engine.answer_install_question(question_id, allowed));
        }
        self.heard.emit(event);
    }
}

const USE_SIX: &str = "import six\nprint('six', six.PY3)\n";

/// A package off the well-known list is asked about in the window, once per
/// session: "no" runs nothing new and stands for the session's later runs,
/// "yes" installs it and runs the code again.
#[tokio::test]
async fn a_package_off_the_well_known_list_is_asked_about_once_per_session() {
    let refused = TestSession::new("pkg-ask-no");
    let allowed = TestSession::new("pkg-ask-yes");
    let engine = common::session::engine_on(
        refused.state.path(),
        &refused.image,
        &sandpiper::settings::PackageSettings::default(),
    );
    engine.ask_before_installs();
    let analyst = Analyst {
        engine: std::sync::Arc::downgrade(&engine),
        allowed: false.into(),
        heard: Recorder::default(),
    };
    let out = refused.state.path().join("out");
    let questions = |analyst: &Analyst| {
        analyst
            .heard
            .events()
            .iter()
            .filter_map(|e| match e {
                Event::InstallQuestion {
                    package, module, ..
                } => Some((package.clone(), module.clone())),
                _ => None,
            })
            .collect::<Vec<_>>()
    };

    for _ in 0..2 {
        let (result, _) = engine
            .run_code_in_session(&refused.name, "t", USE_SIX, &[], &out, &analyst)
            .await
            .unwrap();
        assert_eq!(result.outcome, Outcome::Failed, "{}", result.stdout);
    }
    assert_eq!(
        questions(&analyst),
        [("six".to_owned(), "six".to_owned())],
        "asked once, and the answer stood for the second run"
    );
    assert!(
        !analyst
            .heard
            .events()
            .iter()
            .any(|e| matches!(e, Event::PackagesInstalling { .. })),
        "nothing installed after a no"
    );

    analyst
        .allowed
        .store(true, std::sync::atomic::Ordering::Relaxed);
    let (result, _) = engine
        .run_code_in_session(&allowed.name, "t", USE_SIX, &[], &out, &analyst)
        .await
        .unwrap();
    assert_eq!(result.outcome, Outcome::Success, "{}", result.stderr);
    assert_eq!(result.stdout, "six True\n");
    assert_eq!(questions(&analyst).len(), 2, "the other session asked anew");
}

/// In a terminal nobody is asked: the package is refused with what to do, and
/// `--allow-install` lets it in.
#[tokio::test]
async fn the_cli_refuses_unlisted_packages_unless_allowed_by_flag() {
    let session = TestSession::new("pkg-cli-allow");
    let script = session.state.path().join("six.py");
    std::fs::write(&script, USE_SIX).unwrap();
    let image = common::test_image();
    let out = session.state.path().join("out");
    let run = |extra: &[&str]| {
        let mut args = vec!["run", "--image", &image, "--session", session.name.as_str()];
        args.extend(["--out", out.to_str().unwrap()]);
        args.extend(extra);
        args.push(script.to_str().unwrap());
        session.cli(&args)
    };
    let refused = run(&[]);
    let said = String::from_utf8_lossy(&refused.stderr).into_owned()
        + &String::from_utf8_lossy(&refused.stdout);
    assert!(!refused.status.success(), "{said}");
    assert!(said.contains("--allow-install six"), "{said}");
    let allowed = run(&["--allow-install", "six"]);
    assert!(
        allowed.status.success(),
        "{}",
        String::from_utf8_lossy(&allowed.stderr)
    );
    assert_eq!(String::from_utf8_lossy(&allowed.stdout), "six True\n");
}
