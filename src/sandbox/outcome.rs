//! How a run ended, and the sentence the user reads about it.

use crate::events::{Outcome, PythonError};
use crate::settings::SandboxSettings;
use std::time::Duration;

/// What we know when a container has stopped.
pub(crate) struct Ending<'a> {
    pub exit_code: Option<i64>,
    pub oom_killed: bool,
    pub timed_out: bool,
    pub cancelled: bool,
    pub stderr: &'a str,
    /// What the harness reported, for model code that raised.
    pub error: Option<&'a PythonError>,
    pub duration: Duration,
    /// stdout or stderr went over the cap.
    pub output_truncated: bool,
}

/// The exit status of a process killed by SIGKILL (128 + 9), which is how the
/// kernel's out-of-memory killer ends it.
const SIGKILL_EXIT: i64 = 137;

pub(crate) fn classify(ending: &Ending<'_>) -> Outcome {
    if ending.cancelled {
        Outcome::Cancelled
    } else if ending.timed_out {
        Outcome::TimedOut
    } else if ending.oom_killed || ending.exit_code == Some(SIGKILL_EXIT) {
        // Only we or the OOM killer send SIGKILL; we did not (not cancelled, not
        // timed out), so a 137 is memory even where the daemon misses the OOM flag.
        Outcome::OutOfMemory
    } else if ending.exit_code == Some(0) {
        Outcome::Success
    } else {
        Outcome::Failed
    }
}

pub(crate) fn summary(outcome: Outcome, ending: &Ending<'_>, settings: &SandboxSettings) -> String {
    let mut summary = outcome_summary(outcome, ending, settings);
    if ending.output_truncated {
        summary.push_str(&format!(
            " [output truncated: the code printed more than {} KiB; only the start was kept]",
            settings.output_cap_bytes / 1024
        ));
    }
    summary
}

fn outcome_summary(outcome: Outcome, ending: &Ending<'_>, settings: &SandboxSettings) -> String {
    let took = format_duration(ending.duration);
    match outcome {
        Outcome::Success => format!("Finished in {took}."),
        Outcome::Failed => {
            if let Some(error) = ending.error {
                describe(error)
            } else if let Some(marked) = marked_for_user(ending.stderr) {
                marked
            } else if let Some(line) = last_line(ending.stderr) {
                format!("The code stopped with an error after {took}: {line}")
            } else {
                format!(
                    "The code stopped with exit code {} after {took}.",
                    ending.exit_code.unwrap_or(-1)
                )
            }
        }
        Outcome::OutOfMemory => format!(
            "The code ran out of memory ({} MiB limit) and was stopped. Try a smaller \
             file, or raise the memory limit in Settings.",
            settings.memory_mib
        ),
        Outcome::TimedOut => format!(
            "The code ran longer than the time limit ({} s) and was stopped. If your data \
             is large, raise the time limit in Settings.",
            settings.timeout_secs
        ),
        Outcome::Cancelled => format!("You stopped this run after {took}."),
        Outcome::DockerFailure => "Docker could not run the code.".to_owned(),
    }
}

fn describe(error: &PythonError) -> String {
    let place = error
        .line
        .map(|line| format!(" on line {line}"))
        .unwrap_or_default();
    let message = error.message.trim();
    if message.is_empty() {
        format!("The code stopped with {}{place}.", error.type_name)
    } else {
        format!(
            "The code stopped with {}{place}: {message}",
            error.type_name
        )
    }
}

/// A message our own programs (the quick profile) wrote for the user: it is
/// already in plain words, so it is shown as it is.
fn marked_for_user(stderr: &str) -> Option<String> {
    stderr
        .lines()
        .rev()
        .find_map(|l| l.strip_prefix("PROFILE-ERROR: "))
        .map(|m| m.trim().to_owned())
}

/// The last line of a Python traceback names the exception and its message.
fn last_line(stderr: &str) -> Option<String> {
    stderr
        .lines()
        .rev()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .map(str::to_owned)
}

pub(crate) fn format_duration(d: Duration) -> String {
    let secs = d.as_secs_f64();
    if secs < 60.0 {
        format!("{secs:.1} s")
    } else {
        format!("{} min {} s", d.as_secs() / 60, d.as_secs() % 60)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ending(exit_code: Option<i64>) -> Ending<'static> {
        Ending {
            exit_code,
            oom_killed: false,
            timed_out: false,
            cancelled: false,
            stderr: "Traceback (most recent call last):\n  File \"x\"\nValueError: bad value\n",
            error: None,
            duration: Duration::from_millis(1500),
            output_truncated: false,
        }
    }

    #[test]
    fn outcomes_are_classified_with_user_intent_first() {
        assert_eq!(classify(&ending(Some(0))), Outcome::Success);
        assert_eq!(classify(&ending(Some(1))), Outcome::Failed);
        assert_eq!(classify(&ending(Some(137))), Outcome::OutOfMemory);
        let mut e = ending(Some(137));
        e.cancelled = true;
        assert_eq!(classify(&e), Outcome::Cancelled);
        let mut e = ending(Some(137));
        e.timed_out = true;
        assert_eq!(classify(&e), Outcome::TimedOut);
    }

    #[test]
    fn summaries_name_the_error_and_the_limit() {
        let s = SandboxSettings::default();
        let e = ending(Some(1));
        assert_eq!(
            summary(Outcome::Failed, &e, &s),
            "The code stopped with an error after 1.5 s: ValueError: bad value"
        );
        assert!(
            summary(Outcome::OutOfMemory, &e, &s).contains("ran out of memory (512 MiB limit)")
        );
        let marked = Ending {
            stderr: "PROFILE-ERROR: The file is empty.\n",
            ..ending(Some(2))
        };
        assert_eq!(summary(Outcome::Failed, &marked, &s), "The file is empty.");
        let truncated = Ending {
            output_truncated: true,
            ..ending(Some(0))
        };
        assert_eq!(
            summary(Outcome::Success, &truncated, &s),
            "Finished in 1.5 s. [output truncated: the code printed more than 1024 KiB; only the start was kept]"
        );
        let error = PythonError {
            type_name: "KeyError".into(),
            message: "'price'".into(),
            line: Some(4),
            context: None,
        };
        let reported = Ending {
            error: Some(&error),
            ..ending(Some(1))
        };
        assert_eq!(
            summary(Outcome::Failed, &reported, &s),
            "The code stopped with KeyError on line 4: 'price'"
        );
    }
}
