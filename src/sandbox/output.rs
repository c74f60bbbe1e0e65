//! Turning a container's raw output chunks into lines, with a cap on what the host
//! keeps. Chunks arrive split anywhere, even inside a UTF-8 character, and code
//! may print binary garbage or gigabytes: neither may hurt the host.
//!
//! It also spots the harness's "done" marker, which is not the code's output.

/// A single line longer than this is cut into pieces, so one newline-free
/// megabyte cannot become one giant event.
const MAX_LINE_BYTES: usize = 16 * 1024;

pub(crate) struct LineCollector {
    cap_bytes: usize,
    pending: Vec<u8>,
    kept: String,
    kept_bytes: usize,
    truncated: bool,
    done_marker: Option<String>,
    /// Until this line arrives, nothing on the stream is this run's: a resident
    /// harness's stream carries earlier runs' output too.
    awaited_start: Option<String>,
    /// An empty line is held back one line: the harness writes a newline before
    /// its marker, and that newline is not the code's.
    held_empty_line: bool,
    done_status: Option<i64>,
    /// The harness found files in the output folder.
    has_outputs: bool,
}

impl LineCollector {
    pub(crate) fn new(cap_bytes: usize) -> Self {
        Self {
            cap_bytes,
            pending: Vec::new(),
            kept: String::new(),
            kept_bytes: 0,
            truncated: false,
            done_marker: None,
            awaited_start: None,
            held_empty_line: false,
            done_status: None,
            has_outputs: false,
        }
    }

    /// Watches for `marker` followed by an exit status.
    pub(crate) fn with_done_marker(mut self, marker: String) -> Self {
        self.done_marker = Some(marker);
        self
    }

    /// Drops every line until `marker` has arrived.
    pub(crate) fn with_start_marker(mut self, marker: String) -> Self {
        self.awaited_start = Some(marker);
        self
    }

    /// The exit status the harness announced, once its marker has arrived.
    pub(crate) fn done_status(&self) -> Option<i64> {
        self.done_status
    }

    /// Whether the harness announced files in the output folder.
    pub(crate) fn has_outputs(&self) -> bool {
        self.has_outputs
    }

    /// Adds a chunk and returns the complete lines it finished, in order.
    /// Lines past the cap are dropped (and counted as truncation), never buffered.
    pub(crate) fn push(&mut self, chunk: &[u8]) -> Vec<String> {
        let mut lines = Vec::new();
        for &byte in chunk {
            if byte == b'\n' {
                self.finish_line(&mut lines);
            } else {
                self.pending.push(byte);
                if self.pending.len() >= MAX_LINE_BYTES {
                    self.finish_line(&mut lines);
                }
            }
        }
        lines
    }

    /// Flushes a last line that had no newline.
    pub(crate) fn finish(&mut self) -> Vec<String> {
        let mut lines = Vec::new();
        if !self.pending.is_empty() {
            self.finish_line(&mut lines);
        }
        if std::mem::take(&mut self.held_empty_line) {
            self.keep(String::new(), &mut lines);
        }
        lines
    }

    fn finish_line(&mut self, lines: &mut Vec<String>) {
        let raw = std::mem::take(&mut self.pending);
        if self.done_status.is_some() {
            return; // nothing after the marker is the code's
        }
        let mut line = String::from_utf8_lossy(&raw).into_owned();
        if line.ends_with('\r') {
            line.pop();
        }
        if let Some(start) = &self.awaited_start {
            if line.contains(start.as_str()) {
                self.awaited_start = None;
            }
            return;
        }
        if let Some(marker) = &self.done_marker
            && let Some(at) = line.find(marker.as_str())
        {
            // `<status> <1 if outputs were written>`
            let mut fields = line[at + marker.len()..].split_whitespace();
            self.done_status = Some(fields.next().and_then(|f| f.parse().ok()).unwrap_or(1));
            self.has_outputs = fields.next() != Some("0");
            self.held_empty_line = false;
            line.truncate(at);
            if !line.is_empty() {
                self.keep(line, lines);
            }
            return;
        }
        if std::mem::take(&mut self.held_empty_line) {
            self.keep(String::new(), lines);
        }
        if line.is_empty() && self.done_marker.is_some() {
            self.held_empty_line = true;
        } else {
            self.keep(line, lines);
        }
    }

    fn keep(&mut self, line: String, lines: &mut Vec<String>) {
        if self.truncated {
            return;
        }
        if self.kept_bytes + line.len() + 1 > self.cap_bytes {
            self.truncated = true;
            return;
        }
        self.kept_bytes += line.len() + 1;
        self.kept.push_str(&line);
        self.kept.push('\n');
        lines.push(line);
    }

    pub(crate) fn truncated(&self) -> bool {
        self.truncated
    }

    pub(crate) fn into_text(self) -> String {
        self.kept
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn collect(c: &mut LineCollector, bytes: &[u8], chunk: usize) -> Vec<String> {
        let mut lines = Vec::new();
        for piece in bytes.chunks(chunk) {
            lines.extend(c.push(piece));
        }
        lines.extend(c.finish());
        lines
    }

    #[test]
    fn lines_split_across_chunks_and_inside_utf8_come_out_whole() {
        let mut c = LineCollector::new(1024);
        let lines = collect(&mut c, "héllo\r\nwörld\nlast".as_bytes(), 2);
        assert_eq!(lines, vec!["héllo", "wörld", "last"]);
        assert_eq!(c.into_text(), "héllo\nwörld\nlast\n");
    }

    #[test]
    fn output_past_the_cap_is_dropped_and_flagged() {
        let mut c = LineCollector::new(10);
        let lines = c.push(b"12345\n67890\nabc\n");
        assert_eq!(lines, vec!["12345"]);
        assert!(c.truncated());
        assert!(c.push(b"more\n").is_empty());
    }

    #[test]
    fn binary_garbage_becomes_replacement_characters_not_an_error() {
        let mut c = LineCollector::new(1024);
        let lines = c.push(&[0xff, 0xfe, b'a', b'\n']);
        assert_eq!(lines, vec!["\u{fffd}\u{fffd}a"]);
    }

    #[test]
    fn a_huge_line_without_newline_is_cut_into_pieces() {
        let mut c = LineCollector::new(usize::MAX);
        let lines = c.push(&vec![b'x'; MAX_LINE_BYTES * 2 + 5]);
        assert_eq!(lines.len(), 2);
        assert_eq!(c.finish().len(), 1);
    }

    #[test]
    fn the_done_marker_ends_the_output_and_is_not_part_of_it() {
        let marker = "\u{1e}DONE tok ".to_owned();
        // Output that ended its line, then a genuine empty line, then the marker
        // (which the harness starts with a newline of its own).
        let mut c = LineCollector::new(1024).with_done_marker(marker.clone());
        let bytes = format!("a\n\n\n{marker}3 0\nlate\n");
        let lines = collect(&mut c, bytes.as_bytes(), 3);
        assert_eq!(lines, vec!["a", ""]);
        assert_eq!(c.done_status(), Some(3));
        assert!(!c.has_outputs());

        // Output whose last line had no newline.
        let mut c = LineCollector::new(1024).with_done_marker(marker.clone());
        let lines = collect(&mut c, format!("a\nb\n{marker}0 1\n").as_bytes(), 1);
        assert_eq!(lines, vec!["a", "b"]);
        assert_eq!(c.done_status(), Some(0));
        assert!(c.has_outputs());
    }

    #[test]
    fn the_marker_is_seen_even_after_the_output_cap() {
        let marker = "\u{1e}DONE tok ".to_owned();
        let mut c = LineCollector::new(4).with_done_marker(marker.clone());
        c.push(format!("too long\n\n{marker}0\n").as_bytes());
        assert!(c.truncated());
        assert_eq!(c.done_status(), Some(0));
    }

    #[test]
    fn before_the_start_marker_nothing_is_this_runs_output() {
        let done = "\u{1e}DONE mine ".to_owned();
        let mut c = LineCollector::new(1024)
            .with_start_marker("\u{1e}START mine".to_owned())
            .with_done_marker(done.clone());
        // An earlier run's tail and its markers, then ours.
        let bytes = format!(
            "old line\n\n\u{1e}DONE other 0 0\n\n\u{1e}START mine\nnew line\n\n{done}0 0\n"
        );
        let lines = collect(&mut c, bytes.as_bytes(), 5);
        assert_eq!(lines, vec!["new line"]);
        assert_eq!(c.done_status(), Some(0));
        assert_eq!(c.into_text(), "new line\n");
    }
}
