//! A saved session read without opening it: no lock taken, nothing written.
//! For listing, showing and exporting, also while another window has the
//! session open (its last line may then still be on its way: it is left out).

use super::journal;
use super::layout::SessionFolder;
use super::meta::{self, SessionMeta};
use crate::conversation::{Message, StepState};
use crate::error::{Error, Result};
use crate::ids::{SessionId, StepId};

#[derive(Debug, Clone)]
pub struct SavedSession {
    pub meta: SessionMeta,
    pub folder: SessionFolder,
    /// Chart paths point into `folder`.
    pub conversation: Vec<Message>,
    /// Lines this Sandpiper cannot read, by number (left in the file).
    pub unreadable_lines: Vec<usize>,
    /// An unfinished last line was left out.
    pub torn_tail: bool,
}

pub fn read(folder: SessionFolder, id: &SessionId) -> Result<SavedSession> {
    let meta = meta::read(&folder, id)?.meta;
    let conversation = journal::read(&folder).map_err(|err| Error::SessionDamaged {
        id: id.to_string(),
        path: folder.conversation_file(),
        reason: err.to_string(),
    })?;
    Ok(SavedSession {
        meta,
        folder,
        conversation: conversation.messages,
        unreadable_lines: conversation.unreadable_lines,
        torn_tail: conversation.torn_tail.is_some(),
    })
}

impl SavedSession {
    /// The files its runs mount, in order (saved copies where it keeps them).
    pub fn dataset_paths(&self) -> Vec<std::path::PathBuf> {
        super::datasets::paths(&self.folder, &self.meta.datasets)
    }

    /// Each dataset's name with the SHA-256 of the file its runs mount, read
    /// now (None when it can't be read).
    pub fn dataset_digests_now(&self) -> Vec<(String, Option<String>)> {
        self.meta
            .datasets
            .iter()
            .zip(self.dataset_paths())
            .map(|(dataset, path)| {
                let digest = super::datasets::fingerprint(&path).ok().map(|f| f.sha256);
                (dataset.name.clone(), digest)
            })
            .collect()
    }

    /// How each step ended, in the order the steps were asked; `None` for a
    /// step with no end saved (still running in another window, or stopped by
    /// a crash: opening the session marks it interrupted).
    pub fn step_states(&self) -> Vec<(StepId, Option<StepState>)> {
        let mut states: Vec<(StepId, Option<StepState>)> = Vec::new();
        for message in &self.conversation {
            let step = message.step_id();
            let index = match states.iter().position(|(s, _)| s == step) {
                Some(index) => index,
                None => {
                    states.push((step.clone(), None));
                    states.len() - 1
                }
            };
            if let Message::StepEnded { state, .. } = message {
                states[index].1 = Some(*state);
            }
        }
        states
    }
}
