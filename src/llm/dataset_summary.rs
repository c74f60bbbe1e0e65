//! The summary of each dataset that `what_is_sent` chooses from, computed inside
//! the sandbox by `dataset_summary.py` (the engine never parses the analyst's
//! files itself). The script prints one line, `SANDPIPER-SUMMARY <json>`.

use super::what_is_sent::DatasetSummary;
use crate::error::{Error, Result};

/// The script, shipped inside the binary; it reads the harness's `datasets`.
/// The table readers the sandbox offers model code go first, so the model is
/// told about a file exactly as its code will read it.
pub const SCRIPT: &str = concat!(
    include_str!("../sandbox/read_tables.py"),
    "\n",
    include_str!("dataset_summary.py")
);

const MARKER: &str = "SANDPIPER-SUMMARY ";

/// The summaries in the script's output, or why there are none.
pub fn parse(stdout: &str) -> Result<Vec<DatasetSummary>> {
    let line = stdout
        .lines()
        .rev()
        .find_map(|line| line.strip_prefix(MARKER))
        .ok_or_else(|| Error::DatasetSummaryFailed {
            reason: "the summary script printed no summary".into(),
        })?;
    serde_json::from_str(line).map_err(|err| Error::DatasetSummaryFailed {
        reason: format!("the summary could not be read ({err})"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_summary_line_is_found_among_other_output() {
        let out = "a warning\nSANDPIPER-SUMMARY [{\"name\":\"a.csv\",\"rows\":2,\"columns\":\
                   [{\"name\":\"x\",\"dtype\":\"int64\",\"missing\":0,\"distinct\":2,\
                   \"numeric\":{\"min\":1,\"max\":2,\"mean\":1.5,\"median\":1.5,\"std\":null}}],\
                   \"sample_rows\":[[\"1\"],[\"2\"]]}]\n";
        let summaries = parse(out).unwrap();
        assert_eq!(summaries[0].name, "a.csv");
        assert_eq!(
            summaries[0].columns[0].numeric.as_ref().unwrap().mean,
            Some(1.5)
        );
        assert!(matches!(
            parse("nothing here"),
            Err(Error::DatasetSummaryFailed { .. })
        ));
    }
}
