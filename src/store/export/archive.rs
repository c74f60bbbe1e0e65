//! A session as one `.zip` of its folder (without its lock), and back: an
//! imported archive is checked entry by entry (no path may leave the folder,
//! no links), unpacked into a hidden folder, read as a session, and only then
//! put in place with one rename. An id already taken gets a new one.

use crate::error::{Error, Result};
use crate::ids::SessionId;
use crate::store::catalog;
use crate::store::layout::{self, SessionFolder};
use crate::store::meta;
use std::io::Write;
use std::path::{Path, PathBuf};
use zip::write::SimpleFileOptions;

/// Writes the folder's files into `out` (a zip), in a stable order.
pub fn write(folder: &SessionFolder, out: impl Write + std::io::Seek) -> std::io::Result<()> {
    let mut zip = zip::ZipWriter::new(out);
    let mut files = Vec::new();
    collect(folder.dir(), Path::new(""), &mut files)?;
    files.sort();
    for relative in files {
        let name = relative
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect::<Vec<_>>()
            .join("/");
        // Charts and most datasets are compressed already, or barely shrink.
        let method =
            match name.ends_with(".json") || name.ends_with(".jsonl") || name.ends_with(".py") {
                true => zip::CompressionMethod::Deflated,
                false => zip::CompressionMethod::Stored,
            };
        zip.start_file(
            name,
            SimpleFileOptions::default().compression_method(method),
        )
        .map_err(std::io::Error::other)?;
        let mut file = std::fs::File::open(folder.dir().join(&relative))?;
        std::io::copy(&mut file, &mut zip)?;
    }
    zip.finish().map_err(std::io::Error::other)?;
    Ok(())
}

fn collect(root: &Path, relative: &Path, files: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(root.join(relative))? {
        let entry = entry?;
        let name = entry.file_name();
        let text = name.to_string_lossy();
        if text == layout::LOCK_FILE || text.starts_with('.') {
            continue;
        }
        let path = relative.join(&name);
        let kind = entry.file_type()?;
        if kind.is_dir() {
            collect(root, &path, files)?;
        } else if kind.is_file() {
            files.push(path);
        }
    }
    Ok(())
}

/// Imports the archive at `path` into `root`; returns the session's id (a new
/// one when the archive's id is already taken).
pub fn import(root: &Path, path: &Path) -> Result<SessionId> {
    let refused = |reason: String| Error::SessionImportFailed {
        path: path.to_owned(),
        reason,
    };
    let file = std::fs::File::open(path).map_err(|err| refused(err.to_string()))?;
    let mut archive = zip::ZipArchive::new(file)
        .map_err(|err| refused(format!("it is not a zip archive: {err}")))?;
    let staging = catalog::staging_folder(root, "import")?;
    for index in 0..archive.len() {
        let mut entry = archive
            .by_index(index)
            .map_err(|err| refused(format!("entry {index} can't be read: {err}")))?;
        let Some(relative) = entry.enclosed_name() else {
            return Err(refused(format!(
                "the entry {:?} would be written outside the session's folder",
                entry.name()
            )));
        };
        if entry.is_symlink() {
            return Err(refused(format!("the entry {:?} is a link", entry.name())));
        }
        let target = staging.path().join(&relative);
        if entry.is_dir() {
            std::fs::create_dir_all(&target).map_err(|e| Error::io("unpacking the session", e))?;
            continue;
        }
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent).map_err(|e| Error::io("unpacking the session", e))?;
        }
        let mut out =
            std::fs::File::create(&target).map_err(|e| Error::io("unpacking the session", e))?;
        std::io::copy(&mut entry, &mut out)
            .map_err(|err| refused(format!("{:?} can't be unpacked: {err}", entry.name())))?;
        out.sync_all()
            .map_err(|e| Error::io("unpacking the session", e))?;
    }
    let unpacked = SessionFolder::new(staging.path());
    let id = archived_id(&unpacked).map_err(refused)?;
    let read = meta::read(&unpacked, &id).map_err(|err| refused(err.plain_words().advice))?;
    let mut id = id;
    if root.join(id.as_str()).join(layout::SESSION_FILE).exists() {
        id = SessionId::new();
        let mut renamed = read.meta;
        renamed.id = id.clone();
        renamed.title = format!("{} (imported)", renamed.title);
        meta::write(&unpacked, &renamed)?;
    }
    catalog::place(staging, &root.join(id.as_str()), &id)?;
    Ok(id)
}

/// The id `session.json` names, before it is read in full.
fn archived_id(folder: &SessionFolder) -> std::result::Result<SessionId, String> {
    let bytes = std::fs::read(folder.session_file())
        .map_err(|_| "it has no session.json: it was not exported by Sandpiper".to_owned())?;
    let value: serde_json::Value = serde_json::from_slice(&bytes)
        .map_err(|err| format!("its session.json is not valid JSON: {err}"))?;
    let raw = value
        .get("id")
        .and_then(|v| v.as_str())
        .ok_or_else(|| "its session.json names no session".to_owned())?;
    SessionId::parse(raw).map_err(|err| err.plain_words().title)
}
