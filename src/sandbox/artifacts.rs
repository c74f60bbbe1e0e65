//! Bringing back the files a run wrote to its output folder, from the tar
//! archive the Docker API gives. The folder was writable by hostile code, so:
//! regular files only (never a link), only known result types, names that stay
//! inside the destination, each under a size cap, and a bounded number of them.

use crate::error::{Error, Result};
use crate::events::Artifact;
use std::io::Read;
use std::path::{Component, Path};

/// Nested folders deeper than this are not brought back.
const MAX_DEPTH: usize = 4;
/// A run that writes thousands of files gets the first ones, not a frozen window.
const MAX_FILES: usize = 200;

/// What was brought back, and what was left behind and why.
#[derive(Debug, Default)]
pub(crate) struct Collected {
    pub artifacts: Vec<Artifact>,
    pub skipped: Vec<String>,
}

/// Reads an archive of the output folder (its entries start with `output/`)
/// and copies the result files into `dest_dir`.
pub(crate) fn collect(archive: impl Read, dest_dir: &Path, cap_bytes: u64) -> Result<Collected> {
    let saving = |e| Error::io("saving the run's results", e);
    let mut collected = Collected::default();
    let mut archive = tar::Archive::new(archive);
    for entry in archive.entries().map_err(saving)? {
        let mut entry = entry.map_err(saving)?;
        let kind = entry.header().entry_type();
        if kind.is_dir() {
            continue;
        }
        let Some(rel) = relative_name(&entry.path().map_err(saving)?) else {
            continue;
        };
        if !(kind.is_file() || kind == tar::EntryType::Continuous) {
            // A link the code planted (to /etc/passwd, say) is never followed.
            collected.skipped.push(format!("{rel}: a link, not a file"));
            continue;
        }
        if collected.artifacts.len() >= MAX_FILES {
            collected
                .skipped
                .push(format!("{rel}: more than {MAX_FILES} files"));
            continue;
        }
        let Some(mime) = mime_for(&rel) else {
            collected.skipped.push(format!("{rel}: not a result type"));
            continue;
        };
        let size = entry.header().size().map_err(saving)?;
        if size > cap_bytes {
            collected.skipped.push(format!(
                "{rel}: larger than the {} MiB limit",
                cap_bytes / (1024 * 1024)
            ));
            continue;
        }
        std::fs::create_dir_all(dest_dir).map_err(saving)?;
        let name = unique_name(dest_dir, &rel.replace('/', "_"));
        let path = dest_dir.join(&name);
        let mut file = std::fs::File::create(&path).map_err(saving)?;
        std::io::copy(&mut (&mut entry).take(cap_bytes), &mut file).map_err(saving)?;
        collected.artifacts.push(Artifact {
            name,
            path,
            mime: mime.to_owned(),
            size_bytes: size,
        });
    }
    Ok(collected)
}

/// `output/charts/a.png` → `charts/a.png`; `None` for the folder itself, names
/// that climb out (`..`), absolute names, or folders nested too deep.
fn relative_name(path: &Path) -> Option<String> {
    let mut parts = Vec::new();
    for component in path.components().skip(1) {
        match component {
            Component::Normal(part) => parts.push(part.to_string_lossy().into_owned()),
            Component::CurDir => {}
            _ => return None,
        }
    }
    (!parts.is_empty() && parts.len() <= MAX_DEPTH).then(|| parts.join("/"))
}

fn unique_name(dir: &Path, name: &str) -> String {
    if !dir.join(name).exists() {
        return name.to_owned();
    }
    let (stem, ext) = name.rsplit_once('.').unwrap_or((name, ""));
    (2..)
        .map(|n| {
            if ext.is_empty() {
                format!("{stem}_{n}")
            } else {
                format!("{stem}_{n}.{ext}")
            }
        })
        .find(|candidate| !dir.join(candidate).exists())
        .expect("an unused name exists")
}

fn mime_for(name: &str) -> Option<&'static str> {
    let ext = name.rsplit_once('.')?.1.to_ascii_lowercase();
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

    fn archive(entries: &[(&str, tar::EntryType, &[u8], Option<&str>)]) -> Vec<u8> {
        let mut builder = tar::Builder::new(Vec::new());
        for (path, kind, data, link) in entries {
            let mut header = tar::Header::new_gnu();
            header.set_entry_type(*kind);
            header.set_size(data.len() as u64);
            header.set_mode(0o644);
            if let Some(link) = link {
                header.set_link_name(link).unwrap();
            }
            // Write the raw name so hostile names ("..") reach the parser as they would.
            let name = header.as_old_mut().name.as_mut();
            name[..path.len()].copy_from_slice(path.as_bytes());
            header.set_cksum();
            builder.append(&header, *data).unwrap();
        }
        builder.into_inner().unwrap()
    }

    #[test]
    fn only_capped_regular_result_files_come_back() {
        let dest = tempfile::tempdir().unwrap();
        let tar = archive(&[
            ("output/", tar::EntryType::Directory, b"", None),
            ("output/chart.png", tar::EntryType::Regular, b"png", None),
            (
                "output/big.csv",
                tar::EntryType::Regular,
                &[b'x'; 100],
                None,
            ),
            ("output/tool.exe", tar::EntryType::Regular, b"mz", None),
            (
                "output/sub/table.csv",
                tar::EntryType::Regular,
                b"a\n",
                None,
            ),
            (
                "output/passwd.txt",
                tar::EntryType::Symlink,
                b"",
                Some("/etc/passwd"),
            ),
            (
                "output/../../escape.csv",
                tar::EntryType::Regular,
                b"x",
                None,
            ),
        ]);

        let got = collect(tar.as_slice(), dest.path(), 50).unwrap();
        let names: Vec<_> = got.artifacts.iter().map(|a| a.name.as_str()).collect();
        assert_eq!(names, vec!["chart.png", "sub_table.csv"]);
        assert_eq!(got.artifacts[0].mime, "image/png");
        assert_eq!(
            std::fs::read(dest.path().join("chart.png")).unwrap(),
            b"png"
        );
        assert!(!dest.path().join("passwd.txt").exists());
        let skipped = got.skipped.join("\n");
        assert!(skipped.contains("big.csv: larger"), "{skipped}");
        assert!(skipped.contains("tool.exe: not a result type"), "{skipped}");
        assert!(skipped.contains("passwd.txt: a link"), "{skipped}");
        assert!(!dest.path().parent().unwrap().join("escape.csv").exists());
    }

    #[test]
    fn two_files_that_flatten_to_one_name_both_come_back() {
        let dest = tempfile::tempdir().unwrap();
        let tar = archive(&[
            ("output/a_b.csv", tar::EntryType::Regular, b"1", None),
            ("output/a/b.csv", tar::EntryType::Regular, b"2", None),
        ]);
        let got = collect(tar.as_slice(), dest.path(), 50).unwrap();
        let names: Vec<_> = got.artifacts.iter().map(|a| a.name.as_str()).collect();
        assert_eq!(names, vec!["a_b.csv", "a_b_2.csv"]);
    }
}
