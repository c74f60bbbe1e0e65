//! The questions an answer suggests asking next. The answer's brief asks the
//! model to end with a "Follow-up questions:" line and two or three questions
//! the datasets can answer, one per line; this splits them off the answer, so
//! the answer's numbers are checked alone and the window offers each question
//! as one click. A reply without them is an answer without suggestions: they
//! are a help, never a reason to fail the step.

/// At most this many suggestions are kept.
pub const MAX_FOLLOW_UPS: usize = 3;
/// A suggestion longer than this is not a question one clicks.
const MAX_FOLLOW_UP_CHARS: usize = 200;

/// The answer's text, and the follow-up questions after it (none when the
/// reply has no "Follow-up questions:" line with questions under it).
pub fn split_answer(reply: &str, question: &str) -> (String, Vec<String>) {
    let lines: Vec<&str> = reply.lines().collect();
    let Some(heading) = lines.iter().rposition(|line| is_heading(line)) else {
        return (reply.trim().to_owned(), Vec::new());
    };
    let mut follow_ups: Vec<String> = Vec::new();
    for line in &lines[heading + 1..] {
        let Some(asked) = as_question(line) else {
            continue;
        };
        let repeated = asked.eq_ignore_ascii_case(question.trim())
            || follow_ups.iter().any(|f| f.eq_ignore_ascii_case(&asked));
        if !repeated && follow_ups.len() < MAX_FOLLOW_UPS {
            follow_ups.push(asked);
        }
    }
    let answer = lines[..heading].join("\n").trim().to_owned();
    if follow_ups.is_empty() || answer.is_empty() {
        // Only a heading, or nothing before it: nothing to split off.
        return (reply.trim().to_owned(), Vec::new());
    }
    (answer, follow_ups)
}

/// "Follow-up questions:", however a model dresses it (bold, a heading, "you
/// could also ask").
fn is_heading(line: &str) -> bool {
    let bare: String = line
        .trim()
        .trim_start_matches('#')
        .replace(['*', '_'], "")
        .trim()
        .trim_end_matches(':')
        .trim()
        .to_lowercase();
    [
        "follow-up questions",
        "follow up questions",
        "follow-up",
        "you could also ask",
        "questions to ask next",
    ]
    .contains(&bare.as_str())
}

/// One suggested question, its bullet or number taken off; none for a blank
/// line or one too long to be a question.
fn as_question(line: &str) -> Option<String> {
    let text = line.trim();
    let text = text
        .strip_prefix("- ")
        .or_else(|| text.strip_prefix("* "))
        .or_else(|| text.strip_prefix("• "))
        .unwrap_or_else(|| strip_number(text));
    let text = text
        .trim()
        .trim_matches('*')
        .trim()
        .trim_matches('"')
        .trim();
    let chars = text.chars().count();
    (3..=MAX_FOLLOW_UP_CHARS)
        .contains(&chars)
        .then(|| text.to_owned())
}

/// "1. " or "2) " off the front.
fn strip_number(text: &str) -> &str {
    let digits = text.len() - text.trim_start_matches(|c: char| c.is_ascii_digit()).len();
    match text[digits..].chars().next() {
        Some('.' | ')') if digits > 0 => &text[digits + 1..],
        _ => text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_questions_after_the_heading_are_split_off_the_answer() {
        let reply = "South sold the most: 250.\n\nFollow-up questions:\n- Which month sold the most?\n- How do regions compare by average sale?\n";
        let (answer, follow_ups) = split_answer(reply, "Which region sold the most?");
        assert_eq!(answer, "South sold the most: 250.");
        assert_eq!(
            follow_ups,
            [
                "Which month sold the most?",
                "How do regions compare by average sale?"
            ]
        );
    }

    #[test]
    fn however_the_model_dresses_them_up() {
        let reply = "North leads.\n**Follow-up questions:**\n1. What share is North's?\n2) \"Is it growing?\"\n* **Which store leads North?**\n- One too many?";
        let (answer, follow_ups) = split_answer(reply, "q");
        assert_eq!(answer, "North leads.");
        assert_eq!(
            follow_ups,
            [
                "What share is North's?",
                "Is it growing?",
                "Which store leads North?"
            ]
        );
    }

    #[test]
    fn no_heading_or_nothing_under_it_leaves_the_reply_whole() {
        for reply in [
            "South sold the most: 250.",
            "South sold the most.\nFollow-up questions:\n",
            "Follow-up questions:\n- What else?",
        ] {
            let (answer, follow_ups) = split_answer(reply, "q");
            assert_eq!(answer, reply.trim());
            assert!(follow_ups.is_empty(), "{reply}");
        }
    }

    #[test]
    fn the_question_itself_repeats_and_overlong_lines_are_dropped() {
        let long = "Why ".repeat(60);
        let reply = format!(
            "It is 4.\nFollow-up questions:\n- What is the total?\n- {long}\n- what is the total?\n- Per region?\n- Per region?"
        );
        let (_, follow_ups) = split_answer(&reply, "What is the total?");
        assert_eq!(follow_ups, ["Per region?"]);
    }
}
