//! "Explain this step": the model that answered says in plain words what the
//! answered step's code computed, for analysts who cannot read code. The
//! explanation is shown, not saved: asking again asks the model again.

use super::Engine;
use super::models::{ModelChoice, Prompt};
use crate::conversation::Message;
use crate::error::{Error, Result};
use crate::events::EventSink;
use crate::ids::{CallId, SessionId, StepId};

/// Short on purpose: a few sentences, not a lecture.
const EXPLANATION_MAX_TOKENS: u32 = 500;

const EXPLAINER_BRIEF: &str = "You explain Python data-analysis code to people who do not \
program. Say in a few short sentences of plain words what the code did with their data to get \
its result: which rows and columns it used, what it counted, summed, averaged or drew. No code, \
no jargon, no library names.";

impl Engine {
    /// Asks the model in Settings to explain the code behind step `step`'s
    /// answer; its reply streams as `llm_*` events of `call_id` and is returned.
    pub async fn explain_step(
        &self,
        session: &SessionId,
        step: &StepId,
        call_id: &CallId,
        sink: &dyn EventSink,
    ) -> Result<String> {
        let saved = self.read_session(session)?;
        let (question, code) =
            answered_code(&saved.conversation, step).ok_or_else(|| Error::NothingToExplain {
                step: step.to_string(),
            })?;
        let llm = self.settings().llm;
        let choice = ModelChoice {
            provider: llm.provider,
            base_url: llm.base_url,
            model: llm.model,
        };
        let prompt = Prompt {
            text: explain_request(&question, &code),
            system: Some(EXPLAINER_BRIEF.to_owned()),
            max_tokens: EXPLANATION_MAX_TOKENS,
            temperature: Some(0.0),
        };
        let completion = self.ask_model(&choice, &prompt, call_id, sink).await??;
        Ok(completion.text.trim().to_owned())
    }
}

/// The step's question and the code that made its answer.
fn answered_code(conversation: &[Message], step: &StepId) -> Option<(String, String)> {
    let question = conversation.iter().find_map(|m| match m {
        Message::Question { step_id, text, .. } if step_id == step => Some(text.clone()),
        _ => None,
    })?;
    let code = conversation.iter().find_map(|m| match m {
        Message::Answer {
            step_id,
            provenance,
            ..
        } if step_id == step => Some(provenance.code.clone()),
        _ => None,
    })?;
    Some((question, code))
}

fn explain_request(question: &str, code: &str) -> String {
    format!(
        "The question was: {question}\n\nThis code answered it:\n```python\n{code}\n```\n\n\
         Explain in plain words what it did."
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::conversation::Provenance;

    #[test]
    fn only_an_answered_step_has_code_to_explain_and_the_request_holds_it() {
        let step = StepId::new();
        let question = Message::Question {
            step_id: step.clone(),
            text: "Which region sold most?".into(),
            datasets: vec![],
            at: 1,
        };
        assert_eq!(answered_code(std::slice::from_ref(&question), &step), None);
        let answer = Message::Answer {
            step_id: step.clone(),
            call_id: CallId::new(),
            text: "South.".into(),
            ungrounded: vec![],
            artifacts: vec![],
            provenance: Provenance {
                code: "print('South')".into(),
                try_number: 1,
                image: "python:3.11-slim".into(),
                image_id: None,
                packages: vec![],
                datasets: vec![],
            },
            follow_ups: vec![],
            at: 2,
        };
        let (q, code) = answered_code(&[question, answer], &step).unwrap();
        assert_eq!(code, "print('South')");
        let request = explain_request(&q, &code);
        assert!(request.contains("Which region sold most?") && request.contains("print('South')"));
        assert_eq!(answered_code(&[], &StepId::new()), None);
    }
}
