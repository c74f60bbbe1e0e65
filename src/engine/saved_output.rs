//! "Save output…": what a run printed, written to a text file the analyst chose
//! in the window's save dialog. Every line the window holds goes into the file,
//! not only the latest ones it draws.

use super::Engine;
use crate::atomic_file;
use crate::error::{Error, Result};
use std::path::{Path, PathBuf};

impl Engine {
    /// Writes `lines` to `out`, one a line, and returns the file written. The
    /// file appears whole or not at all: a full disk leaves what was there.
    pub fn save_output(&self, lines: &[String], out: &Path) -> Result<PathBuf> {
        let mut text = String::with_capacity(lines.iter().map(|l| l.len() + 1).sum());
        for line in lines {
            text.push_str(line);
            text.push('\n');
        }
        atomic_file::replace(out, text.as_bytes()).map_err(|source| Error::OutputNotSaved {
            path: out.to_owned(),
            source,
        })?;
        Ok(out.to_owned())
    }
}
