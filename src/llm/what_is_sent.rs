//! The one place that decides what about a dataset leaves the computer: its
//! schema, summary statistics and, unless turned off, a few sample rows. Never
//! the file. `what_is_sent` returns the exact text, so the analyst can read it
//! before (and after) it goes.

use crate::settings::LlmSettings;
use serde::{Deserialize, Serialize};
use std::fmt::Write;

/// What Sandpiper knows about one dataset, computed inside the sandbox. Only this
/// summary can be sent; the file itself has no way in here.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DatasetSummary {
    /// The file name only, e.g. `sales.csv`: never its folder, which can name the user.
    pub name: String,
    pub rows: u64,
    pub columns: Vec<ColumnSummary>,
    /// The first rows as text, one list per row in column order. There may be more
    /// here than are sent.
    #[serde(default)]
    pub sample_rows: Vec<Vec<String>>,
    /// The text encoding the description read it with (`utf-8-sig`, `cp1252`, …).
    #[serde(default)]
    pub encoding: Option<String>,
    /// The column separator found (`,`, `;`, a tab, `|`).
    #[serde(default)]
    pub delimiter: Option<String>,
    /// `csv`, `excel`, `json` or `parquet`, as the content showed it.
    #[serde(default)]
    pub kind: Option<String>,
    /// For Excel: the sheet described, every sheet of the file, and the row the
    /// header was found on (1 for the first).
    #[serde(default)]
    pub sheet: Option<String>,
    #[serde(default)]
    pub sheets: Vec<String>,
    #[serde(default)]
    pub header_row: Option<u32>,
    /// How code reads it, with `file` for its path, e.g. `pd.read_csv(file, sep=';')`.
    #[serde(default)]
    pub read: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ColumnSummary {
    pub name: String,
    /// As pandas names it: `int64`, `float64`, `object`, `datetime64[ns]`, ...
    pub dtype: String,
    pub missing: u64,
    #[serde(default)]
    pub distinct: Option<u64>,
    /// For numeric columns.
    #[serde(default)]
    pub numeric: Option<NumericStats>,
    /// What the analyst wrote about the column ("amount is in euros, excluding
    /// VAT"): set by the engine from the session, never by the description
    /// computed in the sandbox.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct NumericStats {
    pub min: Option<f64>,
    pub max: Option<f64>,
    pub mean: Option<f64>,
    pub median: Option<f64>,
    pub std: Option<f64>,
}

/// How much may be sent.
#[derive(Debug, Clone, PartialEq)]
pub struct SendPolicy {
    /// Send sample rows at all (Settings: "Send a few sample rows").
    pub sample_rows: bool,
    pub max_sample_rows: usize,
    /// Longer cells are cut, so one huge text field cannot carry a document out.
    pub max_cell_chars: usize,
    /// Wider tables are described up to this many columns.
    pub max_columns: usize,
}

impl Default for SendPolicy {
    fn default() -> Self {
        Self {
            sample_rows: true,
            max_sample_rows: 5,
            max_cell_chars: 60,
            max_columns: 200,
        }
    }
}

impl SendPolicy {
    pub fn from_settings(settings: &LlmSettings) -> Self {
        Self {
            sample_rows: settings.send_sample_rows,
            ..Self::default()
        }
    }
}

/// Exactly what would be sent about the datasets, and a tally of it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WhatIsSent {
    /// The text, word for word, as it goes into the request.
    pub text: String,
    pub sample_rows_sent: usize,
    /// Columns beyond `max_columns`, described only by their count.
    pub columns_left_out: usize,
}

/// The text that describes `datasets` to the model under `policy`.
pub fn what_is_sent(datasets: &[DatasetSummary], policy: &SendPolicy) -> WhatIsSent {
    let mut text = String::new();
    let mut sample_rows_sent = 0;
    let mut columns_left_out = 0;
    for dataset in datasets {
        let name = one_line(&dataset.name, 200);
        let shown = dataset.columns.len().min(policy.max_columns);
        columns_left_out += dataset.columns.len() - shown;
        let _ = writeln!(
            text,
            "Dataset \"{name}\" (in the sandbox at /data/{name}): {} rows, {} columns.",
            dataset.rows,
            dataset.columns.len()
        );
        if let Some(sheet) = &dataset.sheet {
            let others: Vec<String> = dataset
                .sheets
                .iter()
                .filter(|s| *s != sheet)
                .map(|s| format!("\"{}\"", one_line(s, 60)))
                .collect();
            let _ = write!(text, "Excel sheet \"{}\"", one_line(sheet, 60));
            if let Some(row) = dataset.header_row.filter(|r| *r > 1) {
                let _ = write!(text, ", header on row {row}");
            }
            if !others.is_empty() {
                let _ = write!(text, " (other sheets: {})", others.join(", "));
            }
            text.push_str(".\n");
        }
        text.push_str("Columns:\n");
        for column in &dataset.columns[..shown] {
            let _ = write!(
                text,
                "- {} ({}): {} missing",
                one_line(&column.name, 200),
                one_line(&column.dtype, 40),
                column.missing
            );
            if let Some(distinct) = column.distinct {
                let _ = write!(text, ", {distinct} distinct");
            }
            if let Some(stats) = &column.numeric {
                let parts: Vec<String> = [
                    ("min", stats.min),
                    ("max", stats.max),
                    ("mean", stats.mean),
                    ("median", stats.median),
                    ("std", stats.std),
                ]
                .into_iter()
                .filter_map(|(label, v)| v.map(|v| format!("{label} {}", number(v))))
                .collect();
                if !parts.is_empty() {
                    let _ = write!(text, "; {}", parts.join(", "));
                }
            }
            text.push('\n');
            if let Some(description) = column.description.as_deref().filter(|d| !d.is_empty()) {
                let _ = writeln!(
                    text,
                    "  The analyst says: {}",
                    one_line(description, MAX_DESCRIPTION_CHARS)
                );
            }
        }
        if shown < dataset.columns.len() {
            let _ = writeln!(
                text,
                "- ... and {} more columns, not listed.",
                dataset.columns.len() - shown
            );
        }
        if !policy.sample_rows {
            text.push_str("Sample rows: not sent (turned off in Settings).\n");
        } else if !dataset.sample_rows.is_empty() {
            let rows =
                &dataset.sample_rows[..dataset.sample_rows.len().min(policy.max_sample_rows)];
            let _ = writeln!(
                text,
                "Sample rows (the first {} of {}):",
                rows.len(),
                dataset.rows
            );
            let header: Vec<String> = dataset.columns[..shown]
                .iter()
                .map(|c| cell(&c.name, policy.max_cell_chars))
                .collect();
            let _ = writeln!(text, "{}", header.join(" | "));
            for row in rows {
                let cells: Vec<String> = row
                    .iter()
                    .take(shown)
                    .map(|v| cell(v, policy.max_cell_chars))
                    .collect();
                let _ = writeln!(text, "{}", cells.join(" | "));
            }
            sample_rows_sent += rows.len();
        }
        text.push('\n');
    }
    WhatIsSent {
        text: text.trim_end().to_owned(),
        sample_rows_sent,
        columns_left_out,
    }
}

/// Longest column description sent, in characters (the store keeps them shorter).
const MAX_DESCRIPTION_CHARS: usize = 500;

/// Text on one line, cut to `max` characters.
fn one_line(text: &str, max: usize) -> String {
    let flat: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let mut cut: String = flat.chars().take(max).collect();
    if flat.chars().count() > max {
        cut.push('…');
    }
    cut
}

/// A table cell: one line, no column separator, cut.
fn cell(text: &str, max: usize) -> String {
    one_line(&text.replace('|', "/"), max)
}

fn number(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{v:.0}")
    } else {
        let s = format!("{v:.4}");
        s.trim_end_matches('0').trim_end_matches('.').to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_short() {
        assert_eq!(number(12.0), "12");
        assert_eq!(number(0.123456), "0.1235");
        assert_eq!(number(2.5), "2.5");
    }
}
