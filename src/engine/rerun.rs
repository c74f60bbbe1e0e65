//! "Re-run this step": an answered step's exact code (its provenance) runs
//! again in a fresh one-off container, on the image it ran on and the
//! session's datasets, and the output is compared with what the step printed,
//! so the analyst can check an answer later (or after a dataset changed).

use super::Engine;
use crate::conversation::{Message, Provenance};
use crate::error::{Error, Result};
use crate::events::EventSink;
use crate::ids::{SessionId, StepId};
use crate::run_outcome::Outcome;
use crate::store::SavedSession;
use std::path::Path;

/// What re-running a step found.
#[derive(Debug, Clone, PartialEq)]
pub struct StepRerun {
    /// The output now is the output then (line ends and trailing blanks aside).
    pub matches: bool,
    pub outcome: Outcome,
    /// The run's summary, in plain words.
    pub summary: String,
    /// What the step printed when it answered, and what the code prints now.
    pub then: String,
    pub now: String,
    /// Datasets whose contents are not what the step ran on (by name).
    pub changed_datasets: Vec<String>,
}

impl Engine {
    /// Runs answered step `step` of saved session `id` again; charts and files
    /// go to `artifacts_dir`. Needs no lock: a session open in a window can be
    /// checked too.
    pub async fn rerun_step(
        &self,
        id: &SessionId,
        step: &StepId,
        artifacts_dir: &Path,
        sink: &dyn EventSink,
    ) -> Result<StepRerun> {
        let saved = self.read_session(id)?;
        let (provenance, then) = answered(&saved, step).ok_or_else(|| Error::StepNotAnswered {
            id: id.to_string(),
            step: step.to_string(),
        })?;
        let changed_datasets = changed_datasets(&saved, &provenance);
        let mut settings = self.settings();
        // The image it ran on: its packages are part of the answer.
        settings.sandbox.image = provenance.image.clone();
        let run = self
            .run_code_with(
                settings,
                &format!("Re-run of step {step}"),
                &provenance.code,
                &saved.dataset_paths(),
                artifacts_dir,
                sink,
            )
            .await?;
        let now = run.stdout;
        Ok(StepRerun {
            matches: run.outcome == Outcome::Success && same_output(&then, &now),
            outcome: run.outcome,
            summary: run.summary,
            then,
            now,
            changed_datasets,
        })
    }
}

/// The step's provenance and what its successful try printed.
fn answered(saved: &SavedSession, step: &StepId) -> Option<(Provenance, String)> {
    let provenance = saved.conversation.iter().find_map(|m| match m {
        Message::Answer {
            step_id,
            provenance,
            ..
        } if step_id == step => Some(provenance.clone()),
        _ => None,
    })?;
    let printed = saved.conversation.iter().find_map(|m| match m {
        Message::Execution {
            step_id,
            try_number,
            stdout,
            ..
        } if step_id == step && *try_number == provenance.try_number => Some(stdout.clone()),
        _ => None,
    })?;
    Some((provenance, printed))
}

/// Datasets whose file (the saved copy, or the original) no longer has the
/// SHA-256 the step recorded, read now.
fn changed_datasets(saved: &SavedSession, provenance: &Provenance) -> Vec<String> {
    let now = saved.dataset_digests_now();
    provenance
        .datasets
        .iter()
        .filter(|used| {
            now.iter()
                .find(|(name, _)| *name == used.name)
                .is_none_or(|(_, digest)| digest.as_deref() != Some(used.sha256.as_str()))
        })
        .map(|used| used.name.clone())
        .collect()
}

fn same_output(then: &str, now: &str) -> bool {
    let lines =
        |text: &str| -> Vec<String> { text.lines().map(|l| l.trim_end().to_owned()).collect() };
    lines(then.trim_end()) == lines(now.trim_end())
}
