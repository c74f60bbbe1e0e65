//! The harness that runs model-written code (`harness.py`), and reading the
//! structured error it reports.

use super::layout::{CONTAINER_PROGRAM_DIR, DatasetMount};
use super::run::Program;
use crate::events::PythonError;

const HARNESS: &str = include_str!("harness.py");
const HARNESS_NAME: &str = "harness.py";
const CODE_NAME: &str = "analysis.py";
/// The line the harness ends a failure report with; never shown to the user.
pub(crate) const ERROR_MARKER: &str = "SANDPIPER-ERROR ";

/// The program that runs `code` under the harness, with the datasets as
/// `file_1`, `file_2`, … and `main_file`.
pub fn program_for_code(code: &str, datasets: &[DatasetMount]) -> Program {
    let mut argv = vec![
        "python3".to_owned(),
        format!("{CONTAINER_PROGRAM_DIR}/{HARNESS_NAME}"),
        format!("{CONTAINER_PROGRAM_DIR}/{CODE_NAME}"),
    ];
    argv.extend(datasets.iter().map(|d| d.container_path.clone()));
    Program {
        files: vec![
            (HARNESS_NAME.to_owned(), HARNESS.to_owned()),
            (CODE_NAME.to_owned(), code.to_owned()),
        ],
        argv,
    }
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
    fn the_code_runs_from_its_own_file_under_the_harness() {
        let program = program_for_code(
            "print(1)",
            &[DatasetMount {
                host_path: "/tmp/a.csv".into(),
                container_path: "/data/a.csv".into(),
            }],
        );
        assert_eq!(
            program.argv,
            vec![
                "python3",
                "/sandpiper/harness.py",
                "/sandpiper/analysis.py",
                "/data/a.csv"
            ]
        );
        assert_eq!(program.files[1], ("analysis.py".into(), "print(1)".into()));
    }
}
