//! What the agent says to the model: the brief (full, or compact for small local
//! models), the first request of a step, the "fix this" request after a failed
//! try, and the request for the plain-words answer. Every request is one user
//! message that carries all the model needs, cut to a size: the context of a
//! step does not grow with its tries.

use super::history::{Attempt, Failure, Tried};
use crate::llm::WhatIsSent;

/// The full brief: for hosted models that follow long instructions well.
pub const FULL_BRIEF: &str = "You are Sandpiper's analysis assistant. You write one complete \
Python 3 script that answers an analyst's question about their datasets. The analyst is not a \
programmer: they read what the script prints and the charts it saves, never the code.

Rules:
- Reply with the whole script in one ```python code block.
- The datasets are read-only files. Their paths are in the variables file_1, file_2, ... and \
main_file (the first one). Read each one as its description says.
- pandas (pd), numpy (np) and matplotlib.pyplot (plt) are already imported. Other packages are \
installed when the script imports them.
- Print every result the answer needs, with a label: print('Total sales:', total). Print \
tables with .to_string(), at most 20 rows.
- For a chart, draw it with matplotlib and save it with \
plt.savefig('/workspace/output/<name>.png'). Charts there are shown to the analyst. Save the \
table the chart draws next to it, under the same name: df.to_csv('/workspace/output/<name>.csv').
- Files saved in /workspace (outside output) are kept for follow-up questions.
- There is no network and no keyboard. The script has limited time and memory: work on the \
columns you need.
- Never make data up. If the data cannot answer the question, print why.";

/// The compact brief: small local models follow short prompts better (trimming
/// the scaffold lifted a 4B model from 39 % to 53 % on DABStep's easy set).
pub const COMPACT_BRIEF: &str = "Write one Python script in a ```python block that answers the \
question. The data file path is main_file. pandas is imported as pd. print() every result.";

/// Frames the last call of a step: the answer in plain words.
pub const ANSWER_BRIEF: &str = "You explain the results of a data analysis to an analyst who \
is not a programmer. Answer their question in a few plain sentences, using only what the \
analysis printed. Use only numbers that appear in its output; do not compute new ones. \
Mention the charts by name if there are any. Do not show code. Then write a line \
\"Follow-up questions:\" and under it two or three short questions the analyst could ask \
next that the datasets described can answer, one per line, each starting with \"- \".";

/// Longest piece of each kind kept in a request, in characters (a token is about
/// four): the request stays well inside any model's context whatever the code
/// printed.
const MAX_CODE_CHARS: usize = 8_000;
const MAX_STDOUT_HEAD_CHARS: usize = 2_000;
const MAX_TRACEBACK_TAIL_CHARS: usize = 1_500;
const MAX_ANSWER_OUTPUT_CHARS: usize = 6_000;

/// What every request of a step says about its setting.
pub struct Setting<'a> {
    pub question: &'a str,
    /// What `what_is_sent` allows about the datasets.
    pub datasets: &'a WhatIsSent,
    /// Files kept in /workspace from earlier steps, e.g. `clean.parquet (2.1 MB)`.
    pub workspace_files: &'a [String],
    /// /workspace holds more files than `workspace_files`.
    pub more_workspace_files: bool,
    /// Earlier questions of the conversation and their answers, oldest first.
    pub earlier: &'a [(String, String)],
    /// How each dataset is read, e.g. `file_1 = sales.csv: pd.read_csv(file_1, sep=';')`.
    pub reading: &'a [String],
}

/// The first request of a step.
pub fn first_request(setting: &Setting<'_>) -> String {
    let mut text = context(setting);
    text.push_str(&format!("Question: {}\n", setting.question.trim()));
    text
}

/// The request after a failed try: the failure in full, what was tried before,
/// and a change of approach when the same thing failed twice.
pub fn fix_request(setting: &Setting<'_>, last: &Attempt, tried: &Tried) -> String {
    let mut text = context(setting);
    text.push_str(&format!("Question: {}\n\n", setting.question.trim()));
    text.push_str(&format!("Your script (try {}) ", last.try_number));
    match &last.failure {
        Failure::NoCode => {
            text.push_str(
                "could not be run: your reply had no Python code in it. Reply with the whole \
                 script in one ```python block.\n",
            );
        }
        Failure::Repeated { same_as } => {
            text.push_str(&format!(
                "was the same code as try {same_as}, which already failed. Do not send it again.\n"
            ));
        }
        Failure::PrintedNothing => {
            text.push_str(
                "ran but printed nothing, so there is nothing to answer from. print() every \
                 result.\n",
            );
        }
        Failure::Failed {
            error,
            traceback_tail,
            stdout_head,
        } => {
            text.push_str(&format!("failed.\nError: {error}\n"));
            if !traceback_tail.trim().is_empty() {
                text.push_str(&format!(
                    "End of the traceback:\n{}\n",
                    tail(traceback_tail, MAX_TRACEBACK_TAIL_CHARS)
                ));
            }
            if !stdout_head.trim().is_empty() {
                text.push_str(&format!(
                    "It printed before failing:\n{}\n",
                    head(stdout_head, MAX_STDOUT_HEAD_CHARS)
                ));
            }
        }
    }
    if let Some(code) = &last.code {
        text.push_str(&format!(
            "The script:\n```python\n{}\n```\n",
            head(code.trim_end(), MAX_CODE_CHARS)
        ));
    }
    if tried.is_going_in_circles() {
        text.push_str("\nAlready tried, and failed:\n");
        for (try_number, why) in tried.failures() {
            text.push_str(&format!("- try {try_number}: {why}\n"));
        }
        text.push_str(
            "The same failure came back. Do not repeat these: take a different approach (check \
             the column names and types in the description, read the data another way, or \
             compute the result more simply).\n",
        );
    }
    text.push_str("\nWrite the whole corrected script in one ```python block.\n");
    text
}

/// The request for the answer in plain words.
pub fn answer_request(
    question: &str,
    stdout: &str,
    artifacts: &[String],
    datasets: &WhatIsSent,
) -> String {
    let mut text = String::new();
    if !datasets.text.is_empty() {
        // What the follow-up questions may ask about: the same description
        // the code's requests carried, nothing more.
        text.push_str(&datasets.text);
        text.push_str("\n\n");
    }
    text.push_str(&format!(
        "Question: {}\n\nThe analysis printed:\n{}\n",
        question.trim(),
        head(stdout.trim_end(), MAX_ANSWER_OUTPUT_CHARS)
    ));
    if !artifacts.is_empty() {
        text.push_str(&format!(
            "\nCharts and files it saved: {}\n",
            artifacts.join(", ")
        ));
    }
    text
}

fn context(setting: &Setting<'_>) -> String {
    let mut text = String::new();
    if !setting.datasets.text.is_empty() {
        text.push_str(&setting.datasets.text);
        text.push_str("\n\n");
    }
    if !setting.reading.is_empty() {
        text.push_str("Read the data like this:\n");
        for line in setting.reading {
            text.push_str(&format!("- {line}\n"));
        }
        text.push('\n');
    }
    if !setting.workspace_files.is_empty() {
        text.push_str("Files kept in /workspace from earlier questions (use them if they help):\n");
        for file in setting.workspace_files {
            text.push_str(&format!("- /workspace/{file}\n"));
        }
        if setting.more_workspace_files {
            text.push_str("- … and more files, not listed\n");
        }
        text.push('\n');
    }
    if !setting.earlier.is_empty() {
        text.push_str("Earlier in this conversation:\n");
        for (question, answer) in setting.earlier {
            text.push_str(&format!(
                "- Q: {}\n  A: {}\n",
                head(question.trim(), 300),
                head(answer.trim(), 600)
            ));
        }
        text.push('\n');
    }
    text
}

/// The first `max` characters, marked when cut.
pub fn head(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let cut: String = text.chars().take(max).collect();
    format!("{cut}\n[... cut]")
}

/// The last `max` characters, marked when cut.
pub fn tail(text: &str, max: usize) -> String {
    let count = text.chars().count();
    if count <= max {
        return text.to_owned();
    }
    let cut: String = text.chars().skip(count - max).collect();
    format!("[cut ...]\n{cut}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn setting<'a>(sent: &'a WhatIsSent) -> Setting<'a> {
        Setting {
            question: "Which region sold most?",
            datasets: sent,
            workspace_files: &[],
            more_workspace_files: false,
            earlier: &[],
            reading: &[],
        }
    }

    fn sent() -> WhatIsSent {
        WhatIsSent {
            text: "Dataset \"sales.csv\": 4 rows, 2 columns.".into(),
            sample_rows_sent: 0,
            columns_left_out: 0,
        }
    }

    #[test]
    fn a_fix_request_carries_the_error_the_output_and_the_failing_code() {
        let sent = sent();
        let last = Attempt {
            try_number: 1,
            code: Some("df = pd.read_csv(main_file)\nprint(df['Region'])".into()),
            failure: Failure::Failed {
                error: "KeyError: 'Region' (line 2)".into(),
                traceback_tail: "KeyError: 'Region'".into(),
                stdout_head: "columns: region, sales".into(),
            },
        };
        let mut tried = Tried::default();
        tried.record(&last);
        let text = fix_request(&setting(&sent), &last, &tried);
        for needle in [
            "Dataset \"sales.csv\"",
            "Question: Which region sold most?",
            "Error: KeyError: 'Region' (line 2)",
            "It printed before failing:\ncolumns: region, sales",
            "print(df['Region'])",
        ] {
            assert!(text.contains(needle), "{needle} missing from:\n{text}");
        }
        assert!(
            !text.contains("Already tried"),
            "one failure is not a circle"
        );
    }

    #[test]
    fn the_same_failure_twice_asks_for_another_approach_and_lists_what_was_tried() {
        let sent = sent();
        let mut tried = Tried::default();
        let failed = |n| Attempt {
            try_number: n,
            code: Some(format!("print(x{n})")),
            failure: Failure::Failed {
                error: "NameError: name 'x' is not defined (line 1)".into(),
                traceback_tail: String::new(),
                stdout_head: String::new(),
            },
        };
        tried.record(&failed(1));
        tried.record(&failed(2));
        let text = fix_request(&setting(&sent), &failed(2), &tried);
        assert!(text.contains("Already tried, and failed:"), "{text}");
        assert!(text.contains("- try 1: NameError"), "{text}");
        assert!(text.contains("take a different approach"), "{text}");
    }

    #[test]
    fn long_output_and_code_are_cut_so_the_request_stays_small() {
        let sent = sent();
        let last = Attempt {
            try_number: 3,
            code: Some("x = 1\n".repeat(5_000)),
            failure: Failure::Failed {
                error: "ValueError: boom".into(),
                traceback_tail: "t\n".repeat(5_000),
                stdout_head: "o\n".repeat(5_000),
            },
        };
        let text = fix_request(&setting(&sent), &last, &Tried::default());
        assert!(text.len() < 16_000, "{} chars", text.len());
        assert!(text.contains("[... cut]") && text.contains("[cut ...]"));
    }
}
