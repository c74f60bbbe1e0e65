//! Turning the code's raw output chunks into lines, with a cap on what the host
//! keeps. Chunks arrive split anywhere, even inside a UTF-8 character, and code
//! may print binary garbage or gigabytes: neither may hurt the host.

/// A single line longer than this is cut into pieces, so one newline-free
/// megabyte cannot become one giant event.
const MAX_LINE_BYTES: usize = 16 * 1024;

pub(crate) struct LineCollector {
    cap_bytes: usize,
    pending: Vec<u8>,
    kept: String,
    kept_bytes: usize,
    truncated: bool,
}

impl LineCollector {
    pub(crate) fn new(cap_bytes: usize) -> Self {
        Self {
            cap_bytes,
            pending: Vec::new(),
            kept: String::new(),
            kept_bytes: 0,
            truncated: false,
        }
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
        lines
    }

    fn finish_line(&mut self, lines: &mut Vec<String>) {
        let raw = std::mem::take(&mut self.pending);
        let mut line = String::from_utf8_lossy(&raw).into_owned();
        if line.ends_with('\r') {
            line.pop();
        }
        self.keep(line, lines);
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
    fn text_that_looks_like_a_marker_is_plain_output() {
        let mut c = LineCollector::new(1024);
        let lines = collect(&mut c, b"a\n\n\x1eSANDPIPER-DONE tok 0 0\nD {}\n", 4);
        assert_eq!(lines, vec!["a", "", "\u{1e}SANDPIPER-DONE tok 0 0", "D {}"]);
    }
}
