//! What a step knows before its first try, all computed inside the session's
//! container (the engine never parses the analyst's files): each dataset's
//! description, how to read it, the files earlier steps left in /workspace, and
//! each dataset's SHA-256 for the answer's provenance.

use super::workbench::Workbench;
use crate::conversation::DatasetFingerprint;
use crate::error::{Error, Result};
use crate::ids::SessionId;
use crate::llm::{self, DatasetSummary, SendPolicy, WhatIsSent};
use crate::profile_data::{TableChoices, read_choices_prelude};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use tokio_util::sync::CancellationToken;

/// Title of the run that lists the work folder when nothing is known of it
/// (the first step after the app started, or in a container started again).
/// The program does nothing: the harness's "done" lists the folder after
/// every run.
pub const LISTING_PROBE_TITLE: &str = "List the work folder";

/// At most this many files of /workspace are listed to the model.
const MAX_WORKSPACE_FILES: usize = 40;

pub struct StepContext {
    /// The datasets' file names.
    pub dataset_names: Vec<String>,
    /// Exactly what is sent about the datasets.
    pub sent: WhatIsSent,
    /// How each dataset is read, e.g. `file_1 (sales.csv): pd.read_csv(file_1, sep=';')`.
    pub reading: Vec<String>,
    /// Files in /workspace, e.g. `clean.parquet (2.1 MB)`.
    pub workspace_files: Vec<String>,
    /// /workspace holds more files than listed.
    pub more_workspace_files: bool,
    pub fingerprints: Vec<DatasetFingerprint>,
}

impl StepContext {
    /// (sample rows sent, columns left out), for the `llm_prompt` event.
    pub fn sent_tally(&self) -> (u64, u64) {
        (
            self.sent.sample_rows_sent as u64,
            self.sent.columns_left_out as u64,
        )
    }
}

/// What is known of the datasets themselves: their descriptions and
/// fingerprints. It does not change between steps while the files do not, so
/// the engine computes it once (while the analyst types) and keeps it.
#[derive(Debug, Clone)]
pub struct DatasetFacts {
    pub summaries: Vec<DatasetSummary>,
    pub fingerprints: Vec<DatasetFingerprint>,
}

impl DatasetFacts {
    /// These facts with the analyst's column descriptions (one map per
    /// dataset, by column name, in the datasets' order): each column gets its
    /// description, or none, whatever the computed summary carried.
    pub fn described(&self, descriptions: &[BTreeMap<String, String>]) -> DatasetFacts {
        let mut facts = self.clone();
        for (i, summary) in facts.summaries.iter_mut().enumerate() {
            let written = descriptions.get(i);
            for column in &mut summary.columns {
                column.description = written.and_then(|d| d.get(&column.name)).cloned();
            }
        }
        facts
    }
}

/// Describes the datasets in the session's container and fingerprints them;
/// each workbook is read at the sheet and header row in `choices` (by file
/// name), as the step's code is then told to read it.
pub async fn describe_datasets(
    bench: &mut Workbench<'_>,
    session: &SessionId,
    datasets: &[PathBuf],
    choices: &TableChoices,
    cancel: &CancellationToken,
) -> Result<DatasetFacts> {
    let summaries = match datasets.is_empty() {
        true => Vec::new(),
        false => {
            let script = format!(
                "{}{}",
                read_choices_prelude(choices),
                llm::dataset_summary::SCRIPT
            );
            let out = bench
                .probe(session, "Describe the datasets", &script, cancel)
                .await?;
            if !out.outcome.is_success() {
                let reason = out
                    .error
                    .map(|e| format!("{}: {}", e.type_name, e.message))
                    .unwrap_or(out.summary);
                return Err(Error::DatasetSummaryFailed { reason });
            }
            llm::dataset_summary::parse(&out.stdout)?
        }
    };
    let paths = datasets.to_vec();
    let fingerprints = tokio::task::spawn_blocking(move || {
        paths
            .iter()
            .map(|p| fingerprint(p))
            .collect::<Result<Vec<_>>>()
    })
    .await
    .map_err(|e| Error::io("reading the datasets", std::io::Error::other(e)))??;
    Ok(DatasetFacts {
        summaries,
        fingerprints,
    })
}

/// A step's context: the datasets' facts, what of them may be sent, and the
/// files earlier steps left in the work folder (as the last run's "done"
/// listed them, or listed now when nothing is known of them).
pub async fn prepare(
    bench: &mut Workbench<'_>,
    session: &SessionId,
    facts: &DatasetFacts,
    policy: &SendPolicy,
    cancel: &CancellationToken,
) -> Result<StepContext> {
    if bench.workspace_listing().is_none() {
        let listing = bench
            .probe(session, LISTING_PROBE_TITLE, "pass", cancel)
            .await?;
        if !listing.outcome.is_success() || listing.workspace.is_none() {
            // Our own probe failing is a bug, not the analyst's problem: say so plainly.
            return Err(Error::io(
                "listing the work folder",
                std::io::Error::other(listing.summary),
            ));
        }
    }
    let listing = bench.workspace_listing().cloned().unwrap_or_default();
    let workspace_files = listing
        .files
        .iter()
        .take(MAX_WORKSPACE_FILES)
        .map(|(name, bytes)| format!("{} ({})", shown_name(name), size(*bytes)))
        .collect();
    Ok(StepContext {
        dataset_names: facts.summaries.iter().map(|s| s.name.clone()).collect(),
        sent: llm::what_is_sent::what_is_sent(&facts.summaries, policy),
        reading: reading(&facts.summaries),
        workspace_files,
        more_workspace_files: listing.more || listing.files.len() > MAX_WORKSPACE_FILES,
        fingerprints: facts.fingerprints.clone(),
    })
}

/// How each dataset is read, from what the description found.
fn reading(summaries: &[DatasetSummary]) -> Vec<String> {
    summaries
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let var = format!("file_{}", i + 1);
            let read = match &s.read {
                Some(read) => read.replace("(file", &format!("({var}")),
                None => {
                    let mut args = vec![var.clone()];
                    if let Some(sep) = s.delimiter.as_deref().filter(|d| *d != ",") {
                        args.push(format!("sep={}", python_string(sep)));
                    }
                    if let Some(encoding) =
                        s.encoding.as_deref().filter(|e| !e.starts_with("utf-8"))
                    {
                        args.push(format!("encoding={}", python_string(encoding)));
                    }
                    format!("pd.read_csv({})", args.join(", "))
                }
            };
            format!("{var} ({}): {read}", s.name)
        })
        .collect()
}

fn python_string(text: &str) -> String {
    format!("{text:?}").replace('"', "'")
}

/// A dataset's name, size and SHA-256, read in blocks (a 1 GB file is normal).
pub fn fingerprint(path: &Path) -> Result<DatasetFingerprint> {
    let unreadable = |e: std::io::Error| Error::DatasetUnreadable {
        path: path.to_owned(),
        reason: e.to_string(),
    };
    let mut file = std::fs::File::open(path).map_err(unreadable)?;
    let mut hasher = Sha256::new();
    let mut buffer = vec![0u8; 1 << 20];
    let mut size = 0u64;
    loop {
        let read = file.read(&mut buffer).map_err(unreadable)?;
        if read == 0 {
            break;
        }
        size += read as u64;
        hasher.update(&buffer[..read]);
    }
    Ok(DatasetFingerprint {
        name: path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default(),
        size_bytes: size,
        sha256: hasher
            .finalize()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect(),
    })
}

/// A file name as the prompt shows it: the code chose it, so it is data on
/// one line, with no control character (a newline could pass for a line of
/// the prompt's own).
fn shown_name(name: &str) -> String {
    name.chars()
        .take(200)
        .map(|c| if c.is_control() { '?' } else { c })
        .collect()
}

fn size(bytes: u64) -> String {
    match bytes {
        b if b < 1024 => format!("{b} B"),
        b if b < 1024 * 1024 => format!("{:.1} KB", b as f64 / 1024.0),
        b => format!("{:.1} MB", b as f64 / (1024.0 * 1024.0)),
    }
}
