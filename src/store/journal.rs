//! `conversation.jsonl`: one `conversation::Message` as JSON per line, only ever
//! appended. Each line goes out in one write, so a crash can tear only the last
//! one; lines are synced to disk at step boundaries (a question, a step's end,
//! its answer), so everything up to the last boundary survives a power cut too.
//!
//! Paths of charts inside the session folder are saved relative to it and
//! resolved again when read, so a duplicated or imported session finds its own.

use super::layout::SessionFolder;
use crate::conversation::Message;
use std::fs::{File, OpenOptions};
use std::io::Write;

/// What reading the file found.
#[derive(Debug, Default)]
pub struct ReadConversation {
    pub messages: Vec<Message>,
    /// Bytes of the complete lines before the torn tail, if any.
    pub good_len: u64,
    /// An unfinished last line (the app stopped while writing it).
    pub torn_tail: Option<Vec<u8>>,
    /// A last line that is a whole message but lacks its newline.
    pub missing_newline: bool,
    /// Complete lines that are not a message this Sandpiper knows (written by a
    /// newer one, or damaged): kept in the file, counted here.
    pub unreadable_lines: Vec<usize>,
}

/// Reads the conversation; a missing file is an empty conversation.
pub fn read(folder: &SessionFolder) -> std::io::Result<ReadConversation> {
    let bytes = match std::fs::read(folder.conversation_file()) {
        Ok(bytes) => bytes,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => Vec::new(),
        Err(err) => return Err(err),
    };
    Ok(parse(&bytes, folder))
}

fn parse(bytes: &[u8], folder: &SessionFolder) -> ReadConversation {
    let mut read = ReadConversation::default();
    let mut start = 0;
    let mut line_number = 0;
    while start < bytes.len() {
        line_number += 1;
        let end = bytes[start..].iter().position(|&b| b == b'\n');
        let line = &bytes[start..end.map_or(bytes.len(), |e| start + e)];
        let message = serde_json::from_slice::<Message>(line).ok();
        match (end, message) {
            (Some(end), Some(message)) => {
                read.messages.push(resolved(message, folder));
                start += end + 1;
                read.good_len = start as u64;
            }
            (Some(end), None) => {
                if !line.iter().all(u8::is_ascii_whitespace) {
                    read.unreadable_lines.push(line_number);
                }
                start += end + 1;
                read.good_len = start as u64;
            }
            (None, Some(message)) => {
                read.messages.push(resolved(message, folder));
                read.missing_newline = true;
                read.good_len = bytes.len() as u64;
                break;
            }
            (None, None) => {
                read.torn_tail = Some(line.to_vec());
                break;
            }
        }
    }
    read
}

/// Appends lines. Opened by the one handle that holds the session's lock.
pub struct Appender {
    file: File,
}

impl Appender {
    pub fn open(folder: &SessionFolder) -> std::io::Result<Self> {
        let path = folder.conversation_file();
        let existed = path.exists();
        let file = OpenOptions::new().create(true).append(true).open(&path)?;
        if !existed {
            file.sync_all()?;
            crate::atomic_file::sync_folder(folder.dir())?;
        }
        Ok(Self { file })
    }

    /// Writes `message` as one line in one write; syncs it to disk when `sync`.
    pub fn append(
        &mut self,
        message: &Message,
        folder: &SessionFolder,
        sync: bool,
    ) -> std::io::Result<()> {
        let mut line = serde_json::to_vec(&relative(message.clone(), folder))
            .expect("a conversation message serialises");
        line.push(b'\n');
        self.file.write_all(&line)?;
        if sync {
            self.file.sync_data()?;
        }
        Ok(())
    }

    /// Cuts the file back to `len` bytes (after a torn tail was kept aside).
    pub fn truncate(&mut self, len: u64) -> std::io::Result<()> {
        self.file.set_len(len)?;
        self.file.sync_all()
    }

    /// Ends a last line that lacks its newline, so the next line starts fresh.
    pub fn end_line(&mut self) -> std::io::Result<()> {
        self.file.write_all(b"\n")?;
        self.file.sync_data()
    }
}

/// Whether a message closes or opens a step: synced to disk at once.
pub fn is_step_boundary(message: &Message) -> bool {
    matches!(
        message,
        Message::Question { .. }
            | Message::StepEnded { .. }
            | Message::Answer { .. }
            | Message::GaveUp { .. }
            | Message::Error { .. }
    )
}

/// Every artifact path in `message`, for rewriting.
pub fn artifact_paths(message: &mut Message) -> Vec<&mut std::path::PathBuf> {
    match message {
        Message::Artifact { artifact, .. } => vec![&mut artifact.path],
        Message::Answer { artifacts, .. } => artifacts.iter_mut().map(|a| &mut a.path).collect(),
        _ => Vec::new(),
    }
}

fn relative(mut message: Message, folder: &SessionFolder) -> Message {
    for path in artifact_paths(&mut message) {
        if let Some(inside) = folder.relative(path) {
            *path = inside;
        }
    }
    message
}

fn resolved(mut message: Message, folder: &SessionFolder) -> Message {
    for path in artifact_paths(&mut message) {
        *path = folder.resolve(path);
    }
    message
}

/// Keeps `bytes` aside in `recovered/` under a new name; returns where.
pub fn keep_aside(folder: &SessionFolder, bytes: &[u8]) -> std::io::Result<std::path::PathBuf> {
    let name = format!(
        "conversation-torn-{}-{}.jsonl",
        crate::conversation::now(),
        &uuid::Uuid::new_v4().simple().to_string()[..8]
    );
    let path = folder.recovered_dir().join(name);
    crate::atomic_file::replace(&path, bytes)?;
    Ok(path)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::StepId;

    fn notice(text: &str) -> Message {
        Message::Notice {
            step_id: StepId::from("step-1".to_owned()),
            text: text.into(),
            at: 1,
        }
    }

    #[test]
    fn a_torn_last_line_is_set_apart_and_whole_lines_are_kept() {
        let folder = SessionFolder::new("/s");
        let mut bytes = serde_json::to_vec(&notice("a")).unwrap();
        bytes.push(b'\n');
        let good = bytes.len() as u64;
        bytes.extend_from_slice(br#"{"type":"notice","step_id":"st"#);
        let read = parse(&bytes, &folder);
        assert_eq!(read.messages, vec![notice("a")]);
        assert_eq!(read.good_len, good);
        assert_eq!(
            read.torn_tail.as_deref(),
            Some(&br#"{"type":"notice","step_id":"st"#[..])
        );
    }

    #[test]
    fn a_whole_last_message_without_its_newline_is_kept() {
        let folder = SessionFolder::new("/s");
        let bytes = serde_json::to_vec(&notice("a")).unwrap();
        let read = parse(&bytes, &folder);
        assert_eq!(read.messages, vec![notice("a")]);
        assert!(read.missing_newline && read.torn_tail.is_none());
    }

    #[test]
    fn unknown_lines_in_the_middle_are_counted_not_dropped_from_the_file() {
        let folder = SessionFolder::new("/s");
        let mut bytes = b"{\"type\":\"from_the_future\"}\n".to_vec();
        bytes.extend(serde_json::to_vec(&notice("b")).unwrap());
        bytes.push(b'\n');
        let read = parse(&bytes, &folder);
        assert_eq!(read.messages, vec![notice("b")]);
        assert_eq!(read.unreadable_lines, vec![1]);
        assert_eq!(read.good_len, bytes.len() as u64);
    }
}
