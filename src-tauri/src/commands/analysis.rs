//! Questions answered by the analysis agent in an open session: every message
//! arrives as a `conversation` engine event (saved before it is sent), the
//! code's output as `stdout`/`stderr`, the model's writing as `llm_delta`.

use crate::events::{STEP_FAILED_EVENT, StepFailed, WindowSink};
use crate::plain_error::{CommandError, CommandResult};
use crate::state::AppState;
use sandpiper::SessionId;
use sandpiper::ids::{QuestionId, StepId};
use std::sync::Arc;
use tauri::{AppHandle, Emitter, Manager, State};

/// Starts answering `question` in the open session and returns the step's id
/// at once; the step ends with a `step_ended` conversation message.
#[tauri::command]
pub async fn start_analysis(
    app: AppHandle,
    state: State<'_, AppState>,
    session_id: SessionId,
    question: String,
) -> CommandResult<String> {
    let session = state.open_session(&session_id)?;
    let sink = Arc::new(WindowSink::new(app.clone()));
    let (step_id, handle) =
        state
            .engine
            .start_analysis_in_session(Arc::clone(&session), question, sink)?;
    state.step_started(&session);
    tell_the_end(app, session_id, step_id.clone(), handle, "The question");
    Ok(step_id.to_string())
}

/// "Edit and run": the analyst's version of step `step_id`'s code runs as
/// the first try of a new step asking that step's question; returns the new
/// step's id at once, like `start_analysis`.
#[tauri::command]
pub async fn run_own_code(
    app: AppHandle,
    state: State<'_, AppState>,
    session_id: SessionId,
    step_id: String,
    code: String,
) -> CommandResult<String> {
    let session = state.open_session(&session_id)?;
    let sink = Arc::new(WindowSink::new(app.clone()));
    let (new_step, handle) = state.engine.start_own_code_in_session(
        Arc::clone(&session),
        &StepId::from(step_id),
        code,
        sink,
    )?;
    state.step_started(&session);
    tell_the_end(app, session_id, new_step.clone(), handle, "Your code");
    Ok(new_step.to_string())
}

/// A step tells its own end, except when the conversation itself could not
/// be saved: then the window must hear it, or it would wait forever.
fn tell_the_end(
    app: AppHandle,
    session_id: SessionId,
    step_id: StepId,
    handle: tokio::task::JoinHandle<sandpiper::Result<sandpiper::agent::StepReport>>,
    what: &'static str,
) {
    tauri::async_runtime::spawn(async move {
        let ended = handle.await;
        app.state::<AppState>().step_ended(&session_id);
        let error = match ended {
            Ok(Ok(_)) => return,
            Ok(Err(err)) => CommandError::from(err),
            Err(_) => CommandError::stopped_unexpectedly(what),
        };
        let _ = app.emit(
            STEP_FAILED_EVENT,
            StepFailed {
                session_id,
                step_id,
                error,
            },
        );
    });
}

/// Stops a step: its model call and its running code. False when it had ended.
#[tauri::command]
pub fn stop_step(state: State<'_, AppState>, step_id: String) -> bool {
    state.engine.cancel_step(&StepId::from(step_id))
}

/// The analyst's answer to "Install this package?". False when no step waits
/// for it any more (stopped, or answered already).
#[tauri::command]
pub fn answer_install_question(
    state: State<'_, AppState>,
    question_id: String,
    allowed: bool,
) -> bool {
    state
        .engine
        .answer_install_question(&QuestionId::from(question_id), allowed)
}

/// Gets the open session's container ready (created, its datasets described)
/// while the analyst types, so the first question pays only for a warm run. A
/// question asked meanwhile waits for it rather than doing the work twice.
#[tauri::command]
pub async fn warm_session(
    app: AppHandle,
    state: State<'_, AppState>,
    session_id: SessionId,
) -> CommandResult<()> {
    let session = state.open_session(&session_id)?;
    let sink = WindowSink::new(app);
    Ok(state
        .engine
        .warm_session(&session_id, &session.dataset_paths(), &sink)
        .await?)
}

/// "Explain this step": the model in Settings says in plain words what the
/// code behind the step's answer did. Returns the explanation (not saved).
#[tauri::command]
pub async fn explain_step(
    app: AppHandle,
    state: State<'_, AppState>,
    session_id: SessionId,
    step_id: StepId,
) -> CommandResult<String> {
    let call_id = sandpiper::CallId::new();
    Ok(state
        .engine
        .explain_step(&session_id, &step_id, &call_id, &WindowSink::new(app))
        .await?)
}
