//! The harness every program runs under (`harness.py`): how a program is put on
//! its command line, the "done" marker it prints, and the structured error it
//! reports for model-written code.

use super::layout::DatasetMount;
use crate::error::{Error, Result};
use crate::events::PythonError;

const HARNESS: &str = include_str!("harness.py");
/// The line the harness ends a failure report with; never shown to the user.
pub(crate) const ERROR_MARKER: &str = "SANDPIPER-ERROR ";
/// Starts the harness's "the code has finished" line; see `done_marker`.
const DONE_MARKER: &str = "\u{1e}SANDPIPER-DONE";
/// Starts a resident harness's "this run's output starts here" line.
const START_MARKER: &str = "\u{1e}SANDPIPER-START";
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
        }
    }

    /// One of Sandpiper's own scripts.
    pub fn script(name: &str, source: &str) -> Self {
        Self {
            kind: ProgramKind::Script,
            name: name.to_owned(),
            source: source.to_owned(),
        }
    }
}

/// The container's command: the harness from `-c` (no file the code could
/// replace), then the program's source in chunks, then the datasets.
pub(crate) fn command(program: &Program, datasets: &[DatasetMount]) -> Result<Vec<String>> {
    refuse_if_too_large(program)?;
    let chunks = split_on_char_boundaries(&program.source, CHUNK_BYTES);
    let mut argv = vec![
        "python3".to_owned(),
        "-c".to_owned(),
        HARNESS.to_owned(),
        mode(program.kind).to_owned(),
        program.name.clone(),
        chunks.len().to_string(),
    ];
    argv.extend(chunks.into_iter().map(str::to_owned));
    argv.push("--".to_owned());
    argv.extend(datasets.iter().map(|d| d.container_path.clone()));
    Ok(argv)
}

/// A session container's command: the harness, resident, taking runs from
/// its stdin (see `request`).
pub(crate) fn resident_command() -> Vec<String> {
    vec![
        "python3".to_owned(),
        "-c".to_owned(),
        HARNESS.to_owned(),
        "serve".to_owned(),
    ]
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
) -> Result<Vec<u8>> {
    refuse_if_too_large(program)?;
    let body = serde_json::json!({
        "token": token,
        "mode": mode(program.kind),
        "name": program.name,
        "source": program.source,
        "datasets": datasets.iter().map(|d| d.container_path.as_str()).collect::<Vec<_>>(),
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

/// The marker the harness prints, with this run's token, when the program has
/// ended: `<marker> <token> <exit status>`.
pub(crate) fn done_marker(token: &str) -> String {
    format!("{DONE_MARKER} {token} ")
}

/// The line a resident harness prints, with this run's token, before the
/// run's output: anything earlier on the stream belongs to another run.
pub(crate) fn start_marker(token: &str) -> String {
    format!("{START_MARKER} {token}")
}

/// The last error report in stderr. The code could print a fake one; that only
/// misdescribes its own failure, so the last report wins.
pub(crate) fn parse_error(stderr: &str) -> Option<PythonError> {
    stderr
        .lines()
        .rev()
        .find_map(|line| line.strip_prefix(ERROR_MARKER))
        .and_then(|json| serde_json::from_str(json).ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_error_report_is_read_back() {
        let stderr = "Traceback...\nSANDPIPER-ERROR {\"type\":\"KeyError\",\"message\":\"'price'\",\"line\":4,\"context\":\"->   4 | df['price']\"}\n";
        let err = parse_error(stderr).unwrap();
        assert_eq!(err.type_name, "KeyError");
        assert_eq!(err.line, Some(4));
        assert!(parse_error("no report here").is_none());
        assert!(parse_error("SANDPIPER-ERROR {not json").is_none());
    }

    #[test]
    fn the_program_travels_on_the_command_line_in_chunks() {
        let source = "é".repeat(CHUNK_BYTES); // two bytes each: forces a split
        let argv = command(
            &Program::code(&source),
            &[DatasetMount {
                host_path: "/tmp/a.csv".into(),
                container_path: "/data/a.csv".into(),
            }],
        )
        .unwrap();
        assert_eq!(&argv[..2], ["python3", "-c"]);
        assert_eq!(argv[3], "code");
        assert_eq!(argv[4], "analysis.py");
        assert_eq!(argv[5], "2");
        assert_eq!(format!("{}{}", argv[6], argv[7]), source);
        assert_eq!(&argv[8..], ["--", "/data/a.csv"]);
        assert!(argv.iter().all(|a| a.len() <= CHUNK_BYTES));
    }

    #[test]
    fn a_program_too_large_for_a_command_line_is_refused() {
        let err = command(&Program::code(&"x".repeat(MAX_SOURCE_BYTES + 1)), &[]).unwrap_err();
        assert!(matches!(err, Error::ProgramTooLarge { .. }));
    }
}
