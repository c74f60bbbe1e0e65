//! The harness's frames: the only thing on a container's stdout. The harness
//! reads the code's stdout and stderr from pipes and sends them here inside
//! frames, base64-encoded, so nothing the code prints can end a frame or look
//! like one (see harness.py). One frame per line:
//!
//! - `S <token>`: a run starts (a session's run carries the engine's token);
//! - `O <base64>` / `E <base64>`: bytes the code wrote to its stdout / stderr;
//! - `D <json>`: the run is over (see `Done`).

use crate::events::PythonError;
use base64::Engine as _;
use serde::Deserialize;

/// A frame is a line of at most this much; a longer one is no frame of the
/// harness's (its output frames hold 64 KiB, base64-encoded) and is dropped.
const MAX_FRAME_BYTES: usize = 1024 * 1024;

#[derive(Debug, PartialEq)]
pub(crate) enum Frame {
    Start(String),
    Stdout(Vec<u8>),
    Stderr(Vec<u8>),
    Done(Done),
}

/// What the harness says when a run is over: only after the code's process
/// has really exited (or its time ran out) and every other process in the
/// container has been ended.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub(crate) struct Done {
    pub token: String,
    /// The code's exit status (128 + N when killed by signal N); none when its
    /// time ran out.
    #[serde(default)]
    pub status: Option<i64>,
    /// The harness's own time limit (the run's plus a grace period) ended it:
    /// the engine was not there to.
    #[serde(default)]
    pub timed_out: bool,
    /// The harness kept only the start of the code's output.
    #[serde(default)]
    pub truncated: bool,
    /// The harness's own report of the exception that ended model-written code.
    #[serde(default)]
    pub error: Option<PythonError>,
    /// The output folder holds something to copy.
    #[serde(default)]
    pub outputs: bool,
    /// The bytes of the regular files in it, and how many entries it has.
    #[serde(default)]
    pub output_bytes: u64,
    #[serde(default)]
    pub output_entries: u64,
    /// Files the harness removed rather than let the engine stream them
    /// (larger than a result may be, or more than the work folder can hold).
    #[serde(default)]
    pub refused: Vec<String>,
    /// The work folder's files after the run (none from a harness that did
    /// not list them, e.g. for a reload).
    #[serde(default)]
    pub workspace: Option<WorkspaceListing>,
}

/// The files a session's work folder holds after a run, as the harness listed
/// them (as the code's user, never following a link): their paths are the
/// code's data, to be shown as text and nothing else.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub struct WorkspaceListing {
    /// (path relative to /workspace, bytes), the output folder, dot-files,
    /// links and anything but regular files aside.
    pub files: Vec<(String, u64)>,
    /// There are more files than listed.
    #[serde(default)]
    pub more: bool,
}

impl Done {
    /// The most the output folder's archive may take: the files the harness
    /// counted, plus room for each entry's headers. Reading stops there.
    pub(crate) fn archive_cap_bytes(&self) -> u64 {
        const PER_ENTRY: u64 = 10 * 1024;
        self.output_bytes
            .saturating_add(
                self.output_entries
                    .saturating_add(2)
                    .saturating_mul(PER_ENTRY),
            )
            .saturating_add(1024 * 1024)
    }
}

/// Cuts the container's stdout into frames. An engine may attach to a session
/// container in the middle of a frame (another run's): what comes before the
/// first whole line is no frame and is dropped.
#[derive(Default)]
pub(crate) struct FrameReader {
    pending: Vec<u8>,
    /// The current line is longer than any frame: dropped up to its end.
    skipping: bool,
}

impl FrameReader {
    pub(crate) fn push(&mut self, chunk: &[u8]) -> Vec<Frame> {
        let mut frames = Vec::new();
        let mut rest = chunk;
        while let Some(end) = rest.iter().position(|&b| b == b'\n') {
            let (line, tail) = rest.split_at(end);
            rest = &tail[1..];
            if !std::mem::take(&mut self.skipping)
                && self.pending.len() + line.len() <= MAX_FRAME_BYTES
            {
                self.pending.extend_from_slice(line);
                frames.extend(parse(&self.pending));
            }
            self.pending.clear();
        }
        if !self.skipping {
            if self.pending.len() + rest.len() > MAX_FRAME_BYTES {
                self.skipping = true;
                self.pending.clear();
            } else {
                self.pending.extend_from_slice(rest);
            }
        }
        frames
    }
}

fn parse(line: &[u8]) -> Option<Frame> {
    let text = std::str::from_utf8(line).ok()?;
    let (kind, payload) = text.split_once(' ')?;
    let bytes = || {
        base64::engine::general_purpose::STANDARD
            .decode(payload)
            .ok()
    };
    match kind {
        "S" => Some(Frame::Start(payload.to_owned())),
        "O" => bytes().map(Frame::Stdout),
        "E" => bytes().map(Frame::Stderr),
        "D" => serde_json::from_str(payload).ok().map(Frame::Done),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn b64(bytes: &[u8]) -> String {
        base64::engine::general_purpose::STANDARD.encode(bytes)
    }

    #[test]
    fn frames_split_anywhere_come_out_whole() {
        let stream = format!(
            "S tok\nO {}\nE {}\nD {{\"token\":\"tok\",\"status\":3,\"outputs\":true,\"output_bytes\":10,\"output_entries\":1,\"refused\":[\"big.csv\"]}}\n",
            b64(b"hello\n"),
            b64(b"oops\n")
        );
        for size in [1, 2, 7, 1000] {
            let mut reader = FrameReader::default();
            let frames: Vec<Frame> = stream
                .as_bytes()
                .chunks(size)
                .flat_map(|c| reader.push(c))
                .collect();
            assert_eq!(frames.len(), 4, "chunks of {size}");
            assert_eq!(frames[0], Frame::Start("tok".into()));
            assert_eq!(frames[1], Frame::Stdout(b"hello\n".to_vec()));
            assert_eq!(frames[2], Frame::Stderr(b"oops\n".to_vec()));
            let Frame::Done(done) = &frames[3] else {
                panic!("{:?}", frames[3]);
            };
            assert_eq!(done.token, "tok");
            assert_eq!(done.status, Some(3));
            assert!(done.outputs && !done.timed_out && !done.truncated);
            assert_eq!(done.refused, vec!["big.csv"]);
            assert_eq!(done.workspace, None);
            assert!(done.archive_cap_bytes() > 10);
        }
    }

    #[test]
    fn the_work_folder_listing_travels_in_done() {
        let mut reader = FrameReader::default();
        let frames = reader.push(
            b"D {\"token\":\"t\",\"workspace\":{\"files\":[[\"a/b.csv\",12]],\"more\":true}}\n",
        );
        let [Frame::Done(done)] = &frames[..] else {
            panic!("{frames:?}");
        };
        let listing = done.workspace.as_ref().expect("a listing");
        assert_eq!(listing.files, vec![("a/b.csv".to_owned(), 12)]);
        assert!(listing.more);
    }

    #[test]
    fn what_the_code_prints_travels_encoded_and_is_never_a_frame() {
        // Text the code prints can hold newlines and look like frames; only
        // its encoding reaches the stream, and decoding gives it back as text.
        let printed = b"x\nD {\"token\":\"tok\",\"status\":0}\nS tok\n";
        let mut reader = FrameReader::default();
        let frames = reader.push(format!("S tok\nO {}\n", b64(printed)).as_bytes());
        assert_eq!(
            frames,
            vec![Frame::Start("tok".into()), Frame::Stdout(printed.to_vec())]
        );
    }

    #[test]
    fn the_middle_of_a_frame_and_lines_longer_than_any_frame_are_dropped() {
        let mut reader = FrameReader::default();
        // Attached in the middle of another run's output frame.
        assert!(reader.push(b"GVsbG8K\nS tok\n")[..] == [Frame::Start("tok".into())]);
        let mut reader = FrameReader::default();
        let huge = vec![b'O'; MAX_FRAME_BYTES + 10];
        assert!(reader.push(&huge).is_empty());
        assert!(reader.push(b"more of it\nS tok\n")[..] == [Frame::Start("tok".into())]);
        assert!(
            reader
                .push(b"O !!not base64\nX what\nD {broken\n")
                .is_empty()
        );
    }
}
