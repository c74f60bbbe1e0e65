//! Bringing back the files a run wrote to its output folder. The folder was
//! writable by hostile code, so: regular files only, never through a symlink,
//! only known result types, and each under a size cap.

use crate::error::{Error, Result};
use crate::events::Artifact;
use std::path::Path;

/// Nested folders deeper than this are not searched.
const MAX_DEPTH: usize = 3;
/// A run that writes thousands of files gets the first ones, not a frozen window.
const MAX_FILES: usize = 200;

/// What was brought back, and what was left behind and why.
#[derive(Debug, Default)]
pub(crate) struct Collected {
    pub artifacts: Vec<Artifact>,
    pub skipped: Vec<String>,
}

pub(crate) fn collect(output_dir: &Path, dest_dir: &Path, cap_bytes: u64) -> Result<Collected> {
    let mut collected = Collected::default();
    let mut found = Vec::new();
    walk(output_dir, 0, &mut found, &mut collected.skipped);
    found.sort();
    if found.is_empty() {
        return Ok(collected);
    }
    std::fs::create_dir_all(dest_dir).map_err(|e| Error::io("saving the run's results", e))?;
    for (index, path) in found.into_iter().enumerate() {
        let rel = path
            .strip_prefix(output_dir)
            .unwrap_or(&path)
            .to_string_lossy()
            .replace(std::path::MAIN_SEPARATOR, "/");
        if index >= MAX_FILES {
            collected
                .skipped
                .push(format!("{rel}: more than {MAX_FILES} files"));
            continue;
        }
        let Some(mime) = mime_for(&path) else {
            collected.skipped.push(format!("{rel}: not a result type"));
            continue;
        };
        // symlink_metadata: a link the code planted (to /etc/passwd, say) is not followed.
        let Ok(meta) = std::fs::symlink_metadata(&path) else {
            continue;
        };
        if meta.len() > cap_bytes {
            collected.skipped.push(format!(
                "{rel}: larger than the {} MiB limit",
                cap_bytes / (1024 * 1024)
            ));
            continue;
        }
        let name = rel.replace('/', "_");
        let dest = dest_dir.join(&name);
        std::fs::copy(&path, &dest).map_err(|e| Error::io("saving the run's results", e))?;
        collected.artifacts.push(Artifact {
            name,
            path: dest,
            mime: mime.to_owned(),
            size_bytes: meta.len(),
        });
    }
    Ok(collected)
}

fn walk(dir: &Path, depth: usize, found: &mut Vec<std::path::PathBuf>, skipped: &mut Vec<String>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let Ok(meta) = std::fs::symlink_metadata(&path) else {
            continue;
        };
        if meta.file_type().is_symlink() {
            skipped.push(format!(
                "{}: a link, not a file",
                entry.file_name().to_string_lossy()
            ));
        } else if meta.is_dir() && depth < MAX_DEPTH {
            walk(&path, depth + 1, found, skipped);
        } else if meta.is_file() {
            found.push(path);
        }
    }
}

fn mime_for(path: &Path) -> Option<&'static str> {
    let ext = path.extension()?.to_str()?.to_ascii_lowercase();
    Some(match ext.as_str() {
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "svg" => "image/svg+xml",
        "csv" => "text/csv",
        "html" | "htm" => "text/html",
        "xlsx" => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "json" => "application/json",
        "txt" | "md" => "text/plain",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_capped_regular_result_files_come_back() {
        let out = tempfile::tempdir().unwrap();
        let dest = tempfile::tempdir().unwrap();
        std::fs::write(out.path().join("chart.png"), b"png").unwrap();
        std::fs::write(out.path().join("big.csv"), vec![b'x'; 100]).unwrap();
        std::fs::write(out.path().join("tool.exe"), b"mz").unwrap();
        std::fs::create_dir(out.path().join("sub")).unwrap();
        std::fs::write(out.path().join("sub/table.csv"), b"a\n").unwrap();
        #[cfg(unix)]
        std::os::unix::fs::symlink("/etc/passwd", out.path().join("passwd.txt")).unwrap();

        let got = collect(out.path(), dest.path(), 50).unwrap();
        let names: Vec<_> = got.artifacts.iter().map(|a| a.name.as_str()).collect();
        assert_eq!(names, vec!["chart.png", "sub_table.csv"]);
        assert_eq!(got.artifacts[0].mime, "image/png");
        assert!(dest.path().join("chart.png").is_file());
        assert!(!dest.path().join("passwd.txt").exists());
        let skipped = got.skipped.join("\n");
        assert!(skipped.contains("big.csv: larger"), "{skipped}");
        assert!(skipped.contains("tool.exe: not a result type"), "{skipped}");
        #[cfg(unix)]
        assert!(skipped.contains("passwd.txt: a link"), "{skipped}");
    }
}
