//! Token totals per session, on real files in a temp dir: they add up, survive a
//! restart of the engine, lose nothing when calls finish at once, and a damaged
//! or half-written file never silently costs the analyst their count.

use sandpiper::ids::{CallId, SessionId};
use sandpiper::llm::{ProviderId, Usage, UsageLedger};
use sandpiper::{Engine, Error, Settings};
use std::sync::Arc;

fn usage(input: u64, output: u64) -> Usage {
    Usage {
        input_tokens: Some(input),
        output_tokens: Some(output),
    }
}

#[test]
fn a_sessions_total_adds_up_its_calls_and_survives_an_engine_restart() {
    let state = tempfile::tempdir().unwrap();
    let session = SessionId::new();
    let (first, second) = (CallId::new(), CallId::new());
    {
        let engine = Engine::with_state_dir(Settings::default(), state.path().to_owned());
        let ledger = engine.usage_ledger();
        assert_eq!(ledger.total(&session).unwrap().calls, 0);
        let after_one = ledger
            .record(
                &session,
                &first,
                ProviderId::Anthropic,
                "claude-sonnet-4-5",
                usage(812, 95),
            )
            .unwrap();
        assert_eq!((after_one.input_tokens, after_one.output_tokens), (812, 95));
        let after_two = ledger
            .record(
                &session,
                &second,
                ProviderId::Ollama,
                "llama3.1",
                usage(400, 5),
            )
            .unwrap();
        assert_eq!(
            (after_two.input_tokens, after_two.output_tokens),
            (1212, 100)
        );
    }

    let restarted = Engine::with_state_dir(Settings::default(), state.path().to_owned());
    let totals = restarted.usage_ledger().total(&session).unwrap();
    assert_eq!(
        (totals.input_tokens, totals.output_tokens, totals.calls),
        (1212, 100, 2)
    );
    let calls: Vec<_> = totals
        .per_call
        .iter()
        .map(|c| (&c.call_id, c.input_tokens))
        .collect();
    assert_eq!(calls, [(&first, Some(812)), (&second, Some(400))]);
    assert_eq!(totals.per_call[1].model, "llama3.1");

    // One readable file per session, and nothing else left behind (no temp files).
    let file = state.path().join("usage").join(format!("{session}.json"));
    let on_disk: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&file).unwrap()).unwrap();
    assert_eq!(on_disk["input_tokens"], 1212);
    let leftovers: Vec<_> = std::fs::read_dir(state.path().join("usage"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "temp files left: {leftovers:?}");

    // Another session's total is its own.
    assert_eq!(
        restarted
            .usage_ledger()
            .total(&SessionId::new())
            .unwrap()
            .calls,
        0
    );
}

#[test]
fn calls_that_finish_at_once_lose_no_counts() {
    const WRITERS: u64 = 8;
    const CALLS_EACH: u64 = 25;
    let dir = tempfile::tempdir().unwrap();
    let session = Arc::new(SessionId::new());
    let threads: Vec<_> = (0..WRITERS)
        .map(|writer| {
            // Each writer has its own ledger, as the app and the CLI would.
            let ledger = UsageLedger::new(dir.path());
            let session = session.clone();
            std::thread::spawn(move || {
                for _ in 0..CALLS_EACH {
                    ledger
                        .record(
                            &session,
                            &CallId::new(),
                            ProviderId::OpenAi,
                            "gpt",
                            usage(writer + 1, 1),
                        )
                        .unwrap();
                }
            })
        })
        .collect();
    for thread in threads {
        thread.join().unwrap();
    }
    let totals = UsageLedger::new(dir.path()).total(&session).unwrap();
    assert_eq!(totals.calls, WRITERS * CALLS_EACH);
    assert_eq!(totals.per_call.len() as u64, WRITERS * CALLS_EACH);
    // 25 calls of 1 + 25 of 2 + ... + 25 of 8 input tokens.
    assert_eq!(totals.input_tokens, CALLS_EACH * (1..=WRITERS).sum::<u64>());
    assert_eq!(totals.output_tokens, WRITERS * CALLS_EACH);
}

#[test]
fn a_write_cut_short_by_a_crash_leaves_the_last_total() {
    let dir = tempfile::tempdir().unwrap();
    let ledger = UsageLedger::new(dir.path());
    let session = SessionId::new();
    ledger
        .record(
            &session,
            &CallId::new(),
            ProviderId::Gemini,
            "gemini",
            usage(100, 10),
        )
        .unwrap();
    // What a crash between writing the new content and renaming it leaves: a
    // half-written temp file beside the real one.
    std::fs::write(
        dir.path().join(format!(".{session}.crash.tmp")),
        br#"{"version":1,"session_id":"x","input_tok"#,
    )
    .unwrap();
    let totals = ledger.total(&session).unwrap();
    assert_eq!((totals.input_tokens, totals.calls), (100, 1));
    let next = ledger
        .record(
            &session,
            &CallId::new(),
            ProviderId::Gemini,
            "gemini",
            usage(1, 1),
        )
        .unwrap();
    assert_eq!((next.input_tokens, next.calls), (101, 2));
}

#[test]
fn a_damaged_file_is_reported_in_plain_words_and_left_as_it_is() {
    let dir = tempfile::tempdir().unwrap();
    let ledger = UsageLedger::new(dir.path());
    let session = SessionId::new();
    let file = dir.path().join(format!("{session}.json"));
    std::fs::write(&file, "not json").unwrap();

    let err = ledger.total(&session).unwrap_err();
    assert!(matches!(err, Error::UsageFileDamaged { .. }), "{err:?}");
    let words = err.plain_words();
    assert_eq!(
        words.title,
        "Sandpiper could not read how many tokens this conversation used."
    );
    assert!(
        words.advice.contains(&file.display().to_string()),
        "{words}"
    );

    // Recording does not reset it to zero either: the old count may still be rescued.
    let err = ledger
        .record(
            &session,
            &CallId::new(),
            ProviderId::OpenAi,
            "gpt",
            usage(1, 1),
        )
        .unwrap_err();
    assert!(matches!(err, Error::UsageFileDamaged { .. }), "{err:?}");
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "not json");
}

/// Ids come back from the window and from files as text: one that could climb
/// out of the ledger's folder never becomes a `SessionId`, so nothing is written.
#[test]
fn a_session_id_that_could_leave_the_folder_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let ledger = UsageLedger::new(dir.path().join("usage"));
    for bad in ["../escape", "", "a/b", "session-1.json"] {
        let err = SessionId::parse(bad).unwrap_err();
        assert!(
            matches!(err, Error::SessionIdNotUsable(_)),
            "{bad}: {err:?}"
        );
        let from_the_window = serde_json::to_string(bad).unwrap();
        assert!(serde_json::from_str::<SessionId>(&from_the_window).is_err());
    }
    let good = SessionId::parse("session-1").unwrap();
    ledger
        .record(
            &good,
            &CallId::new(),
            ProviderId::OpenAi,
            "gpt",
            usage(1, 1),
        )
        .unwrap();
    assert!(dir.path().join("usage/session-1.json").is_file());
    assert!(!dir.path().join("escape.json").exists());
}
