//! The built-in Quick profile: a fixed Python script, no LLM, no API key. It
//! reports shape, column types, missing values, summary statistics and one
//! histogram per numeric column, using only the standard library when pandas and
//! matplotlib are absent, so it works on a bare `python:3.11-slim`.

use crate::error::Result;
use crate::ids::{RunId, SessionId};
use crate::sandbox::{Program, RunRequest, plan_dataset_mounts};
use std::path::{Path, PathBuf};
use tokio_util::sync::CancellationToken;

/// The script, shipped inside the binary.
pub const SCRIPT: &str = include_str!("quick_profile.py");
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
    Ok(RunRequest {
        run_id,
        session_id,
        title: title(datasets),
        program: Program::script(SCRIPT_NAME, SCRIPT),
        datasets: mounts,
        artifacts_dir: artifacts_dir.to_owned(),
        cancel,
    })
}

fn title(datasets: &[PathBuf]) -> String {
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
