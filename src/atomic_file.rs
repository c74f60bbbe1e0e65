//! Replacing a small file so that a crash or a power cut at any moment leaves
//! either the old content or the new one, never a mix: write a temporary file
//! beside it, sync it, rename it over the target, then sync the folder so the
//! rename itself is on disk. Every JSON file Sandpiper keeps goes through here.

use std::io::Write;
use std::path::Path;

/// Replaces `target` with `bytes`, creating its folder if needed. The temporary
/// file starts with a dot and ends in `.tmp`, so a crash mid-write leaves only a
/// hidden file that nothing reads.
pub fn replace(target: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = target
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)?;
    let stem = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut temp = tempfile::Builder::new()
        .prefix(&format!(".{stem}."))
        .suffix(".tmp")
        .tempfile_in(dir)?;
    temp.write_all(bytes)?;
    temp.as_file().sync_all()?;
    temp.persist(target).map_err(|err| err.error)?;
    sync_folder(dir)
}

/// Makes a rename or a new file in `dir` durable. Windows has no folder sync;
/// NTFS journals the rename itself.
pub fn sync_folder(dir: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    std::fs::File::open(dir)?.sync_all()?;
    #[cfg(not(unix))]
    let _ = dir;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_the_whole_file_and_leaves_no_temporary_behind() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("sub").join("state.json");
        replace(&target, b"{\"v\":1}").unwrap();
        replace(&target, b"{\"v\":2}").unwrap();
        assert_eq!(std::fs::read(&target).unwrap(), b"{\"v\":2}");
        let names: Vec<_> = std::fs::read_dir(target.parent().unwrap())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, vec![std::ffi::OsString::from("state.json")]);
    }
}
