//! The quality harness (`sandpiper eval`): questions on real public datasets
//! with checkable answers (`tests/eval/*.json`), each asked in a session of its
//! own through the engine, scored by what the successful code printed and what
//! the answer says. With `replay`, a local server plays each question's known
//! code: anything short of every question right is Sandpiper's fault.

use crate::agent::grounding::numbers_in;
use crate::conversation::{Message, StepState};
use crate::engine::{Analysis, Engine};
use crate::error::{Error, Result};
use crate::events::{Event, EventSink};
use crate::ids::SessionId;
use crate::replay_model::{ReplayModel, Script};
use serde::Deserialize;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

/// A set of questions on one dataset.
#[derive(Debug, Clone, Deserialize)]
pub struct QuestionSet {
    pub name: String,
    /// Relative to the set's file.
    pub dataset: PathBuf,
    pub questions: Vec<EvalQuestion>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct EvalQuestion {
    pub id: String,
    pub question: String,
    pub expect: Expected,
    /// Code that answers it, for the replay.
    pub code: String,
}

/// What a right answer contains.
#[derive(Debug, Clone, Deserialize)]
pub struct Expected {
    pub number: Option<f64>,
    /// Absolute; default 0.5 % of the number.
    pub tolerance: Option<f64>,
    pub text: Option<String>,
}

/// How one question went.
#[derive(Debug, Clone)]
pub struct Scored {
    pub id: String,
    pub right: bool,
    pub state: StepState,
    pub tries: u32,
    pub tokens: u64,
    /// For a question not answered right: why, in plain words (the last
    /// try's failure, the step's error, or what the answer lacked).
    pub why: Option<String>,
}

impl QuestionSet {
    pub fn load(path: &Path) -> Result<(QuestionSet, PathBuf)> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| Error::io(format!("reading {}", path.display()), e))?;
        let set: QuestionSet = serde_json::from_str(&text).map_err(|e| {
            Error::io(
                format!("reading {}", path.display()),
                std::io::Error::other(e),
            )
        })?;
        let dataset = path.parent().unwrap_or(Path::new(".")).join(&set.dataset);
        Ok((set, dataset))
    }
}

impl Expected {
    /// Whether `text` (what the code printed, and the answer) holds it.
    pub fn found_in(&self, text: &str) -> bool {
        let number_ok = self.number.is_none_or(|want| {
            let tolerance = self.tolerance.unwrap_or(want.abs() * 0.005);
            numbers_in(text)
                .into_iter()
                .any(|got| (got - want).abs() <= tolerance)
        });
        let text_ok = self
            .text
            .as_deref()
            .is_none_or(|want| text.to_lowercase().contains(&want.to_lowercase()));
        number_ok && text_ok
    }
}

/// A model that writes each question's known code, and a short answer.
pub fn replay_script(set: &QuestionSet) -> Arc<Script> {
    let codes: Vec<(String, String)> = set
        .questions
        .iter()
        .map(|q| (q.question.clone(), q.code.clone()))
        .collect();
    Arc::new(move |system: &str, user: &str| {
        if system == crate::agent::prompt::ANSWER_BRIEF {
            return "The analysis printed the result above.".to_owned();
        }
        let code = codes
            .iter()
            .find(|(question, _)| user.contains(&format!("Question: {question}")))
            .map(|(_, code)| code.as_str())
            .unwrap_or("print('no replay for this question')");
        format!("```python\n{code}\n```\n")
    })
}

/// Starts the replay server for `set`.
pub async fn start_replay(set: &QuestionSet) -> Result<ReplayModel> {
    ReplayModel::start(replay_script(set))
        .await
        .map_err(|e| Error::io("starting the replay model", e))
}

/// Asks every question of `set` (its dataset at `dataset`), each in a new
/// session, and scores it. `progress` hears each result as it comes.
pub async fn run_eval(
    engine: &Engine,
    set: &QuestionSet,
    dataset: &Path,
    state_dir: &Path,
    progress: &dyn Fn(&Scored),
) -> Result<Vec<Scored>> {
    let mut scored = Vec::new();
    for question in &set.questions {
        let session_id = SessionId::new();
        let collected = Collect::default();
        let analysis = Analysis {
            session_id: session_id.clone(),
            question: question.question.clone(),
            datasets: vec![dataset.to_owned()],
            artifacts_dir: state_dir.join("eval").join(&question.id),
            column_descriptions: Vec::new(),
        };
        let report = engine.analyze(&analysis, &collected).await?;
        let seen = collected.text();
        let right = report.state == StepState::Done && question.expect.found_in(&seen);
        let why = match (right, collected.failure()) {
            (true, _) => None,
            (false, Some(failure)) if report.state != StepState::Done => Some(failure),
            (false, _) if report.state == StepState::Done => {
                Some(format!("answered, but without {}", question.expect))
            }
            (false, _) => Some(format!("the step ended {:?}", report.state)),
        };
        let result = Scored {
            id: question.id.clone(),
            right,
            state: report.state,
            tries: report.tries,
            tokens: report.input_tokens + report.output_tokens,
            why,
        };
        progress(&result);
        scored.push(result);
        if let Ok(containers) = engine.session_containers().await {
            let _ = containers.remove_session(&session_id).await;
        }
    }
    Ok(scored)
}

/// The successful try's output and the answer of one step, and why it
/// failed when it did.
#[derive(Default)]
struct Collect {
    seen: Mutex<Vec<String>>,
    failure: Mutex<Option<String>>,
}

impl Collect {
    fn text(&self) -> String {
        self.seen.lock().expect("collect lock").join("\n")
    }

    fn failure(&self) -> Option<String> {
        self.failure.lock().expect("collect lock").clone()
    }
}

impl EventSink for Collect {
    fn emit(&self, event: Event) {
        let Event::Conversation { message, .. } = event else {
            return;
        };
        let failure = match &message {
            Message::GaveUp { tries, .. } => tries
                .last()
                .map(|t| format!("try {}: {}", t.try_number, t.reason)),
            Message::Error { error, .. } => Some(error.to_string()),
            _ => None,
        };
        if failure.is_some() {
            *self.failure.lock().expect("collect lock") = failure;
            return;
        }
        let text = match message {
            Message::Execution {
                outcome, stdout, ..
            } if outcome.is_success() => stdout,
            Message::Answer { text, .. } => text,
            _ => return,
        };
        self.seen.lock().expect("collect lock").push(text);
    }
}

impl std::fmt::Display for Expected {
    /// What the answer should hold, e.g. "4201.75 (± 0.5)" or "\"Biscoe\"".
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut parts = Vec::new();
        if let Some(number) = self.number {
            parts.push(match self.tolerance {
                Some(tolerance) => format!("{number} (± {tolerance})"),
                None => number.to_string(),
            });
        }
        if let Some(text) = &self.text {
            parts.push(format!("\"{text}\""));
        }
        f.write_str(&parts.join(" and "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_expected_number_is_found_within_its_tolerance_and_text_in_any_case() {
        let mass = Expected {
            number: Some(4201.75),
            tolerance: Some(0.5),
            text: None,
        };
        assert!(mass.found_in("mean body mass (g): 4201.75"));
        assert!(mass.found_in("about 4,202 grams"));
        assert!(!mass.found_in("about 4,210 grams"));
        let island = Expected {
            number: None,
            tolerance: None,
            text: Some("Biscoe".into()),
        };
        assert!(island.found_in("island with most penguins: BISCOE"));
        assert!(!island.found_in("Dream"));
        assert_eq!(mass.to_string(), "4201.75 (± 0.5)");
        assert_eq!(island.to_string(), "\"Biscoe\"");
    }

    #[test]
    fn the_shipped_questions_load_and_each_has_code_and_an_expectation() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/eval/penguins.json");
        let (set, dataset) = QuestionSet::load(&path).unwrap();
        assert!(dataset.is_file(), "{}", dataset.display());
        assert!(set.questions.len() >= 8);
        for q in &set.questions {
            assert!(
                q.expect.number.is_some() || q.expect.text.is_some(),
                "{}",
                q.id
            );
            assert!(q.code.contains("print("), "{}", q.id);
        }
    }
}
