//! The harness every program runs under (`harness.py`): how a program is put on
//! its command line or into a resident harness's request, and the limits it
//! enforces itself. What it sends back is in `frames.rs`.

use super::container_spec;
use super::layout::DatasetMount;
use crate::error::{Error, Result};
use crate::profile_data::TableChoices;
use crate::settings::SandboxSettings;

const HARNESS: &str = include_str!("harness.py");
/// One command-line argument may hold at most 128 KiB on Linux.
const CHUNK_BYTES: usize = 96 * 1024;
/// The whole command line may hold about 2 MiB; leave room for the rest.
const MAX_SOURCE_BYTES: usize = 1536 * 1024;

/// What a run executes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Program {
    pub kind: ProgramKind,
    /// The file name errors and tracebacks show, e.g. `analysis.py`.
    pub name: String,
    pub source: String,
    /// For model code: the sheet and header row the analyst chose for each
    /// workbook, by dataset file name, which its `load_data` then reads.
    pub read_choices: TableChoices,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProgramKind {
    /// Model-written code: auto-imports, `file_1`… and `main_file`, figures
    /// saved, structured error reports.
    Code,
    /// One of Sandpiper's own scripts, run as it is with the datasets as arguments.
    Script,
}

impl Program {
    /// Model-written (or user-given) analysis code.
    pub fn code(source: &str) -> Self {
        Self {
            kind: ProgramKind::Code,
            name: "analysis.py".to_owned(),
            source: source.to_owned(),
            read_choices: TableChoices::new(),
        }
    }

    /// This program with `load_data` reading each workbook as the analyst
    /// chose (`choices`, by dataset file name).
    pub fn reading_tables_as(mut self, choices: &TableChoices) -> Self {
        self.read_choices = choices
            .iter()
            .filter(|(_, choice)| !choice.is_automatic())
            .map(|(name, choice)| (name.clone(), choice.clone()))
            .collect();
        self
    }

    /// One of Sandpiper's own scripts.
    pub fn script(name: &str, source: &str) -> Self {
        Self {
            kind: ProgramKind::Script,
            name: name.to_owned(),
            source: source.to_owned(),
            read_choices: TableChoices::new(),
        }
    }
}

/// The container's command: an isolated Python (`-I`: no PYTHON* variables,
/// no user site-packages, no working folder on the import path) running the
/// harness from `-c` (no file the code could replace), then the run's
/// settings, the program's source in chunks, then the datasets.
pub(crate) fn command(
    program: &Program,
    datasets: &[DatasetMount],
    settings: &SandboxSettings,
) -> Result<Vec<String>> {
    refuse_if_too_large(program)?;
    let chunks = split_on_char_boundaries(&program.source, CHUNK_BYTES);
    let mut config = limits(settings);
    config["user"] = code_user();
    config["mode"] = mode(program.kind).into();
    config["name"] = program.name.clone().into();
    config["read_choices"] = serde_json::json!(program.read_choices);
    let mut argv = python();
    argv.extend([
        "once".to_owned(),
        config.to_string(),
        chunks.len().to_string(),
    ]);
    argv.extend(chunks.into_iter().map(str::to_owned));
    argv.push("--".to_owned());
    argv.extend(datasets.iter().map(|d| d.container_path.clone()));
    Ok(argv)
}

/// A session container's command: the harness, resident, taking runs from
/// its stdin (see `request`).
pub(crate) fn resident_command() -> Vec<String> {
    let mut argv = python();
    argv.extend([
        "serve".to_owned(),
        serde_json::json!({ "user": code_user() }).to_string(),
    ]);
    argv
}

/// Our Python, isolated, with the harness as its program.
fn python() -> Vec<String> {
    ["python3", "-I", "-c", HARNESS].map(str::to_owned).to_vec()
}

/// The user the code runs as, `[uid, gid]`: never the harness's (root).
fn code_user() -> serde_json::Value {
    let (uid, gid) = container_spec::code_user();
    serde_json::json!([uid, gid])
}

/// What the harness enforces itself: the time limit (plus a grace period, in
/// case the engine is gone), how much output it forwards, and how large the
/// files it lets the engine copy may be.
fn limits(settings: &SandboxSettings) -> serde_json::Value {
    serde_json::json!({
        "timeout_secs": settings.timeout_secs,
        "output_cap_bytes": settings.output_cap_bytes,
        "artifact_cap_bytes": settings.artifact_cap_bytes,
        "workspace_bytes": settings.workspace_mib.saturating_mul(1024 * 1024),
    })
}

/// Names this harness's source, so a session container started with another
/// version of it is recreated rather than sent requests it may not read.
pub(crate) fn version() -> String {
    use sha2::{Digest, Sha256};
    let digest = Sha256::digest(HARNESS.as_bytes());
    digest[..6].iter().map(|b| format!("{b:02x}")).collect()
}

/// One run for a resident harness: the JSON's length in bytes on a line,
/// then the JSON, so the harness reads exactly one request and nothing more.
pub(crate) fn request(
    program: &Program,
    datasets: &[DatasetMount],
    token: &str,
    settings: &SandboxSettings,
) -> Result<Vec<u8>> {
    refuse_if_too_large(program)?;
    let body = serde_json::json!({
        "token": token,
        "mode": mode(program.kind),
        "name": program.name,
        "source": program.source,
        "datasets": datasets.iter().map(|d| d.container_path.as_str()).collect::<Vec<_>>(),
        "read_choices": program.read_choices,
        "limits": limits(settings),
    });
    Ok(framed(&body))
}

/// Asks a resident harness to start afresh, so packages installed since it
/// started replace modules it had already imported.
pub(crate) fn reload_request(token: &str) -> Vec<u8> {
    framed(&serde_json::json!({ "token": token, "op": "reload" }))
}

fn framed(body: &serde_json::Value) -> Vec<u8> {
    let json = body.to_string();
    let mut bytes = format!("{}\n", json.len()).into_bytes();
    bytes.extend_from_slice(json.as_bytes());
    bytes
}

fn mode(kind: ProgramKind) -> &'static str {
    match kind {
        ProgramKind::Code => "code",
        ProgramKind::Script => "script",
    }
}

/// One limit for both ways a program travels, so a program that runs in a
/// session runs as a one-off too.
fn refuse_if_too_large(program: &Program) -> Result<()> {
    if program.source.len() > MAX_SOURCE_BYTES {
        return Err(Error::ProgramTooLarge {
            bytes: program.source.len(),
        });
    }
    Ok(())
}

fn split_on_char_boundaries(text: &str, max_bytes: usize) -> Vec<&str> {
    let mut chunks = Vec::new();
    let mut rest = text;
    while !rest.is_empty() {
        let mut cut = rest.len().min(max_bytes);
        while !rest.is_char_boundary(cut) {
            cut -= 1;
        }
        let (chunk, tail) = rest.split_at(cut);
        chunks.push(chunk);
        rest = tail;
    }
    chunks
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_program_travels_on_the_command_line_in_chunks() {
        let source = "é".repeat(CHUNK_BYTES); // two bytes each: forces a split
        let settings = SandboxSettings::default();
        let argv = command(
            &Program::code(&source),
            &[DatasetMount {
                host_path: "/tmp/a.csv".into(),
                container_path: "/data/a.csv".into(),
            }],
            &settings,
        )
        .unwrap();
        assert_eq!(&argv[..3], ["python3", "-I", "-c"]);
        assert_eq!(argv[4], "once");
        let config: serde_json::Value = serde_json::from_str(&argv[5]).unwrap();
        assert_eq!(config["mode"], "code");
        assert_eq!(config["name"], "analysis.py");
        assert_eq!(config["timeout_secs"], settings.timeout_secs);
        assert_ne!(config["user"][0], 0, "the code never runs as root");
        assert_eq!(argv[6], "2");
        assert_eq!(format!("{}{}", argv[7], argv[8]), source);
        assert_eq!(&argv[9..], ["--", "/data/a.csv"]);
        assert!(argv.iter().all(|a| a.len() <= CHUNK_BYTES));
    }

    #[test]
    fn a_program_too_large_for_a_command_line_is_refused() {
        let program = Program::code(&"x".repeat(MAX_SOURCE_BYTES + 1));
        let err = command(&program, &[], &SandboxSettings::default()).unwrap_err();
        assert!(matches!(err, Error::ProgramTooLarge { .. }));
    }
}
