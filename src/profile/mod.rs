//! The built-in Quick profile: a fixed Python script, no LLM, no API key. It
//! reports shape, column types, missing values, summary statistics and one
//! histogram per numeric column, using only the standard library when pandas and
//! matplotlib are absent, so it works on a bare `python:3.11-slim`. Where DuckDB
//! is importable (the analysis image), large delimited files are read by it in
//! one pass, within the container's memory and CPU limits. Each dataset's
//! numbers also come back as typed data (`DatasetProfiled` events).

use crate::error::Result;
use crate::events::{Event, EventSink};
use crate::ids::{RunId, SessionId};
use crate::profile_data::{DatasetProfile, TableChoices, read_choices_prelude};
use crate::sandbox::{DatasetMount, Program, RunRequest, RunResult, plan_dataset_mounts};
use std::path::{Path, PathBuf};
use tokio_util::sync::CancellationToken;

/// The script, shipped inside the binary. The table readers the analysis agent
/// uses go first (as in `llm::dataset_summary`), so Excel, JSON and Parquet are
/// read the same way by both: one source, and always the binary's own version
/// (the copy installed in the analysis image is absent from other images).
pub const SCRIPT: &str = concat!(
    include_str!("../sandbox/read_tables.py"),
    "\n",
    include_str!("quick_profile.py")
);
const SCRIPT_NAME: &str = "quick_profile.py";

/// Builds the run that profiles `datasets`. Fails in plain words, before anything
/// starts, when a file is missing or unreadable.
pub fn request(
    datasets: &[PathBuf],
    artifacts_dir: &Path,
    session_id: Option<SessionId>,
    run_id: RunId,
    cancel: CancellationToken,
) -> Result<RunRequest> {
    let mounts = plan_dataset_mounts(datasets)?;
    Ok(request_for_mounts(
        mounts,
        artifacts_dir,
        session_id,
        run_id,
        cancel,
    ))
}

/// The run that profiles the files already planned as `mounts`: in a
/// session's container, the paths its datasets have there.
pub fn request_for_mounts(
    mounts: Vec<DatasetMount>,
    artifacts_dir: &Path,
    session_id: Option<SessionId>,
    run_id: RunId,
    cancel: CancellationToken,
) -> RunRequest {
    let files: Vec<&Path> = mounts.iter().map(|m| m.host_path.as_path()).collect();
    RunRequest {
        run_id,
        session_id,
        title: title(&files),
        program: Program::script(SCRIPT_NAME, SCRIPT),
        datasets: mounts,
        artifacts_dir: artifacts_dir.to_owned(),
        cancel,
    }
}

/// The profile `request` reading each workbook's sheet and header row as the
/// analyst chose them (`choices`, by dataset file name).
pub fn read_as_chosen(mut request: RunRequest, choices: &TableChoices) -> RunRequest {
    let prelude = read_choices_prelude(choices);
    if !prelude.is_empty() {
        request.program.source = format!("{prelude}{}", request.program.source);
    }
    request
}

/// Passes a Quick profile's events on, turning each profile document the run
/// brought back (`quick_profile_<n>.json`, one per dataset) into a typed
/// `DatasetProfiled` event in place of its `Artifact` event.
pub struct TypedProfiles<'a> {
    inner: &'a dyn EventSink,
}

impl<'a> TypedProfiles<'a> {
    pub fn new(inner: &'a dyn EventSink) -> Self {
        Self { inner }
    }
}

impl EventSink for TypedProfiles<'_> {
    fn emit(&self, event: Event) {
        match event {
            Event::Artifact { run_id, artifact } if is_profile_document(&artifact.name) => {
                let event = match read_document(&artifact.path) {
                    Ok(profile) => Event::DatasetProfiled { run_id, profile },
                    // The report's lines said it all in words; only the cards are lost.
                    Err(why) => Event::Stderr {
                        run_id,
                        line: format!("Sandpiper could not read the profile's numbers ({why})."),
                    },
                };
                self.inner.emit(event);
            }
            other => self.inner.emit(other),
        }
    }
}

/// The run's result without the profile documents: they reached the window
/// as `DatasetProfiled` events, not as files to show.
pub fn without_documents(mut result: RunResult) -> RunResult {
    result.artifacts.retain(|a| !is_profile_document(&a.name));
    result
}

/// `quick_profile_<n>.json`, as the script names them.
fn is_profile_document(name: &str) -> bool {
    name.strip_prefix("quick_profile_")
        .and_then(|rest| rest.strip_suffix(".json"))
        .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
}

fn read_document(path: &Path) -> std::result::Result<DatasetProfile, String> {
    let text = std::fs::read(path).map_err(|e| e.to_string())?;
    serde_json::from_slice(&text).map_err(|e| e.to_string())
}

fn title(datasets: &[&Path]) -> String {
    let names: Vec<String> = datasets
        .iter()
        .map(|p| {
            p.file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_else(|| p.display().to_string())
        })
        .collect();
    format!("Quick profile of {}", names.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_scripts_documents_count_as_profile_data() {
        assert!(is_profile_document("quick_profile_1.json"));
        assert!(is_profile_document("quick_profile_12.json"));
        for other in [
            "quick_profile_.json",
            "quick_profile_1.png",
            "profile_1.json",
        ] {
            assert!(!is_profile_document(other), "{other}");
        }
    }

    #[test]
    fn the_request_mounts_each_dataset_and_names_it_in_the_title() {
        let dir = tempfile::tempdir().unwrap();
        let csv = dir.path().join("sales.csv");
        std::fs::write(&csv, "a,b\n1,2\n").unwrap();
        let req = request(
            &[csv],
            dir.path(),
            None,
            RunId::new(),
            CancellationToken::new(),
        )
        .unwrap();
        assert_eq!(req.title, "Quick profile of sales.csv");
        assert_eq!(req.datasets[0].container_path, "/data/sales.csv");
        assert_eq!(req.program, Program::script("quick_profile.py", SCRIPT));
    }
}
