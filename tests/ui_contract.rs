//! The window's mirror of the engine's events (`ui/events.js`) must match what
//! serde really emits, or the UI silently drops what the engine says.

use sandpiper::PlainWords;
use sandpiper::conversation::{
    FailedTry, Message, Provenance, SentToModel, StepState, UngroundedNumber,
};
use sandpiper::events::{Artifact, Event, Outcome};
use sandpiper::ids::CallId;
use sandpiper::ids::{QuestionId, RunId, SessionId, StepId};
use sandpiper::llm::ProviderId;
use std::collections::BTreeMap;

/// One of every event. The match below stops compiling when a variant is added,
/// so a new event cannot be forgotten here (and then in the UI).
fn one_of_each() -> Vec<Event> {
    let run_id = RunId::new();
    let call_id = CallId::new();
    let samples = vec![
        Event::ImagePullStarted {
            image: "python:3.11-slim".into(),
        },
        Event::ImagePullProgress {
            image: "python:3.11-slim".into(),
            layer: Some("abc".into()),
            status: "Downloading".into(),
            current_bytes: Some(1),
            total_bytes: Some(2),
        },
        Event::ImageReady {
            image: "python:3.11-slim".into(),
        },
        Event::ImageBuildLine {
            image: "sandpiper-data:abc".into(),
            line: "Step 1/9 : FROM python:3.11-slim".into(),
        },
        Event::PackagesInstalling {
            session_id: SessionId::new(),
            packages: vec!["scikit-learn".into()],
            reason: "the code imports sklearn".into(),
        },
        Event::PackagesInstalled {
            session_id: SessionId::new(),
            packages: vec!["scikit-learn".into()],
            duration_ms: 1,
            error: None,
        },
        Event::RunStarted {
            run_id: run_id.clone(),
            session_id: Some(SessionId::new()),
            title: "Quick profile of a.csv".into(),
            image: "python:3.11-slim".into(),
        },
        Event::Stdout {
            run_id: run_id.clone(),
            line: "Rows: 1".into(),
        },
        Event::Stderr {
            run_id: run_id.clone(),
            line: "warning".into(),
        },
        Event::Artifact {
            run_id: run_id.clone(),
            artifact: Artifact {
                name: "hist_a.png".into(),
                path: "/tmp/hist_a.png".into(),
                mime: "image/png".into(),
                size_bytes: 10,
            },
        },
        Event::DatasetProfiled {
            run_id: run_id.clone(),
            profile: serde_json::from_value(serde_json::json!({
                "file_name": "a.csv", "size_bytes": 4, "rows": 1, "engine": "duckdb",
                "estimated": false, "delimiter": ",", "format": null, "notes": [],
                "columns": []
            }))
            .unwrap(),
        },
        Event::RunFinished {
            run_id,
            outcome: Outcome::Success,
            exit_code: Some(0),
            duration_ms: 5,
            summary: "Finished in 0.1 s.".into(),
            output_truncated: false,
            error: None,
        },
        Event::LlmPrompt {
            call_id: call_id.clone(),
            session_id: Some(SessionId::new()),
            system: Some("You are Sandpiper.".into()),
            prompt: "Dataset \"a.csv\" ...\n\nQuestion: how many rows?".into(),
            sample_rows_sent: 5,
            columns_left_out: 0,
        },
        Event::LlmStarted {
            call_id: call_id.clone(),
            session_id: Some(SessionId::new()),
            provider: ProviderId::Anthropic,
            model: "claude-sonnet-4-5".into(),
        },
        Event::LlmDelta {
            call_id: call_id.clone(),
            text: "df.describe()".into(),
        },
        Event::LlmRetrying {
            call_id: call_id.clone(),
            attempt: 1,
            max_attempts: 4,
            wait_ms: 2000,
            reason: "Claude (Anthropic) is overloaded right now.".into(),
        },
        Event::LlmFinished {
            call_id: call_id.clone(),
            input_tokens: Some(812),
            output_tokens: Some(95),
            duration_ms: 2100,
            first_token_ms: Some(420),
            stop_reason: Some("end_turn".into()),
            error: Some(PlainWords::new("llm.cancelled", "title", "advice")),
        },
        Event::Conversation {
            session_id: SessionId::new(),
            message: one_of_each_message().remove(0),
        },
        Event::InstallQuestion {
            question_id: QuestionId::new(),
            session_id: SessionId::new(),
            package: "python-slugify".into(),
            module: "slugify".into(),
        },
        Event::InstallAnswered {
            question_id: QuestionId::new(),
            session_id: SessionId::new(),
            allowed: true,
        },
        Event::SessionUsage {
            session_id: SessionId::new(),
            call_id,
            input_tokens: 812,
            output_tokens: 95,
            calls: 1,
            calls_without_counts: 0,
        },
    ];
    for sample in &samples {
        match sample {
            Event::ImagePullStarted { .. }
            | Event::ImagePullProgress { .. }
            | Event::ImageReady { .. }
            | Event::ImageBuildLine { .. }
            | Event::PackagesInstalling { .. }
            | Event::PackagesInstalled { .. }
            | Event::InstallQuestion { .. }
            | Event::InstallAnswered { .. }
            | Event::RunStarted { .. }
            | Event::Stdout { .. }
            | Event::Stderr { .. }
            | Event::Artifact { .. }
            | Event::DatasetProfiled { .. }
            | Event::LlmPrompt { .. }
            | Event::LlmStarted { .. }
            | Event::LlmDelta { .. }
            | Event::LlmRetrying { .. }
            | Event::LlmFinished { .. }
            | Event::SessionUsage { .. }
            | Event::Conversation { .. }
            | Event::RunFinished { .. } => {}
        }
    }
    samples
}

/// One of every conversation message, checked by a match like the events'.
fn one_of_each_message() -> Vec<Message> {
    let step_id = StepId::new();
    let (run_id, call_id, at) = (RunId::new(), CallId::new(), 1);
    let artifact = Artifact {
        name: "chart.png".into(),
        path: "/a/chart.png".into(),
        mime: "image/png".into(),
        size_bytes: 1,
    };
    let samples = vec![
        Message::Question {
            step_id: step_id.clone(),
            text: "Which region sold most?".into(),
            datasets: vec!["sales.csv".into()],
            at,
        },
        Message::TryStarted {
            step_id: step_id.clone(),
            try_number: 1,
            max_tries: 5,
            call_id: call_id.clone(),
            provider: ProviderId::OpenAiCompatible,
            model: "m".into(),
            sent: Some(SentToModel {
                system: "You write Python.".into(),
                prompt: "Columns: region, sales. Which region sold most?".into(),
                sample_rows_sent: 3,
                columns_left_out: 0,
            }),
            by_analyst: true,
            at,
        },
        Message::Notice {
            step_id: step_id.clone(),
            text: "Running the code…".into(),
            at,
        },
        Message::Code {
            step_id: step_id.clone(),
            try_number: 1,
            code: "print(1)".into(),
            at,
        },
        Message::TryRejected {
            step_id: step_id.clone(),
            try_number: 1,
            reason: "No code.".into(),
            at,
        },
        Message::Execution {
            step_id: step_id.clone(),
            try_number: 1,
            run_id: run_id.clone(),
            outcome: Outcome::Success,
            summary: "Finished.".into(),
            stdout: "1\n".into(),
            stderr_tail: String::new(),
            output_truncated: false,
            error: None,
            duration_ms: 9,
            at,
        },
        Message::Artifact {
            step_id: step_id.clone(),
            try_number: 1,
            run_id,
            artifact: artifact.clone(),
            at,
        },
        Message::Answer {
            step_id: step_id.clone(),
            call_id,
            text: "North.".into(),
            ungrounded: vec![UngroundedNumber {
                text: "12".into(),
                start: 0,
                end: 2,
            }],
            artifacts: vec![artifact],
            provenance: Provenance::default(),
            follow_ups: vec!["Which month sold the most?".into()],
            at,
        },
        Message::GaveUp {
            step_id: step_id.clone(),
            tries: vec![FailedTry {
                try_number: 1,
                reason: "KeyError".into(),
            }],
            suggestion: "Ask more simply.".into(),
            at,
        },
        Message::Error {
            step_id: step_id.clone(),
            error: PlainWords::new("llm.missing_key", "No key.", "Add one."),
            at,
        },
        Message::StepEnded {
            step_id,
            state: StepState::Done,
            tries: 1,
            input_tokens: 1,
            output_tokens: 1,
            duration_ms: 1,
            at,
        },
    ];
    for sample in &samples {
        match sample {
            Message::Question { .. }
            | Message::TryStarted { .. }
            | Message::Notice { .. }
            | Message::Code { .. }
            | Message::TryRejected { .. }
            | Message::Execution { .. }
            | Message::Artifact { .. }
            | Message::Answer { .. }
            | Message::GaveUp { .. }
            | Message::Error { .. }
            | Message::StepEnded { .. } => {}
        }
    }
    samples
}

/// `kind: ['field', ...]` lines of the EVENT_FIELDS object in ui/events.js.
fn fields_in_js(source: &str, object: &str) -> BTreeMap<String, Vec<String>> {
    let start = source
        .find(&format!("export const {object} = Object.freeze({{"))
        .unwrap_or_else(|| panic!("{object} not found in ui/events.js"));
    let body = &source[start..];
    let body = &body[..body.find("});").unwrap()];
    body.lines()
        .filter_map(|line| {
            let (kind, list) = line.trim().split_once(": [")?;
            let fields = list
                .trim_end_matches("],")
                .trim_end_matches(']')
                .split(',')
                .map(|f| f.trim().trim_matches('\'').to_owned())
                .filter(|f| !f.is_empty())
                .collect();
            Some((kind.trim().to_owned(), fields))
        })
        .collect()
}

fn quoted_list(source: &str, name: &str) -> Vec<String> {
    let start = source
        .find(&format!("export const {name} = Object.freeze(["))
        .unwrap_or_else(|| panic!("{name} not found in ui/events.js"));
    let body = &source[start..];
    let body = &body[body.find('[').unwrap() + 1..body.find("])").unwrap()];
    body.split(',')
        .map(|f| f.trim().trim_matches('\'').to_owned())
        .filter(|f| !f.is_empty())
        .collect()
}

fn js_source() -> String {
    std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/ui/events.js")).unwrap()
}

#[test]
fn every_event_kind_and_field_is_mirrored_in_the_ui() {
    let js = fields_in_js(&js_source(), "EVENT_FIELDS");
    let mut rust = BTreeMap::new();
    for event in one_of_each() {
        let value = serde_json::to_value(&event).unwrap();
        let object = value.as_object().unwrap();
        let kind = object["kind"].as_str().unwrap().to_owned();
        let fields = object
            .keys()
            .filter(|k| *k != "kind")
            .cloned()
            .collect::<Vec<_>>();
        rust.insert(kind, fields);
    }
    // serde_json sorts keys; the UI lists them in declaration order. Compare sets.
    let sorted = |m: BTreeMap<String, Vec<String>>| {
        m.into_iter()
            .map(|(k, mut v)| {
                v.sort();
                (k, v)
            })
            .collect::<BTreeMap<_, _>>()
    };
    assert_eq!(sorted(js), sorted(rust));
}

#[test]
fn every_conversation_message_and_step_state_is_mirrored_in_the_ui() {
    let source = js_source();
    let js = fields_in_js(&source, "MESSAGE_FIELDS");
    let mut rust = BTreeMap::new();
    for message in one_of_each_message() {
        let value = serde_json::to_value(&message).unwrap();
        let object = value.as_object().unwrap();
        let kind = object["type"].as_str().unwrap().to_owned();
        let mut fields: Vec<String> = object.keys().filter(|k| *k != "type").cloned().collect();
        fields.sort();
        rust.insert(kind, fields);
    }
    let js: BTreeMap<_, _> = js
        .into_iter()
        .map(|(k, mut v)| {
            v.sort();
            (k, v)
        })
        .collect();
    assert_eq!(js, rust);
    let states = [
        StepState::Done,
        StepState::GaveUp,
        StepState::Cancelled,
        StepState::Failed,
        StepState::Interrupted,
    ]
    .map(|s| {
        serde_json::to_value(s)
            .unwrap()
            .as_str()
            .unwrap()
            .to_owned()
    });
    assert_eq!(quoted_list(&source, "STEP_STATES"), states.to_vec());
}

#[test]
fn the_artifact_shape_and_outcomes_are_mirrored_in_the_ui() {
    let source = js_source();
    let artifact = serde_json::to_value(Artifact {
        name: "a".into(),
        path: "/a".into(),
        mime: "image/png".into(),
        size_bytes: 1,
    })
    .unwrap();
    let mut rust_fields: Vec<_> = artifact.as_object().unwrap().keys().cloned().collect();
    let mut js_fields = quoted_list(&source, "ARTIFACT_FIELDS");
    rust_fields.sort();
    js_fields.sort();
    assert_eq!(js_fields, rust_fields);

    let outcomes = [
        Outcome::Success,
        Outcome::Failed,
        Outcome::OutOfMemory,
        Outcome::TimedOut,
        Outcome::Cancelled,
        Outcome::DockerFailure,
    ];
    let rust_outcomes: Vec<String> = outcomes
        .iter()
        .map(|o| {
            serde_json::to_value(o)
                .unwrap()
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    assert_eq!(quoted_list(&source, "OUTCOMES"), rust_outcomes);
}

#[test]
fn the_shell_forwards_on_the_event_name_the_ui_listens_to() {
    let shell = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/src-tauri/src/events.rs"
    ))
    .unwrap();
    assert!(shell.contains("pub const ENGINE_EVENT: &str = \"engine-event\";"));
    assert!(js_source().contains("export const ENGINE_EVENT = 'engine-event';"));
    assert!(shell.contains("pub const STEP_FAILED_EVENT: &str = \"step-failed\";"));
    assert!(js_source().contains("export const STEP_FAILED_EVENT = 'step-failed';"));
}

#[test]
fn the_settings_dialogs_restore_defaults_match_the_engines_defaults() {
    let form = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/ui/settings-form.js"))
        .unwrap();
    let defaults = sandpiper::settings::SandboxSettings::default();
    let start = form
        .find("export const SANDBOX_DEFAULTS = Object.freeze({")
        .unwrap();
    let body = &form[start..];
    let body = &body[..body.find("});").unwrap()];
    let value_of = |key: &str| -> String {
        body.lines()
            .find_map(|l| l.trim().strip_prefix(&format!("{key}: ")))
            .unwrap_or_else(|| panic!("{key} missing from SANDBOX_DEFAULTS"))
            .trim_end_matches(',')
            .trim_matches('\'')
            .replace('_', "")
    };
    assert_eq!(value_of("image"), defaults.image.replace('_', ""));
    assert_eq!(value_of("memory_mib"), defaults.memory_mib.to_string());
    assert_eq!(value_of("cpu_quota_us"), defaults.cpu_quota_us.to_string());
    assert_eq!(value_of("timeout_secs"), defaults.timeout_secs.to_string());
    let period = form
        .lines()
        .find_map(|l| l.strip_prefix("export const CPU_PERIOD_US = "))
        .expect("CPU_PERIOD_US in settings-form.js")
        .trim_end_matches(';')
        .replace('_', "");
    assert_eq!(period, defaults.cpu_period_us.to_string());
}

#[test]
fn the_provider_picker_offers_exactly_the_engines_providers() {
    let form = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/ui/provider-form.js"))
        .unwrap();
    let start = form
        .find("export const PROVIDERS = Object.freeze([")
        .expect("PROVIDERS in ui/provider-form.js");
    let body = &form[start..];
    let body = &body[..body.find("]);").unwrap()];
    let in_ui: Vec<(&str, &str, &str)> = body
        .lines()
        .filter_map(|line| {
            let id = line.split("id: '").nth(1)?.split('\'').next()?;
            let key = line.split("keyEnvVar: ").nth(1)?.split(',').next()?;
            let url = line.split("defaultBaseUrl: ").nth(1)?.split(" }").next()?;
            Some((id, key, url))
        })
        .collect();
    let quoted = |v: Option<&str>| v.map_or("null".to_owned(), |v| format!("'{v}'"));
    let in_rust: Vec<(String, String, String)> = ProviderId::ALL
        .iter()
        .map(|p| {
            (
                p.as_str().to_owned(),
                quoted(p.key_env_var()),
                quoted(p.default_base_url()),
            )
        })
        .collect();
    let in_ui: Vec<(String, String, String)> = in_ui
        .into_iter()
        .map(|(a, b, c)| (a.to_owned(), b.to_owned(), c.to_owned()))
        .collect();
    assert_eq!(in_ui, in_rust);
}

#[test]
fn the_settings_dialogs_packages_fields_match_the_engines_package_settings() {
    let form = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/ui/settings-form.js"))
        .unwrap();
    let start = form
        .find("export const PACKAGES_DEFAULTS = Object.freeze({")
        .expect("PACKAGES_DEFAULTS in ui/settings-form.js");
    let body = &form[start..];
    let body = &body[body.find('{').unwrap() + 1..body.find("});").unwrap()];
    // `key: value,` lines; the values are JSON (null, true, []).
    let in_ui: BTreeMap<String, serde_json::Value> = body
        .lines()
        .filter_map(|line| line.trim().trim_end_matches(',').split_once(": "))
        .map(|(key, value)| {
            let value = serde_json::from_str(value)
                .unwrap_or_else(|e| panic!("PACKAGES_DEFAULTS.{key} is not plain JSON: {e}"));
            (key.to_owned(), value)
        })
        .collect();
    let defaults = serde_json::to_value(sandpiper::settings::PackageSettings::default()).unwrap();
    let mut in_rust: BTreeMap<String, serde_json::Value> = defaults
        .as_object()
        .unwrap()
        .iter()
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    // Not defaults the dialog restores: the certificates file depends on the
    // computer (the shell's default_ca_bundle says which), and the packages volume
    // is internal, kept as loaded.
    in_rust
        .remove("ca_bundle")
        .expect("PackageSettings has ca_bundle");
    in_rust
        .remove("store_volume")
        .expect("PackageSettings has store_volume");
    assert_eq!(in_ui, in_rust);

    // Every field the dialog shows is written back under the engine's name.
    for key in in_rust.keys().chain(["ca_bundle".to_owned()].iter()) {
        assert!(
            form.contains(&format!("      {key}: ")),
            "fromForm does not write packages.{key}"
        );
    }
}

/// The themes Settings → Appearance offers are the engine's `Theme`, spelled
/// as it saves them.
#[test]
fn the_appearance_themes_are_the_engines() {
    use sandpiper::settings::Theme;
    let js = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/ui/theme.js")).unwrap();
    let rust: Vec<String> = [Theme::System, Theme::Light, Theme::Dark]
        .into_iter()
        .map(|theme| {
            // The match stops compiling when a theme is added, so it is listed above.
            match theme {
                Theme::System | Theme::Light | Theme::Dark => {}
            }
            serde_json::to_value(theme)
                .unwrap()
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    assert_eq!(quoted_list(&js, "THEMES"), rust);
    assert_eq!(
        serde_json::to_value(sandpiper::Settings::default()).unwrap()["appearance"]["theme"],
        "system",
        "the system's theme until the analyst picks one"
    );
}

/// The window's content security policy: nothing from the network, no inline or
/// evaluated script, no plugins, no <base> rewriting, no form posting anywhere.
#[test]
fn the_window_allows_no_remote_content_and_no_inline_script() {
    let conf: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/src-tauri/tauri.conf.json"
        ))
        .unwrap(),
    )
    .unwrap();
    let csp = conf["app"]["security"]["csp"].as_str().expect("a CSP");
    let directives: BTreeMap<&str, Vec<&str>> = csp
        .split(';')
        .filter_map(|d| {
            let mut words = d.split_whitespace();
            Some((words.next()?, words.collect()))
        })
        .collect();
    assert_eq!(directives["script-src"], ["'self'"], "{csp}");
    for none in ["object-src", "base-uri", "form-action"] {
        assert_eq!(directives.get(none), Some(&vec!["'none'"]), "{none}: {csp}");
    }
    // Only the app itself, Tauri's IPC and asset protocols, and inline images.
    let allowed = [
        "'self'",
        "'none'",
        "'unsafe-inline'",
        "ipc:",
        "http://ipc.localhost",
        "asset:",
        "http://asset.localhost",
        "data:",
        "blob:",
    ];
    for (name, sources) in &directives {
        for source in sources {
            assert!(allowed.contains(source), "{name} allows {source}: {csp}");
        }
        if *name != "style-src" {
            assert!(!sources.contains(&"'unsafe-inline'"), "{name}: {csp}");
        }
    }
}
