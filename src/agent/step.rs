//! One analysis step (seed 000's iterative coding agent): the question, then up
//! to `max_tries` tries of "the model writes a script → it runs in the session's
//! container", each failure sent back to be fixed, then a short call that turns
//! the output into the answer. Every message is emitted the moment it happens.

use super::context::StepContext;
use super::extract::extract_code;
use super::follow_ups;
use super::grounding::ungrounded_numbers;
use super::history::{Attempt, Failure, Tried};
use super::prompt::{self, Setting};
use super::workbench::Workbench;
use crate::conversation::{self, FailedTry, Message, Provenance, SentToModel, StepState};
use crate::error::{Error, LlmError, Result};
use crate::events::{Event, EventSink, Outcome};
use crate::ids::{CallId, RunId, SessionId, StepId};
use crate::llm::{self, Completion, CompletionRequest, Provider, UsageLedger};
use crate::sandbox::{Program, RunResult};
use crate::session_container::SessionRun;
use crate::settings::AgentSettings;
use std::time::Instant;
use tokio_util::sync::CancellationToken;

/// The longest reply asked for: a script, and an answer in plain words.
const SCRIPT_MAX_TOKENS: u32 = 2048;
const ANSWER_MAX_TOKENS: u32 = 700;

/// The question and where it stands in its conversation.
pub struct Step<'a> {
    pub session_id: &'a SessionId,
    pub step_id: StepId,
    pub question: &'a str,
    /// Earlier questions of the session and their answers, oldest first.
    pub earlier: Vec<(String, String)>,
    /// The analyst's own code ("Edit and run"): the first try runs it as
    /// written, without asking the model; a failure goes to the model to fix,
    /// like any try's.
    pub own_code: Option<String>,
}

/// The model that writes the code, and where its tokens are counted.
pub struct Model<'a> {
    pub provider: &'a dyn Provider,
    pub model: String,
    pub ledger: &'a UsageLedger,
    /// Brief the model with the compact prompt (small local models).
    pub compact: bool,
}

/// How a step ended.
#[derive(Debug, Clone, PartialEq)]
pub struct StepReport {
    pub step_id: StepId,
    pub state: StepState,
    pub answer: Option<String>,
    pub tries: u32,
    pub input_tokens: u64,
    pub output_tokens: u64,
}

/// Opens a step: the question goes into the conversation at once, before the
/// model, the container and the datasets are got ready. Returns when it started.
pub fn open_step(step: &Step<'_>, dataset_names: Vec<String>, sink: &dyn EventSink) -> Instant {
    sink.emit(Event::Conversation {
        session_id: step.session_id.clone(),
        message: Message::Question {
            step_id: step.step_id.clone(),
            text: step.question.to_owned(),
            datasets: dataset_names,
            at: conversation::now(),
        },
    });
    Instant::now()
}

/// Ends a step that could not start (no key, Docker not running, a dataset that
/// cannot be described): the error in plain words, then its end.
pub fn fail_step(
    step: &Step<'_>,
    started: Instant,
    error: &Error,
    sink: &dyn EventSink,
) -> StepReport {
    let state = match error {
        Error::Llm(LlmError::Cancelled) => StepState::Cancelled,
        _ => StepState::Failed,
    };
    let say = |message| {
        sink.emit(Event::Conversation {
            session_id: step.session_id.clone(),
            message,
        })
    };
    if state == StepState::Failed {
        say(Message::Error {
            step_id: step.step_id.clone(),
            error: error.plain_words(),
            at: conversation::now(),
        });
    }
    say(Message::StepEnded {
        step_id: step.step_id.clone(),
        state,
        tries: 0,
        input_tokens: 0,
        output_tokens: 0,
        duration_ms: started.elapsed().as_millis() as u64,
        at: conversation::now(),
    });
    StepReport {
        step_id: step.step_id.clone(),
        state,
        answer: None,
        tries: 0,
        input_tokens: 0,
        output_tokens: 0,
    }
}

/// Runs an opened step to its end. Returns an error only when the conversation
/// could not be told; everything else, cancels and failures included, is a
/// `StepReport` whose messages said what happened.
#[allow(clippy::too_many_arguments)]
pub async fn run_step(
    step: &Step<'_>,
    started: Instant,
    model: Model<'_>,
    bench: &mut Workbench<'_>,
    settings: &AgentSettings,
    context: &StepContext,
    sink: &dyn EventSink,
    cancel: &CancellationToken,
) -> Result<StepReport> {
    let mut run = StepRun {
        step,
        model: &model,
        settings,
        sink,
        cancel,
        started,
        tries: 0,
        input_tokens: 0,
        output_tokens: 0,
    };
    let ending = run.tries(bench, context).await;
    let (state, answer) = match ending {
        Ok(ending) => ending,
        Err(Stop::Cancelled) => (StepState::Cancelled, None),
        Err(Stop::Failed(error)) => {
            run.error(&error);
            (StepState::Failed, None)
        }
    };
    run.say(Message::StepEnded {
        step_id: step.step_id.clone(),
        state,
        tries: run.tries,
        input_tokens: run.input_tokens,
        output_tokens: run.output_tokens,
        duration_ms: run.started.elapsed().as_millis() as u64,
        at: conversation::now(),
    });
    Ok(StepReport {
        step_id: step.step_id.clone(),
        state,
        answer,
        tries: run.tries,
        input_tokens: run.input_tokens,
        output_tokens: run.output_tokens,
    })
}

/// Why the tries stopped before an answer or a give-up.
enum Stop {
    Cancelled,
    Failed(Error),
}

impl From<Error> for Stop {
    fn from(error: Error) -> Self {
        match error {
            Error::Llm(LlmError::Cancelled) => Stop::Cancelled,
            other => Stop::Failed(other),
        }
    }
}

struct StepRun<'a> {
    step: &'a Step<'a>,
    model: &'a Model<'a>,
    settings: &'a AgentSettings,
    sink: &'a dyn EventSink,
    cancel: &'a CancellationToken,
    started: Instant,
    tries: u32,
    input_tokens: u64,
    output_tokens: u64,
}

impl StepRun<'_> {
    fn say(&self, message: Message) {
        self.sink.emit(Event::Conversation {
            session_id: self.step.session_id.clone(),
            message,
        });
    }

    fn notice(&self, text: impl Into<String>) {
        self.say(Message::Notice {
            step_id: self.step.step_id.clone(),
            text: text.into(),
            at: conversation::now(),
        });
    }

    fn error(&self, error: &Error) {
        self.say(Message::Error {
            step_id: self.step.step_id.clone(),
            error: error.plain_words(),
            at: conversation::now(),
        });
    }

    fn stopped(&self) -> std::result::Result<(), Stop> {
        match self.cancel.is_cancelled() {
            true => Err(Stop::Cancelled),
            false => Ok(()),
        }
    }

    /// The fix loop: tries until one succeeds (then the answer), the tries or the
    /// token budget run out (then the give-up), or the step is stopped.
    async fn tries(
        &mut self,
        bench: &mut Workbench<'_>,
        context: &StepContext,
    ) -> std::result::Result<(StepState, Option<String>), Stop> {
        let setting = Setting {
            question: self.step.question,
            datasets: &context.sent,
            workspace_files: &context.workspace_files,
            more_workspace_files: context.more_workspace_files,
            earlier: &self.step.earlier,
            reading: &context.reading,
        };
        let mut tried = Tried::default();
        let mut last: Option<Attempt> = None;
        let mut failed = Vec::new();
        while self.tries < self.settings.max_tries {
            self.stopped()?;
            if self.input_tokens + self.output_tokens >= self.settings.step_token_budget {
                return Ok((self.give_up(failed, true), None));
            }
            self.tries += 1;
            let try_number = self.tries;
            let request = match &last {
                None => prompt::first_request(&setting),
                Some(last) => prompt::fix_request(&setting, last, &tried),
            };
            let call_id = CallId::new();
            let brief = match self.model.compact {
                true => prompt::COMPACT_BRIEF,
                false => prompt::FULL_BRIEF,
            };
            let tally = context.sent_tally();
            let own_code = self.step.own_code.clone().filter(|_| try_number == 1);
            self.say(Message::TryStarted {
                step_id: self.step.step_id.clone(),
                try_number,
                max_tries: self.settings.max_tries,
                call_id: call_id.clone(),
                provider: self.model.provider.id(),
                model: self.model.model.clone(),
                // The analyst's own code: nothing goes to the model for it.
                sent: own_code.is_none().then(|| SentToModel {
                    system: brief.to_owned(),
                    prompt: request.clone(),
                    sample_rows_sent: tally.0,
                    columns_left_out: tally.1,
                }),
                by_analyst: own_code.is_some(),
                at: conversation::now(),
            });
            let found = match own_code {
                Some(code) => Some(super::extract::Extracted::as_written(code)),
                None => {
                    let reply = self
                        .call(&call_id, brief, request, SCRIPT_MAX_TOKENS, &tally)
                        .await?;
                    extract_code(&reply.text)
                }
            };

            let attempt = match found {
                None => self.rejected(try_number, None, Failure::NoCode),
                Some(found) => match tried.same_code_as(&found.code) {
                    Some(same_as) => {
                        self.rejected(try_number, Some(found.code), Failure::Repeated { same_as })
                    }
                    None => {
                        self.say(Message::Code {
                            step_id: self.step.step_id.clone(),
                            try_number,
                            code: found.code.clone(),
                            at: conversation::now(),
                        });
                        let result = self.execute(bench, try_number, &found.code).await?;
                        if result.outcome == Outcome::Cancelled {
                            return Err(Stop::Cancelled);
                        }
                        match failure_of(&result) {
                            None => {
                                let answer = self
                                    .answer(bench, context, try_number, &found.code, &result)
                                    .await?;
                                return Ok((StepState::Done, Some(answer)));
                            }
                            Some(failure) => Attempt {
                                try_number,
                                code: Some(found.code),
                                failure,
                            },
                        }
                    }
                },
            };
            failed.push(FailedTry {
                try_number,
                reason: reason_in_plain_words(&attempt.failure),
            });
            tried.record(&attempt);
            if tried.is_going_in_circles() && self.tries < self.settings.max_tries {
                self.notice("The same problem came back: asking for a different approach.");
            }
            last = Some(attempt);
        }
        Ok((self.give_up(failed, false), None))
    }

    fn rejected(&self, try_number: u32, code: Option<String>, failure: Failure) -> Attempt {
        self.say(Message::TryRejected {
            step_id: self.step.step_id.clone(),
            try_number,
            reason: reason_in_plain_words(&failure),
            at: conversation::now(),
        });
        Attempt {
            try_number,
            code,
            failure,
        }
    }

    /// One model call, streamed as `llm_*` events, its tokens counted for the
    /// session (ledger) and the step (budget).
    async fn call(
        &mut self,
        call_id: &CallId,
        brief: &str,
        prompt_text: String,
        max_tokens: u32,
        sent: &(u64, u64),
    ) -> std::result::Result<Completion, Stop> {
        let mut request = CompletionRequest::new(self.model.model.clone(), prompt_text);
        request.system = Some(brief.to_owned());
        // A script or an answer is far shorter; a small model that rambles is cut
        // here instead of spending minutes of a laptop's CPU.
        request.max_tokens = max_tokens;
        request.temperature = Some(0.0);
        self.sink.emit(Event::LlmPrompt {
            call_id: call_id.clone(),
            session_id: Some(self.step.session_id.clone()),
            system: request.system.clone(),
            prompt: request.messages[0].content.clone(),
            sample_rows_sent: sent.0,
            columns_left_out: sent.1,
        });
        let reply = llm::stream_with_events(
            self.model.provider,
            &request,
            call_id,
            Some(self.step.session_id),
            self.sink,
            self.cancel,
        )
        .await
        .map_err(Error::from)?;
        let estimate = |text: &str| (text.chars().count() as u64).div_ceil(4);
        self.input_tokens += reply
            .usage
            .input_tokens
            .unwrap_or_else(|| estimate(brief) + estimate(&request.messages[0].content));
        self.output_tokens += reply
            .usage
            .output_tokens
            .unwrap_or_else(|| estimate(&reply.text));
        let model = reply.model.clone().unwrap_or_else(|| request.model.clone());
        llm::record_call_usage(
            self.model.ledger,
            self.step.session_id,
            call_id,
            self.model.provider.id(),
            &model,
            reply.usage,
            self.sink,
        )
        .await?;
        Ok(reply)
    }

    /// Runs a try's code in the session's container; a missing package is
    /// installed and the code runs again without spending a try.
    async fn execute(
        &self,
        bench: &mut Workbench<'_>,
        try_number: u32,
        code: &str,
    ) -> std::result::Result<RunResult, Stop> {
        self.stopped()?;
        self.notice("Running the code…");
        let run = SessionRun {
            session: self.step.session_id,
            run_id: RunId::new(),
            title: &format!("Try {try_number}"),
            program: Program::code(code).reading_tables_as(&bench.read_choices),
            datasets: bench.mounts,
            // One folder per try, so a fix's chart never overwrites the one
            // before it (a saved session keeps both: artifacts/<step>/try-<n>).
            artifacts_dir: bench.artifacts_dir.join(format!("try-{try_number}")),
            cancel: self.cancel.child_token(),
        };
        let result = bench.run(run, self.sink).await?;
        self.say(Message::Execution {
            step_id: self.step.step_id.clone(),
            try_number,
            run_id: result.run_id.clone(),
            outcome: result.outcome,
            summary: result.summary.clone(),
            stdout: result.stdout.clone(),
            stderr_tail: prompt::tail(&result.stderr, 4_000),
            output_truncated: result.output_truncated,
            error: result.error.clone(),
            duration_ms: result.duration.as_millis() as u64,
            at: conversation::now(),
        });
        for artifact in &result.artifacts {
            self.say(Message::Artifact {
                step_id: self.step.step_id.clone(),
                try_number,
                run_id: result.run_id.clone(),
                artifact: artifact.clone(),
                at: conversation::now(),
            });
        }
        Ok(result)
    }

    /// The last call: the output in plain words, each number checked against it.
    async fn answer(
        &mut self,
        bench: &mut Workbench<'_>,
        context: &StepContext,
        try_number: u32,
        code: &str,
        result: &RunResult,
    ) -> std::result::Result<String, Stop> {
        self.notice("Writing the answer…");
        let names: Vec<String> = result.artifacts.iter().map(|a| a.name.clone()).collect();
        let call_id = CallId::new();
        let request =
            prompt::answer_request(self.step.question, &result.stdout, &names, &context.sent);
        let reply = self
            .call(
                &call_id,
                prompt::ANSWER_BRIEF,
                request,
                ANSWER_MAX_TOKENS,
                &(0, 0),
            )
            .await?;
        let (text, follow_ups) = follow_ups::split_answer(&reply.text, self.step.question);
        let ungrounded = ungrounded_numbers(&text, &result.stdout, self.step.question);
        let provenance = Provenance {
            code: code.to_owned(),
            try_number,
            image: bench.container.meta.image_name.clone(),
            image_id: bench.containers.image_id().await.ok(),
            packages: bench
                .package_versions(self.step.session_id, self.cancel)
                .await
                .unwrap_or_default(),
            datasets: context.fingerprints.clone(),
        };
        self.say(Message::Answer {
            step_id: self.step.step_id.clone(),
            call_id,
            text: text.clone(),
            ungrounded,
            artifacts: result.artifacts.clone(),
            provenance,
            follow_ups,
            at: conversation::now(),
        });
        Ok(text)
    }

    /// The honest "I could not do this": what each try did wrong, and what to try.
    fn give_up(&self, tries: Vec<FailedTry>, out_of_budget: bool) -> StepState {
        let suggestion = if out_of_budget {
            format!(
                "This question used its budget of {} tokens, so Sandpiper stopped trying. Ask \
                 in a simpler way or in smaller steps, or raise the budget in Settings.",
                self.settings.step_token_budget
            )
        } else if tries.is_empty() {
            "Ask in a simpler way, or in smaller steps.".to_owned()
        } else {
            "Try asking in a simpler way, or in smaller steps (for example, first \"Show the \
             columns\", then the question). Check the column names in the dataset preview. A \
             stronger model (Settings → Language model) may also manage it."
                .to_owned()
        };
        self.say(Message::GaveUp {
            step_id: self.step.step_id.clone(),
            tries,
            suggestion,
            at: conversation::now(),
        });
        StepState::GaveUp
    }
}

/// Why a run does not answer the question, or `None` when it does.
fn failure_of(result: &RunResult) -> Option<Failure> {
    if result.outcome == Outcome::Success {
        let printed = !result.stdout.trim().is_empty() || !result.artifacts.is_empty();
        return (!printed).then_some(Failure::PrintedNothing);
    }
    let error = match &result.error {
        Some(e) => match e.line {
            Some(line) => format!("{}: {} (line {line})", e.type_name, e.message),
            None => format!("{}: {}", e.type_name, e.message),
        },
        None => result.summary.clone(),
    };
    Some(Failure::Failed {
        error,
        traceback_tail: result.stderr.clone(),
        stdout_head: result.stdout.clone(),
    })
}

fn reason_in_plain_words(failure: &Failure) -> String {
    match failure {
        Failure::NoCode => "The model's reply had no Python code in it.".to_owned(),
        Failure::Repeated { same_as } => {
            format!("The model sent the same code as in try {same_as}, so it was not run again.")
        }
        Failure::PrintedNothing => "The code ran but printed no result.".to_owned(),
        Failure::Failed { error, .. } => format!("The code stopped with {error}."),
    }
}
