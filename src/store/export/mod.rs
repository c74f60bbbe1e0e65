//! Exports of a saved session: a Jupyter notebook, a standalone HTML report, a
//! plain Python script, and a zip of the whole session (which imports back).
//!
//! - `steps.rs`: the conversation as steps (question, how it ended, the code
//!   that worked, its output and charts), as every export tells it.
//! - `prelude.rs`: the Python standing in for the sandbox's harness.
//! - `notebook.rs`, `html.rs`, `script.rs`, `archive.rs`: one format each.

mod archive;
mod html;
mod notebook;
mod prelude;
mod script;
mod steps;

pub use archive::import;

use super::layout::SessionFolder;
use super::saved::SavedSession;
use crate::error::{Error, Result};
use prelude::ExportedDataset;
use std::path::{Path, PathBuf};

/// What to export as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportFormat {
    /// `.ipynb`, with the datasets beside it.
    Notebook,
    /// `.html`, one file.
    Html,
    /// `.py`, with the datasets beside it.
    Script,
    /// `.zip` of the session folder.
    Archive,
}

impl ExportFormat {
    pub fn extension(self) -> &'static str {
        match self {
            ExportFormat::Notebook => "ipynb",
            ExportFormat::Html => "html",
            ExportFormat::Script => "py",
            ExportFormat::Archive => "zip",
        }
    }
}

impl std::str::FromStr for ExportFormat {
    type Err = String;

    fn from_str(raw: &str) -> std::result::Result<Self, String> {
        match raw.trim().trim_start_matches('.').to_lowercase().as_str() {
            "ipynb" | "notebook" => Ok(ExportFormat::Notebook),
            "html" | "report" => Ok(ExportFormat::Html),
            "py" | "python" | "script" => Ok(ExportFormat::Script),
            "zip" | "archive" => Ok(ExportFormat::Archive),
            other => Err(format!(
                "\"{other}\" is not an export format: use ipynb, html, py or zip"
            )),
        }
    }
}

/// The files an export wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Exported {
    pub file: PathBuf,
    /// The datasets' folder beside a notebook or script (`<name>-data/`).
    pub datasets_dir: Option<PathBuf>,
}

/// Writes `saved` as `format` to `out`. Every file is written whole (a crash
/// leaves the old file or none), and the session itself is never changed.
pub fn export(saved: &SavedSession, format: ExportFormat, out: &Path) -> Result<Exported> {
    let failed = |reason: String| Error::SessionExportFailed {
        id: saved.meta.id.to_string(),
        format: format.extension().to_owned(),
        reason,
    };
    let parent = out
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    if !parent.is_dir() {
        return Err(failed(format!(
            "the folder {} does not exist",
            parent.display()
        )));
    }
    let write = |bytes: Vec<u8>| {
        crate::atomic_file::replace(out, &bytes).map_err(|err| failed(err.to_string()))
    };
    let mut datasets_dir = None;
    match format {
        ExportFormat::Html => write(html::render(saved))?,
        ExportFormat::Notebook | ExportFormat::Script => {
            let stem = out
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_else(|| "session".into());
            let data_folder = format!("{}-data", super::layout::safe_component(&stem));
            let exported = export_datasets(saved, &parent.join(&data_folder), &data_folder)
                .map_err(|err| failed(format!("copying the datasets: {err}")))?;
            datasets_dir = Some(parent.join(&data_folder)).filter(|d| d.is_dir());
            write(match format {
                ExportFormat::Notebook => notebook::render(saved, &exported),
                _ => script::render(saved, &exported),
            })?;
        }
        ExportFormat::Archive => {
            write_archive(&saved.folder, out, parent).map_err(|err| failed(err.to_string()))?
        }
    }
    Ok(Exported {
        file: out.to_owned(),
        datasets_dir,
    })
}

/// The session's dataset copies, linked (or copied) into `dir`; datasets kept
/// by reference are named by their original path.
fn export_datasets(
    saved: &SavedSession,
    dir: &Path,
    data_folder: &str,
) -> std::io::Result<Vec<ExportedDataset>> {
    let mut exported = Vec::new();
    for dataset in &saved.meta.datasets {
        let entry = ExportedDataset::new(dataset, data_folder);
        if let super::meta::DatasetStorage::Copy { path } = &dataset.stored {
            std::fs::create_dir_all(dir)?;
            let target = dir.join(&dataset.name);
            let source = saved.folder.resolve(path);
            let _ = std::fs::remove_file(&target);
            if std::fs::hard_link(&source, &target).is_err() {
                std::fs::copy(&source, &target)?;
            }
        }
        exported.push(entry);
    }
    Ok(exported)
}

fn write_archive(folder: &SessionFolder, out: &Path, parent: &Path) -> std::io::Result<()> {
    let mut temp = tempfile::Builder::new()
        .prefix(".sandpiper-export.")
        .suffix(".tmp")
        .tempfile_in(parent)?;
    archive::write(folder, std::io::BufWriter::new(temp.as_file_mut()))?;
    temp.as_file().sync_all()?;
    temp.persist(out).map_err(|err| err.error)?;
    crate::atomic_file::sync_folder(parent)
}
