//! Finding the Python script in a model's reply. Models wrap code in many ways:
//! a ```python fence, several fences (the script in steps, or the script and an
//! example of its output), an unlabelled fence, a fence left open or closed with
//! a stray backtick too few, or no fence at all with a sentence before the code.
//! Small local models do all of these. Whether the code found really is Python
//! is decided by Python itself: the harness compiles it before running anything.

/// The code found in a reply, and how, for the record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Extracted {
    pub code: String,
    pub how: Found,
}

impl Extracted {
    /// The analyst's own code, run as they wrote it.
    pub fn as_written(code: String) -> Self {
        Self {
            code,
            how: Found::AsWritten,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Found {
    /// Not from a reply: the analyst wrote or edited it ("Edit and run").
    AsWritten,
    /// One fenced block labelled Python (or unlabelled, looking like Python).
    OneBlock,
    /// Several Python blocks, joined in order into one script.
    SeveralBlocks,
    /// A fence with no closing fence: the code ran to the end of the reply.
    UnclosedBlock,
    /// No fence: the reply's code lines, from the first line that looks like code.
    NoFence,
}

/// Fence labels that are not Python (the model showing output or a command).
const NOT_PYTHON: &[&str] = &[
    "text",
    "txt",
    "output",
    "console",
    "bash",
    "sh",
    "shell",
    "json",
    "csv",
    "sql",
    "plaintext",
    "markdown",
    "md",
    "yaml",
    "html",
];

/// The script in `reply`, or `None` when there is no usable code in it.
pub fn extract_code(reply: &str) -> Option<Extracted> {
    let reply = reply.replace("\r\n", "\n");
    let blocks = fenced_blocks(&reply);
    let python: Vec<&Block> = blocks
        .iter()
        .filter(|b| match b.label.as_deref() {
            Some(label) => is_python_label(label),
            None => looks_like_python(&b.body),
        })
        .collect();
    let unclosed = python.iter().any(|b| !b.closed);
    let code = python
        .iter()
        .map(|b| clean(&b.body))
        .filter(|c| !c.is_empty())
        .collect::<Vec<_>>();
    if !code.is_empty() {
        let how = match (code.len(), unclosed) {
            (_, true) => Found::UnclosedBlock,
            (1, false) => Found::OneBlock,
            _ => Found::SeveralBlocks,
        };
        return Some(Extracted {
            code: code.join("\n\n") + "\n",
            how,
        });
    }
    if !blocks.is_empty() {
        // Fences, but none with Python in them: output or prose, not a script.
        return None;
    }
    let code = unfenced_code(&reply)?;
    Some(Extracted {
        code,
        how: Found::NoFence,
    })
}

#[derive(Debug)]
struct Block {
    label: Option<String>,
    body: String,
    closed: bool,
}

/// Every fenced block: a line starting with two or more backticks (a stray one
/// missing is still a fence) or tildes opens one, the next such line closes it.
fn fenced_blocks(reply: &str) -> Vec<Block> {
    let mut blocks = Vec::new();
    let mut open: Option<Block> = None;
    for line in reply.split('\n') {
        let trimmed = line.trim();
        let fence = fence_of(trimmed);
        match (&mut open, fence) {
            (None, Some(rest)) => {
                let label = rest
                    .split_whitespace()
                    .next()
                    .map(|l| l.trim_matches('{').trim_matches('}').to_ascii_lowercase())
                    .filter(|l| !l.is_empty());
                open = Some(Block {
                    label,
                    body: String::new(),
                    closed: false,
                });
            }
            (Some(block), Some(rest)) if rest.trim().is_empty() => {
                block.closed = true;
                blocks.push(open.take().expect("a block is open"));
            }
            (Some(block), _) => {
                block.body.push_str(line);
                block.body.push('\n');
            }
            (None, None) => {}
        }
    }
    blocks.extend(open);
    blocks
}

/// The rest of a fence line after its backticks or tildes, or `None` when the
/// line is not a fence.
fn fence_of(line: &str) -> Option<&str> {
    for mark in ['`', '~'] {
        let count = line.chars().take_while(|c| *c == mark).count();
        if count >= 2 && (mark == '`' || count >= 3) {
            return Some(&line[count..]);
        }
    }
    None
}

fn is_python_label(label: &str) -> bool {
    matches!(label, "python" | "py" | "python3" | "ipython" | "pycon")
        || (!NOT_PYTHON.contains(&label) && label.starts_with("py"))
}

/// Lines a Python script has and prose or output rarely does.
fn looks_like_python(text: &str) -> bool {
    text.lines().any(is_code_line)
}

fn is_code_line(line: &str) -> bool {
    let line = line.trim_start();
    const STARTS: &[&str] = &[
        "import ", "from ", "def ", "class ", "print(", "for ", "while ", "if ", "with ", "try:",
        "# ", "df", "plt.", "pd.", "np.", "return ", "elif ", "else:", "except",
    ];
    if STARTS.iter().any(|s| line.starts_with(s)) {
        return true;
    }
    // `name = ...` or `name.method(...)` with no spaces in the name.
    let head: String = line
        .chars()
        .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == '.' || *c == '[' || *c == ']')
        .collect();
    !head.is_empty()
        && head
            .chars()
            .next()
            .is_some_and(|c| c.is_alphabetic() || c == '_')
        && {
            let rest = line[head.len()..].trim_start();
            (rest.starts_with('=') && !rest.starts_with("=="))
                || rest.starts_with('(')
                || rest.starts_with("+=")
        }
}

/// A reply with no fence: from the first line that looks like code to the last
/// one, dropping the sentences around it.
fn unfenced_code(reply: &str) -> Option<String> {
    let lines: Vec<&str> = reply.lines().collect();
    let first = lines.iter().position(|l| is_code_line(l))?;
    let last = lines
        .iter()
        .rposition(|l| is_code_line(l) || l.starts_with([' ', '\t']))?;
    let code = clean(&lines[first..=last].join("\n"));
    (!code.is_empty()).then(|| code + "\n")
}

/// Trims blank edges and stray backticks left on the last line.
fn clean(body: &str) -> String {
    let mut code = body.trim_end().to_owned();
    while code.ends_with('`') {
        code.pop();
    }
    let trimmed = code.trim_end();
    let start = trimmed
        .lines()
        .position(|l| !l.trim().is_empty())
        .unwrap_or(0);
    trimmed.lines().skip(start).collect::<Vec<_>>().join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(reply: &str) -> String {
        extract_code(reply).expect("code").code
    }

    #[test]
    fn a_python_fence_is_taken_as_it_is() {
        let got =
            extract_code("Here you go:\n```python\nimport pandas as pd\nprint(1)\n```\nDone.")
                .unwrap();
        assert_eq!(got.code, "import pandas as pd\nprint(1)\n");
        assert_eq!(got.how, Found::OneBlock);
    }

    #[test]
    fn several_python_blocks_are_joined_in_order_and_output_blocks_left_out() {
        let reply = "First load:\n```python\ndf = load_data(main_file)\n```\nThen:\n```py\nprint(df.shape)\n```\nOutput:\n```text\n(10, 2)\n```";
        let got = extract_code(reply).unwrap();
        assert_eq!(got.code, "df = load_data(main_file)\n\nprint(df.shape)\n");
        assert_eq!(got.how, Found::SeveralBlocks);
    }

    #[test]
    fn an_unlabelled_fence_counts_when_it_holds_python() {
        assert_eq!(code("```\nx = 1\nprint(x)\n```"), "x = 1\nprint(x)\n");
        assert!(extract_code("```\nThe answer is 42.\n```").is_none());
    }

    #[test]
    fn a_fence_left_open_or_closed_with_a_backtick_too_few_still_gives_the_code() {
        let open = extract_code("```python\nprint(2)\n").unwrap();
        assert_eq!(open.code, "print(2)\n");
        assert_eq!(open.how, Found::UnclosedBlock);
        assert_eq!(code("```python\nprint(3)\n``"), "print(3)\n");
        assert_eq!(code("```python\nprint(4)`\n```"), "print(4)\n");
    }

    #[test]
    fn a_reply_with_no_fence_drops_the_sentences_around_the_code() {
        let reply = "Sure! Here is the code:\nimport pandas as pd\ndf = pd.read_csv(main_file)\nfor c in df.columns:\n    print(c)\nThis prints each column.";
        let got = extract_code(reply).unwrap();
        assert_eq!(
            got.code,
            "import pandas as pd\ndf = pd.read_csv(main_file)\nfor c in df.columns:\n    print(c)\n"
        );
        assert_eq!(got.how, Found::NoFence);
    }

    #[test]
    fn a_reply_without_code_has_none() {
        assert!(extract_code("I cannot help with that.").is_none());
        assert!(extract_code("").is_none());
        assert!(extract_code("```json\n{\"a\": 1}\n```").is_none());
    }

    #[test]
    fn windows_line_endings_and_tilde_fences_work() {
        assert_eq!(code("~~~python\r\nprint(5)\r\n~~~\r\n"), "print(5)\n");
    }
}
