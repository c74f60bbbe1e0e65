//! An open session: the one handle that may change it (it holds the session's
//! lock), through which the agent's conversation is saved as it happens, and
//! which gives the agent the folders its charts go to.

use super::datasets::{self, DatasetCheck};
use super::journal::{self, Appender};
use super::layout::{SessionFolder, safe_component};
use super::lock::{self, SessionLock};
use super::meta::{self, DatasetRef, ModelConfig, SessionMeta, TokenTotals};
use super::migrate;
use super::title;
use crate::conversation::{Message, StepState};
use crate::error::{Error, Result};
use crate::ids::{SessionId, StepId};
use crate::profile_data::{TableChoice, TableChoices};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

pub struct SessionHandle {
    id: SessionId,
    folder: SessionFolder,
    state: Mutex<State>,
    _lock: SessionLock,
}

struct State {
    meta: SessionMeta,
    appender: Appender,
}

/// A session just opened: its handle, and everything saved in it.
pub struct OpenedSession {
    pub handle: SessionHandle,
    /// The whole conversation, with chart paths pointing into the session folder.
    pub conversation: Vec<Message>,
    /// Each dataset's original checked against its fingerprint.
    pub datasets: Vec<DatasetCheck>,
    /// What opening had to repair.
    pub recovery: Recovery,
}

/// What opening a session found and repaired. Nothing is ever dropped.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Recovery {
    /// An unfinished last line (the app stopped while writing it), kept here.
    pub torn_line_kept_at: Option<PathBuf>,
    /// Steps the app stopped in the middle of: each now ends `interrupted`.
    pub interrupted_steps: Vec<StepId>,
    /// Lines this Sandpiper cannot read (a newer one wrote them), left in place.
    pub unreadable_lines: Vec<usize>,
    /// The format `session.json` was upgraded from (the old file is kept as
    /// `session.v<N>.json`).
    pub migrated_from: Option<u32>,
}

fn not_saved(id: &SessionId, doing: &str) -> impl FnOnce(std::io::Error) -> Error {
    let id = id.to_string();
    let doing = doing.to_owned();
    move |source| Error::SessionNotSaved { id, doing, source }
}

impl SessionHandle {
    /// Makes a new session in `folder` (which may already hold its container's
    /// details, but no saved session).
    pub(super) fn create(folder: SessionFolder, meta: SessionMeta) -> Result<Self> {
        let id = meta.id.clone();
        let lock = lock::acquire(&folder, &id)?;
        if folder.session_file().exists() {
            return Err(Error::SessionExists { id: id.to_string() });
        }
        for dir in [
            folder.scripts_dir(),
            folder.artifacts_dir(),
            folder.datasets_dir(),
        ] {
            std::fs::create_dir_all(&dir).map_err(not_saved(&id, "making its folders"))?;
        }
        meta::write(&folder, &meta)?;
        let appender =
            Appender::open(&folder).map_err(not_saved(&id, "starting conversation.jsonl"))?;
        Ok(Self {
            id,
            folder,
            state: Mutex::new(State { meta, appender }),
            _lock: lock,
        })
    }

    /// Opens a saved session: takes its lock, upgrades an older `session.json`,
    /// keeps a torn last line aside, ends steps the app stopped in the middle
    /// of as `interrupted`, and checks the datasets' originals.
    pub(super) fn open(folder: SessionFolder, id: &SessionId) -> Result<OpenedSession> {
        let lock = lock::acquire(&folder, id)?;
        let read_meta = meta::read(&folder, id)?;
        let mut recovery = Recovery::default();
        if read_meta.saved_format < migrate::CURRENT {
            let backup = folder
                .dir()
                .join(format!("session.v{}.json", read_meta.saved_format));
            std::fs::copy(folder.session_file(), &backup)
                .map_err(not_saved(id, "keeping the old session.json"))?;
            recovery.migrated_from = Some(read_meta.saved_format);
        }
        let conversation = journal::read(&folder).map_err(|err| Error::SessionDamaged {
            id: id.to_string(),
            path: folder.conversation_file(),
            reason: err.to_string(),
        })?;
        let mut appender =
            Appender::open(&folder).map_err(not_saved(id, "opening conversation.jsonl"))?;
        if let Some(tail) = &conversation.torn_tail {
            let kept = journal::keep_aside(&folder, tail)
                .map_err(not_saved(id, "keeping an unfinished line aside"))?;
            appender
                .truncate(conversation.good_len)
                .map_err(not_saved(id, "setting an unfinished line aside"))?;
            recovery.torn_line_kept_at = Some(kept);
        } else if conversation.missing_newline {
            appender
                .end_line()
                .map_err(not_saved(id, "ending the last line"))?;
        }
        recovery.unreadable_lines = conversation.unreadable_lines.clone();
        let handle = Self {
            id: id.clone(),
            folder,
            state: Mutex::new(State {
                meta: read_meta.meta,
                appender,
            }),
            _lock: lock,
        };
        let mut messages = conversation.messages;
        for ended in interrupted_step_ends(&messages) {
            recovery.interrupted_steps.push(ended.step_id().clone());
            handle.record(&ended)?;
            messages.push(ended);
        }
        handle.refresh_totals(&messages)?;
        let datasets = handle
            .meta()
            .datasets
            .iter()
            .map(|d| datasets::check(&handle.folder, d))
            .collect();
        Ok(OpenedSession {
            handle,
            conversation: messages,
            datasets,
            recovery,
        })
    }

    pub fn id(&self) -> &SessionId {
        &self.id
    }

    /// The session's folder (`<state dir>/sessions/<id>`).
    pub fn dir(&self) -> &Path {
        self.folder.dir()
    }

    pub fn meta(&self) -> SessionMeta {
        self.state().meta.clone()
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        // A panic while holding it left no half-written line (each is one write).
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The folder a try's files (charts, tables) go to, created if needed:
    /// `artifacts/<step>/try-<n>/`. Give it to the run as its artifacts folder.
    pub fn artifacts_dir(&self, step: &StepId, try_number: u32) -> Result<PathBuf> {
        let dir = self.try_artifacts_dir(step, try_number);
        std::fs::create_dir_all(&dir).map_err(not_saved(&self.id, "making a charts folder"))?;
        Ok(dir)
    }

    /// The folder of a step's files, created if needed: `artifacts/<step>/`.
    /// Each try writes to its `try-<n>/` inside (as `artifacts_dir` names it).
    pub fn step_artifacts_dir(&self, step: &StepId) -> Result<PathBuf> {
        let dir = self
            .folder
            .artifacts_dir()
            .join(safe_component(step.as_str()));
        std::fs::create_dir_all(&dir).map_err(not_saved(&self.id, "making a charts folder"))?;
        Ok(dir)
    }

    /// The conversation as saved so far (chart paths inside the session folder).
    pub fn conversation(&self) -> Result<Vec<Message>> {
        let _no_write_meanwhile = self.state();
        journal::read(&self.folder)
            .map(|read| read.messages)
            .map_err(|err| Error::io("reading the session's conversation", err))
    }

    fn try_artifacts_dir(&self, step: &StepId, try_number: u32) -> PathBuf {
        self.folder
            .artifacts_dir()
            .join(safe_component(step.as_str()))
            .join(format!("try-{try_number}"))
    }

    /// Adds a dataset: copied into the session up to `copy_up_to_bytes`
    /// (`SessionSettings::copy_datasets_up_to_bytes`), else a reference with its
    /// size and SHA-256. The same file added again is the same dataset.
    pub fn add_dataset(&self, path: &Path, copy_up_to_bytes: u64) -> Result<DatasetRef> {
        let unreadable = |err: std::io::Error| Error::DatasetUnreadable {
            path: path.to_owned(),
            reason: err.to_string(),
        };
        let original = std::path::absolute(path).map_err(unreadable)?;
        let mut state = self.state();
        let known = state.meta.datasets.iter().find(|d| d.original == original);
        if let Some(known) = known
            && datasets::check(&self.folder, known).state == datasets::OriginalState::Unchanged
        {
            return Ok(known.clone());
        }
        let taken: Vec<String> = state.meta.datasets.iter().map(|d| d.name.clone()).collect();
        let added =
            datasets::add(&self.folder, &original, copy_up_to_bytes, &taken).map_err(unreadable)?;
        state.meta.datasets.push(added.clone());
        state.meta.updated_at = crate::conversation::now();
        meta::write(&self.folder, &state.meta)?;
        Ok(added)
    }

    /// The files a run should mount, in order: each dataset's saved copy when
    /// the session has one (what its steps ran on), else the original.
    pub fn dataset_paths(&self) -> Vec<PathBuf> {
        datasets::paths(&self.folder, &self.state().meta.datasets)
    }

    /// The file a run mounts for the analyst's file at `original` (its copy,
    /// when the session keeps one); `None` when it is not in the session.
    /// A file added again after it changed counts as its latest addition.
    pub fn dataset_path_of(&self, original: &Path) -> Option<PathBuf> {
        let original = std::path::absolute(original).ok()?;
        let state = self.state();
        let datasets = &state.meta.datasets;
        let index = datasets.iter().rposition(|d| d.original == original)?;
        datasets::paths(&self.folder, &datasets[index..=index]).pop()
    }

    /// Saves what the analyst wrote about a column of the dataset named
    /// `dataset` in the session ("amount is in euros, excluding VAT"), sent to
    /// the model wherever the column is. Kept on one line; an empty
    /// description removes the column's. Returns the description as saved.
    pub fn describe_column(
        &self,
        dataset: &str,
        column: &str,
        description: &str,
    ) -> Result<Option<String>> {
        let text = description.split_whitespace().collect::<Vec<_>>().join(" ");
        if text.chars().count() > meta::MAX_COLUMN_DESCRIPTION_CHARS {
            return Err(Error::ColumnDescriptionTooLong {
                max: meta::MAX_COLUMN_DESCRIPTION_CHARS,
            });
        }
        let mut state = self.state();
        let before = state.meta.clone();
        let at = dataset_index(&state.meta, dataset)?;
        let known = &mut state.meta.datasets[at];
        let saved = match text.is_empty() {
            true => {
                known.column_descriptions.remove(column);
                None
            }
            false => {
                known
                    .column_descriptions
                    .insert(column.to_owned(), text.clone());
                Some(text)
            }
        };
        if state.meta != before {
            state.meta.updated_at = crate::conversation::now();
            meta::write(&self.folder, &state.meta)?;
        }
        Ok(saved)
    }

    /// Points the dataset named `name` at the file at `new_place` (the
    /// analyst found where it went): see `Relocated`. Its copy, if the content
    /// differs, is made again as `copy_up_to_bytes` says.
    pub fn relocate_dataset(
        &self,
        name: &str,
        new_place: &Path,
        copy_up_to_bytes: u64,
    ) -> Result<datasets::Relocated> {
        let mut state = self.state();
        let at = dataset_index(&state.meta, name)?;
        let relocated = datasets::relocate(
            &self.folder,
            &state.meta.datasets[at],
            new_place,
            copy_up_to_bytes,
        )
        .map_err(|err| Error::DatasetUnreadable {
            path: new_place.to_owned(),
            reason: err.to_string(),
        })?;
        state.meta.datasets[at] = relocated.dataset.clone();
        state.meta.updated_at = crate::conversation::now();
        meta::write(&self.folder, &state.meta)?;
        Ok(relocated)
    }

    /// Saves which sheet of the workbook named `dataset` to read, and on which
    /// row its column names are (`TableChoice::default()` leaves it to the
    /// reader again). The Quick profile and every later step read it so.
    pub fn choose_table(&self, dataset: &str, choice: TableChoice) -> Result<()> {
        if let Some(sheet) = &choice.sheet
            && (sheet.trim().is_empty() || sheet.chars().count() > meta::MAX_SHEET_NAME_CHARS)
        {
            return Err(Error::TableChoiceInvalid {
                reason: format!(
                    "a sheet's name has 1 to {} characters",
                    meta::MAX_SHEET_NAME_CHARS
                ),
            });
        }
        if let Some(row) = choice.header_row
            && !(1..=meta::MAX_HEADER_ROW).contains(&row)
        {
            return Err(Error::TableChoiceInvalid {
                reason: format!(
                    "the header row is a row number from 1 to {}",
                    meta::MAX_HEADER_ROW
                ),
            });
        }
        let mut state = self.state();
        let at = dataset_index(&state.meta, dataset)?;
        let known = &mut state.meta.datasets[at];
        if known.table == choice {
            return Ok(());
        }
        known.table = choice;
        state.meta.updated_at = crate::conversation::now();
        meta::write(&self.folder, &state.meta)
    }

    /// Each dataset's kept Quick profile, in the order of `dataset_paths`:
    /// none for a dataset not profiled since it was last recorded, or since
    /// another sheet or header row was chosen.
    pub fn kept_profiles(&self) -> Vec<Option<crate::profile_data::DatasetProfile>> {
        let state = self.state();
        state
            .meta
            .datasets
            .iter()
            .map(|dataset| super::profiles::kept(&self.folder, dataset))
            .collect()
    }

    /// The sheet and header row chosen for each dataset, by its name.
    pub fn table_choices(&self) -> TableChoices {
        table_choices(&self.state().meta)
    }

    /// Each dataset's column descriptions, in the order of `dataset_paths`.
    pub fn column_descriptions(&self) -> Vec<BTreeMap<String, String>> {
        let state = self.state();
        state
            .meta
            .datasets
            .iter()
            .map(|d| d.column_descriptions.clone())
            .collect()
    }

    /// Renames the session (the analyst's title is never replaced by a suggestion).
    pub fn rename(&self, title: &str) -> Result<()> {
        let title = meta::usable_title(title)?;
        let mut state = self.state();
        state.meta.title = title;
        state.meta.title_set_by_user = true;
        meta::write(&self.folder, &state.meta)
    }

    /// Saves one message of the conversation: appended to `conversation.jsonl`
    /// (synced to disk at step boundaries), a try's code to `scripts/`, a chart
    /// made outside the session folder copied into it; `session.json` is brought
    /// up to date when a step starts or ends.
    pub fn record(&self, message: &Message) -> Result<()> {
        // The line is what must not be lost: a chart or a script that can't be
        // copied is reported after the line is saved, never instead of it.
        let mut secondary: Option<Error> = None;
        let mut saved = message.clone();
        let try_number = match message {
            Message::Artifact { try_number, .. } => *try_number,
            Message::Answer { provenance, .. } => provenance.try_number,
            _ => 0,
        };
        for path in journal::artifact_paths(&mut saved) {
            if self.folder.relative(path).is_none() && path.is_file() {
                match self.copy_in(message.step_id(), try_number, path) {
                    Ok(copy) => *path = copy,
                    Err(err) => secondary = secondary.or(Some(err)),
                }
            }
        }
        if let Message::Code {
            step_id,
            try_number,
            code,
            ..
        } = message
        {
            let script = self
                .folder
                .scripts_dir()
                .join(safe_component(step_id.as_str()))
                .join(format!("try-{try_number}.py"));
            if let Err(err) = crate::atomic_file::replace(&script, code.as_bytes()) {
                secondary = secondary.or(Some(not_saved(&self.id, "saving a try's code")(err)));
            }
        }
        let mut state = self.state();
        state
            .appender
            .append(&saved, &self.folder, journal::is_step_boundary(message))
            .map_err(not_saved(&self.id, "saving the conversation"))?;
        match message {
            Message::Question { text, at, .. } => {
                state.meta.steps += 1;
                if !state.meta.title_set_by_user && state.meta.title == meta::UNTITLED {
                    state.meta.title = title::suggest(text);
                }
                state.meta.updated_at = (*at).max(state.meta.updated_at);
                meta::write(&self.folder, &state.meta)?;
            }
            Message::TryStarted {
                provider, model, ..
            } => {
                state.meta.model = Some(ModelConfig {
                    provider: *provider,
                    model: Some(model.clone()),
                });
            }
            Message::StepEnded {
                input_tokens,
                output_tokens,
                at,
                ..
            } => {
                state.meta.tokens.input_tokens += input_tokens;
                state.meta.tokens.output_tokens += output_tokens;
                state.meta.updated_at = (*at).max(state.meta.updated_at);
                state.meta.stored_bytes = stored_bytes(&self.folder);
                meta::write(&self.folder, &state.meta)?;
            }
            _ => {}
        }
        secondary.map_or(Ok(()), Err)
    }

    /// A chart the agent wrote outside the session folder, copied into it.
    fn copy_in(&self, step: &StepId, try_number: u32, path: &Path) -> Result<PathBuf> {
        let dir = self.artifacts_dir(step, try_number)?;
        let name = path
            .file_name()
            .map(|n| safe_component(&n.to_string_lossy()))
            .unwrap_or_else(|| "file".into());
        let target = dir.join(name);
        std::fs::copy(path, &target).map_err(not_saved(&self.id, "copying a chart"))?;
        Ok(target)
    }

    /// Steps, tokens and bytes counted again from the conversation (after a
    /// migration or a crash, they may lag behind it).
    fn refresh_totals(&self, messages: &[Message]) -> Result<()> {
        let mut steps = std::collections::HashSet::new();
        let mut tokens = TokenTotals::default();
        for message in messages {
            match message {
                Message::Question { step_id, .. } => {
                    steps.insert(step_id.clone());
                }
                Message::StepEnded {
                    input_tokens,
                    output_tokens,
                    ..
                } => {
                    tokens.input_tokens += input_tokens;
                    tokens.output_tokens += output_tokens;
                }
                _ => {}
            }
        }
        let mut state = self.state();
        let before = state.meta.clone();
        state.meta.steps = steps.len() as u32;
        // A migrated session's tokens came from before conversations were kept.
        state.meta.tokens.input_tokens = tokens.input_tokens.max(before.tokens.input_tokens);
        state.meta.tokens.output_tokens = tokens.output_tokens.max(before.tokens.output_tokens);
        state.meta.stored_bytes = stored_bytes(&self.folder);
        state.meta.schema_version = migrate::CURRENT;
        if state.meta != before {
            meta::write(&self.folder, &state.meta)?;
        }
        Ok(())
    }
}

/// A `StepEnded { interrupted }` for every step that has messages but no end.
fn interrupted_step_ends(messages: &[Message]) -> Vec<Message> {
    let mut order: Vec<&StepId> = Vec::new();
    let mut open: std::collections::HashMap<&StepId, (u32, u64, u64)> = Default::default();
    for message in messages {
        let step = message.step_id();
        let at = message_time(message);
        if let Message::StepEnded { .. } = message {
            open.remove(step);
            continue;
        }
        let entry = open.entry(step).or_insert_with(|| {
            order.push(step);
            (0, at, at)
        });
        if let Message::TryStarted { try_number, .. } = message {
            entry.0 = entry.0.max(*try_number);
        }
        entry.2 = entry.2.max(at);
    }
    let now = crate::conversation::now();
    order
        .into_iter()
        .filter_map(|step| {
            let (tries, first, last) = *open.get(step)?;
            Some(Message::StepEnded {
                step_id: step.clone(),
                state: StepState::Interrupted,
                tries,
                input_tokens: 0,
                output_tokens: 0,
                duration_ms: last.saturating_sub(first),
                at: now,
            })
        })
        .collect()
}

fn message_time(message: &Message) -> u64 {
    match message {
        Message::Question { at, .. }
        | Message::TryStarted { at, .. }
        | Message::Notice { at, .. }
        | Message::Code { at, .. }
        | Message::TryRejected { at, .. }
        | Message::Execution { at, .. }
        | Message::Artifact { at, .. }
        | Message::Answer { at, .. }
        | Message::GaveUp { at, .. }
        | Message::Error { at, .. }
        | Message::StepEnded { at, .. } => *at,
    }
}

/// Bytes of the session's scripts, charts, dataset copies, recovered lines
/// and kept profiles.
pub(super) fn stored_bytes(folder: &SessionFolder) -> u64 {
    [
        folder.scripts_dir(),
        folder.artifacts_dir(),
        folder.datasets_dir(),
        folder.recovered_dir(),
        folder.profiles_dir(),
    ]
    .iter()
    .map(|dir| folder_size(dir))
    .sum()
}

fn folder_size(dir: &Path) -> u64 {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    entries
        .flatten()
        .map(|entry| match entry.file_type() {
            Ok(kind) if kind.is_dir() => folder_size(&entry.path()),
            Ok(kind) if kind.is_file() => entry.metadata().map(|m| m.len()).unwrap_or(0),
            _ => 0,
        })
        .sum()
}

/// The sheet and header row chosen for each dataset of `meta`, by its name.
pub(super) fn table_choices(meta: &SessionMeta) -> TableChoices {
    meta.datasets
        .iter()
        .filter(|d| !d.table.is_automatic())
        .map(|d| (d.name.clone(), d.table.clone()))
        .collect()
}

/// Where the dataset named `name` sits in `meta`'s list, or the plain-words
/// error for a name the session does not have (the window may be a step behind).
fn dataset_index(meta: &SessionMeta, name: &str) -> Result<usize> {
    meta.datasets
        .iter()
        .position(|d| d.name == name)
        .ok_or_else(|| Error::DatasetNotInSession {
            name: name.to_owned(),
        })
}
