//! Asking the analyst, in the window, before a package the code wants is
//! installed when it is not one Sandpiper installs by itself. Each session
//! and package is asked about once: the answer stands for the session's later
//! steps. Engines nobody answers for (the CLI, an evaluation) ask nothing, and
//! the package is refused with what to do instead.

use crate::events::{Event, EventSink};
use crate::ids::{QuestionId, SessionId};
use crate::session_container::InstallConsent;
use serde::Serialize;
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
    /// Questions waiting for their answer, with what they ask.
    waiting: Mutex<HashMap<QuestionId, (PendingInstallQuestion, oneshot::Sender<bool>)>>,
}

/// A question a step still waits on, as its `Event::InstallQuestion` asked it:
/// shown again when the session is opened again in the window.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PendingInstallQuestion {
    pub question_id: QuestionId,
    pub session_id: SessionId,
    pub package: String,
    pub module: String,
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
        waiting.is_some_and(|(_, step)| step.send(allowed).is_ok())
    }

    /// The questions steps of `session` still wait on.
    pub(super) fn pending(&self, session: &SessionId) -> Vec<PendingInstallQuestion> {
        self.waiting
            .lock()
            .expect("questions lock")
            .values()
            .filter(|(asked, _)| &asked.session_id == session)
            .map(|(asked, _)| asked.clone())
            .collect()
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
        let asked = PendingInstallQuestion {
            question_id: question_id.clone(),
            session_id: session.clone(),
            package: package.to_owned(),
            module: module.to_owned(),
        };
        self.waiting
            .lock()
            .expect("questions lock")
            .insert(question_id.clone(), (asked, reply));
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    /// Hands each event to the test as it is emitted.
    struct Heard(tokio::sync::mpsc::UnboundedSender<Event>);

    impl EventSink for Heard {
        fn emit(&self, event: Event) {
            let _ = self.0.send(event);
        }
    }

    #[tokio::test]
    async fn a_waiting_question_is_listed_for_its_session_until_it_is_answered() {
        let questions = Arc::new(InstallQuestions::default());
        questions.ask_from_now_on();
        let session = "session-a".parse::<SessionId>().unwrap();
        let (sink, mut heard) = tokio::sync::mpsc::unbounded_channel();
        let step = {
            let (questions, session) = (questions.clone(), session.clone());
            tokio::spawn(async move {
                let cancel = CancellationToken::new();
                questions
                    .may_install(&session, "python-slugify", "slugify", &Heard(sink), &cancel)
                    .await
            })
        };
        let Some(Event::InstallQuestion { question_id, .. }) = heard.recv().await else {
            panic!("the step asks first");
        };
        // The window opens the session again while the step waits: it is asked again.
        assert_eq!(
            questions.pending(&session),
            [PendingInstallQuestion {
                question_id: question_id.clone(),
                session_id: session.clone(),
                package: "python-slugify".into(),
                module: "slugify".into(),
            }]
        );
        assert!(
            questions
                .pending(&"other".parse::<SessionId>().unwrap())
                .is_empty()
        );
        assert!(questions.answer(&question_id, true));
        assert!(step.await.unwrap(), "the step got the answer");
        assert!(
            questions.pending(&session).is_empty(),
            "answered: asked no more"
        );
    }
}
