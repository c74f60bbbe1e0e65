//! Model-written code under the harness, through `Engine::run_code` and
//! `sandpiper run`: what the code gets, and what its failures say; and its
//! output saved to a file ("Save output…").

mod common;

use common::{Recorder, test_image};
use sandpiper::events::{Event, Outcome};
use sandpiper::{Engine, Settings};
use std::process::Command;

fn engine() -> std::sync::Arc<Engine> {
    let mut settings = Settings::default();
    settings.sandbox.image = test_image();
    Engine::new(settings)
}

#[tokio::test]
async fn an_error_names_its_type_message_and_line_in_the_models_own_code() {
    let dir = tempfile::tempdir().unwrap();
    let code = "total = 0\nprices = {'apple': 1}\n\ntotal += prices['pear']\nprint(total)\n";
    let recorder = Recorder::default();
    let result = engine()
        .run_code("t", code, &[], dir.path(), &recorder)
        .await
        .unwrap();

    assert_eq!(result.outcome, Outcome::Failed);
    assert_eq!(result.exit_code, Some(1));
    let error = result.error.expect("the harness reports the error");
    assert_eq!(error.type_name, "KeyError");
    assert_eq!(error.message, "'pear'");
    assert_eq!(error.line, Some(4), "line numbers are the model code's own");
    assert!(
        error
            .context
            .as_deref()
            .unwrap()
            .contains("->   4 | total += prices['pear']")
    );
    assert_eq!(
        result.summary,
        "The code stopped with KeyError on line 4: 'pear'"
    );
    // The traceback points at analysis.py, not at the harness.
    assert!(result.stderr.contains("File \"analysis.py\", line 4"));
    assert!(!result.stderr.contains("harness.py"), "{}", result.stderr);
    assert!(result.stderr.contains("Python version: 3.11"));
    // The machine-readable line is for the engine, not for the conversation.
    let shown: Vec<_> = recorder
        .events()
        .into_iter()
        .filter_map(|e| match e {
            Event::Stderr { line, .. } => Some(line),
            _ => None,
        })
        .collect();
    assert!(shown.iter().all(|l| !l.starts_with("SANDPIPER-ERROR")));
    assert!(shown.iter().any(|l| l == "Error line: 4"));
}

#[tokio::test]
async fn a_syntax_error_is_reported_at_its_line() {
    let dir = tempfile::tempdir().unwrap();
    let result = engine()
        .run_code(
            "t",
            "x = 1\nif x > 0\n    print(x)\n",
            &[],
            dir.path(),
            &Recorder::default(),
        )
        .await
        .unwrap();
    let error = result.error.unwrap();
    assert_eq!(error.type_name, "SyntaxError");
    assert_eq!(error.line, Some(2));
}

#[tokio::test]
async fn the_code_gets_dataset_variables_and_the_seeds_imports() {
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("a.csv");
    let b = dir.path().join("b.csv");
    std::fs::write(&a, "x\n1\n2\n").unwrap();
    std::fs::write(&b, "y\n3\n").unwrap();
    let code = "print(main_file == file_1, file_1, file_2)\n\
                print(len(open(file_1).read().splitlines()))\n\
                print(json.dumps({'ok': math.sqrt(16)}))\n";
    let result = engine()
        .run_code(
            "t",
            code,
            &[a, b],
            &dir.path().join("out"),
            &Recorder::default(),
        )
        .await
        .unwrap();
    assert_eq!(result.outcome, Outcome::Success, "{}", result.stderr);
    assert_eq!(
        result.stdout,
        "True /data/a.csv /data/b.csv\n3\n{\"ok\": 4.0}\n"
    );
}

#[tokio::test]
async fn sys_exit_keeps_its_status_and_a_clean_exit_is_success() {
    let dir = tempfile::tempdir().unwrap();
    let failed = engine()
        .run_code(
            "t",
            "import sys\nsys.exit(3)",
            &[],
            dir.path(),
            &Recorder::default(),
        )
        .await
        .unwrap();
    assert_eq!(failed.exit_code, Some(3));
    assert_eq!(failed.outcome, Outcome::Failed);
    assert!(failed.error.is_none());
    let ok = engine()
        .run_code(
            "t",
            "import sys\nprint('done')\nsys.exit(0)",
            &[],
            dir.path(),
            &Recorder::default(),
        )
        .await
        .unwrap();
    assert_eq!(ok.outcome, Outcome::Success);
}

#[test]
fn sandpiper_run_prints_the_outcome_and_exits_0_only_on_success() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("scores.csv");
    std::fs::write(&data, "name,score\nann,3\nbob,5\n").unwrap();
    let good = dir.path().join("good.py");
    std::fs::write(
        &good,
        "rows = open(main_file).read().splitlines()[1:]\n\
         print(sum(int(r.split(',')[1]) for r in rows))\n\
         open('/workspace/output/result.csv', 'w').write('total\\n8\\n')\n",
    )
    .unwrap();
    let bad = dir.path().join("bad.py");
    std::fs::write(&bad, "print(1 / 0)\n").unwrap();
    let out = dir.path().join("out");

    let run = |script: &std::path::Path| {
        Command::new(env!("CARGO_BIN_EXE_sandpiper"))
            .args(["run", "--image", &test_image(), "--timeout", "30", "--out"])
            .arg(&out)
            .arg("--data")
            .arg(&data)
            .arg(script)
            .output()
            .unwrap()
    };
    let ok = run(&good);
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    assert_eq!(String::from_utf8_lossy(&ok.stdout), "8\n");
    assert!(String::from_utf8_lossy(&ok.stderr).contains("Outcome: success"));
    assert_eq!(
        std::fs::read_to_string(out.join("result.csv")).unwrap(),
        "total\n8\n"
    );

    let failed = run(&bad);
    let stderr = String::from_utf8_lossy(&failed.stderr);
    assert_eq!(failed.status.code(), Some(1));
    assert!(stderr.contains("Outcome: failed"), "{stderr}");
    assert!(
        stderr.contains("The code stopped with ZeroDivisionError on line 1: division by zero"),
        "{stderr}"
    );
}

/// An image with matplotlib (scripts/test builds it from PyPI): the bare sandbox
/// image has none.
fn matplotlib_image() -> String {
    std::env::var("SANDPIPER_MATPLOTLIB_IMAGE")
        .unwrap_or_else(|_| "sandpiper-test/matplotlib:1".to_owned())
}

#[tokio::test]
async fn figures_are_saved_on_show_and_at_the_end_without_a_display() {
    let mut settings = Settings::default();
    settings.sandbox.image = matplotlib_image();
    let engine = Engine::new(settings);
    let dir = tempfile::tempdir().unwrap();
    // plt is one of the seed's auto-imports; show() must save, not block; the
    // second figure is never shown and is saved at the end.
    let code = "print(matplotlib.get_backend())\n\
                plt.plot([1, 3, 2])\n\
                plt.show()\n\
                plt.figure()\n\
                plt.bar(['a', 'b'], [2, 5])\n\
                print('done')\n";
    let result = engine
        .run_code("figures", code, &[], dir.path(), &Recorder::default())
        .await
        .unwrap_or_else(|err| {
            panic!(
                "{} (run scripts/test, which builds the image)",
                err.plain_words()
            )
        });

    assert_eq!(result.outcome, Outcome::Success, "{}", result.stderr);
    assert_eq!(result.stdout.to_lowercase(), "agg\ndone\n");
    let names: Vec<_> = result.artifacts.iter().map(|a| a.name.as_str()).collect();
    assert_eq!(names, vec!["figure_1.png", "figure_2.png"]);
    for artifact in &result.artifacts {
        assert_eq!(artifact.mime, "image/png");
        assert!(
            std::fs::read(&artifact.path)
                .unwrap()
                .starts_with(b"\x89PNG")
        );
        assert!(
            artifact.size_bytes > 1000,
            "a real chart, not an empty file"
        );
    }
}

/// "Save output…": a run that printed far more lines than the window draws
/// (500) is saved whole, every line in order, as the run printed it; a folder
/// that cannot be written says so in plain words.
#[tokio::test]
async fn saving_a_runs_output_writes_every_line_it_printed() {
    let dir = tempfile::tempdir().unwrap();
    let recorder = Recorder::default();
    let code = "for i in range(1, 1201):\n    print(f'row {i}: value {i * 3}')\n";
    let engine = engine();
    let result = engine
        .run_code("t", code, &[], dir.path(), &recorder)
        .await
        .unwrap();
    assert_eq!(result.outcome, Outcome::Success);
    let lines = recorder.stdout_lines();
    assert_eq!(lines.len(), 1200, "the run's output arrived line by line");

    let out = dir.path().join("chosen folder").join("Try 1 output.txt");
    let saved = engine.save_output(&lines, &out).unwrap();
    assert_eq!(saved, out);
    let text = std::fs::read_to_string(&out).unwrap();
    let expected: String = (1..=1200)
        .map(|i| format!("row {i}: value {}\n", i * 3))
        .collect();
    assert_eq!(text, expected, "every line, in order, one a line");

    let blocked = dir.path().join("a file, not a folder");
    std::fs::write(&blocked, "").unwrap();
    let err = engine
        .save_output(&lines, &blocked.join("out.txt"))
        .unwrap_err();
    let words = err.plain_words();
    assert!(
        words
            .title
            .starts_with("Sandpiper could not save the output to "),
        "{words:?}"
    );
    assert!(words.advice.contains("still in the window"), "{words:?}");
}
