//! Asking the analyst, in the window, before a package the code wants is
//! installed when it is not one Sandpiper installs by itself. Each session
//! and package is asked about once: the answer stands for the session's later
//! steps. Engines nobody answers for (the CLI, an evaluation) ask nothing, and
//! the package is refused with what to do instead.

use crate::events::{Event, EventSink};
use crate::ids::{QuestionId, SessionId};
use crate::session_container::InstallConsent;
use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use tokio::sync::oneshot;
use tokio_util::sync::CancellationToken;

#[derive(Default)]
pub(super) struct InstallQuestions {
    /// Set by the window: someone answers the questions.
    answered_by_someone: AtomicBool,
    /// Each session's answers, by package.
    answers: Mutex<HashMap<(SessionId, String), bool>>,
    /// Questions waiting for their answer.
    waiting: Mutex<HashMap<QuestionId, oneshot::Sender<bool>>>,
}

impl InstallQuestions {
    pub(super) fn ask_from_now_on(&self) {
        self.answered_by_someone.store(true, Ordering::Relaxed);
    }

    pub(super) fn asks(&self) -> bool {
        self.answered_by_someone.load(Ordering::Relaxed)
    }

    /// Hands the analyst's answer to the step waiting for it. False when no
    /// step waits for this question any more (answered already, or stopped).
    pub(super) fn answer(&self, question: &QuestionId, allowed: bool) -> bool {
        let waiting = self
            .waiting
            .lock()
            .expect("questions lock")
            .remove(question);
        waiting.is_some_and(|step| step.send(allowed).is_ok())
    }
}

#[async_trait::async_trait]
impl InstallConsent for InstallQuestions {
    async fn may_install(
        &self,
        session: &SessionId,
        package: &str,
        module: &str,
        sink: &dyn EventSink,
        cancel: &CancellationToken,
    ) -> bool {
        let key = (session.clone(), package.to_owned());
        if let Some(&answer) = self.answers.lock().expect("answers lock").get(&key) {
            return answer;
        }
        if !self.asks() {
            return false;
        }
        let question_id = QuestionId::new();
        let (reply, answer) = oneshot::channel();
        self.waiting
            .lock()
            .expect("questions lock")
            .insert(question_id.clone(), reply);
        sink.emit(Event::InstallQuestion {
            question_id: question_id.clone(),
            session_id: session.clone(),
            package: package.to_owned(),
            module: module.to_owned(),
        });
        let allowed = tokio::select! {
            answered = answer => answered.unwrap_or(false),
            _ = cancel.cancelled() => {
                self.waiting.lock().expect("questions lock").remove(&question_id);
                // Stopped, not answered: a later step may ask again.
                sink.emit(Event::InstallAnswered {
                    question_id,
                    session_id: session.clone(),
                    allowed: false,
                });
                return false;
            }
        };
        self.answers
            .lock()
            .expect("answers lock")
            .insert(key, allowed);
        sink.emit(Event::InstallAnswered {
            question_id,
            session_id: session.clone(),
            allowed,
        });
        allowed
    }
}
