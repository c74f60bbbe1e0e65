//! The Quick profile's numbers for one dataset, as typed data: what the window
//! draws its per-column cards from (the `dataset_profiled` event). The profile
//! script writes one such JSON document per file (`quick_profile_<n>.json` in
//! its output folder, see `src/profile/quick_profile.py`); the engine reads it
//! and emits it. Shared words (layer 1): events carry it, `profile` reads it.
//!
//! Example (one column shown):
//! ```json
//! {"file_name": "sales.csv", "size_bytes": 52428834, "rows": 1336664,
//!  "engine": "duckdb", "estimated": true, "delimiter": "\",\"", "format": null,
//!  "notes": [],
//!  "columns": [{"name": "units", "kind": "integer", "count": 1336664, "missing": 0,
//!    "missing_share": 0.0, "distinct": 40, "distinct_at_least": false, "estimated": true,
//!    "numbers": {"mean": 20.5, "std": 11.5, "min": 1.0, "q25": 10.0, "median": 20.0,
//!      "q75": 30.0, "max": 40.0,
//!      "histogram": {"edges": [0.5, 1.5, 2.5], "counts": [33256, 33487]}},
//!    "top_values": [], "date_range": null}]}
//! ```

use serde::{Deserialize, Serialize};

/// One dataset's profile.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DatasetProfile {
    /// The file's name, e.g. `sales.csv` (no folder).
    pub file_name: String,
    pub size_bytes: u64,
    /// Rows of data (the header row not counted).
    pub rows: u64,
    /// Which reader computed the numbers.
    pub engine: ProfileEngine,
    /// True when some numbers are estimates (see `ColumnProfile::estimated`).
    pub estimated: bool,
    /// How a delimited text file's fields are separated, as shown to the user
    /// (`","`, `";"`, `tab`, `"|"`); `None` for other formats.
    pub delimiter: Option<String>,
    /// For files that are not delimited text, what they are and where the
    /// table was found, e.g. `an Excel workbook (sheet "Sales", header on row 4)`.
    pub format: Option<String>,
    /// Excel: the sheet read (the first one with a table in it).
    #[serde(default)]
    pub sheet: Option<String>,
    /// Excel: every sheet of the workbook, in its order (empty for other formats).
    #[serde(default)]
    pub sheets: Vec<String>,
    /// Excel: the row the column names came from, counted from 1 as Excel
    /// shows it (below any title rows).
    #[serde(default)]
    pub header_row: Option<u32>,
    /// Plain-words notes about the reading (encoding, ragged rows, estimates).
    pub notes: Vec<String>,
    /// In the file's order.
    pub columns: Vec<ColumnProfile>,
    /// The first rows (up to 10) as text, one list per row with one cell per
    /// column, each cut to 200 characters: the window's preview. Local only:
    /// what the model is told comes from `llm::what_is_sent`, never from here.
    #[serde(default)]
    pub first_rows: Vec<Vec<String>>,
}

/// Which reader computed a profile.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProfileEngine {
    /// DuckDB, in images that have it, for large delimited text files.
    Duckdb,
    /// Python's standard library (pandas for Excel, JSON and Parquet): every
    /// number exact.
    StandardLibrary,
}

/// One column's profile.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ColumnProfile {
    /// Never empty, unique within the file (a blank header becomes `column_3`,
    /// a repeated one `price_2`).
    pub name: String,
    pub kind: ColumnKind,
    /// Values present (not missing).
    pub count: u64,
    /// Missing values: empty cells and `NA`, `N/A`, `NaN`, `null`, `None`, `-`.
    pub missing: u64,
    /// `missing / rows`, from 0 to 1.
    pub missing_share: f64,
    /// Distinct values among the present ones.
    pub distinct: u64,
    /// True when counting stopped (very many distinct texts): there are more
    /// than `distinct`.
    pub distinct_at_least: bool,
    /// True when `distinct`, the quartiles, the histogram's counts and the
    /// top values' counts are estimates (DuckDB on a large file: distinct by
    /// HyperLogLog, quartiles by t-digest, histogram and top values from a
    /// random sample scaled to the column). `count`, `missing`, `min`, `max`,
    /// `mean`, `std` and the date range are always exact.
    pub estimated: bool,
    /// For `integer` and `decimal` columns with at least one value.
    pub numbers: Option<NumberStats>,
    /// The most common values, most common first (up to 5), for `text`,
    /// `true_false` and `date` columns; empty for numbers.
    pub top_values: Vec<TopValue>,
    /// The earliest and latest value of a `date` column, as written in the file.
    pub date_range: Option<DateRange>,
}

/// What a column holds, judged from all its present values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ColumnKind {
    Integer,
    Decimal,
    /// true/false or yes/no.
    TrueFalse,
    /// Dates or date-times (ISO `2024-01-31`, `2024-01-31 10:00`).
    Date,
    Text,
    /// Every value is missing.
    Empty,
}

/// Summary statistics of a numeric column.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NumberStats {
    pub mean: f64,
    /// Sample standard deviation; `None` with a single value.
    pub std: Option<f64>,
    pub min: f64,
    /// First quartile, median and third quartile (linear interpolation).
    pub q25: f64,
    pub median: f64,
    pub q75: f64,
    pub max: f64,
    /// `None` when there were no values to bin.
    pub histogram: Option<Histogram>,
}

/// Histogram bins: bin `i` covers `[edges[i], edges[i + 1])`, the last bin
/// includes its right edge, so `edges.len() == counts.len() + 1`. Whole
/// numbers spanning fewer than 50 values get one bin per value (edges at
/// halves: 0.5, 1.5, …); otherwise 10 to 50 equal bins from min to max.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Histogram {
    pub edges: Vec<f64>,
    pub counts: Vec<u64>,
}

/// A value and how many times it occurs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TopValue {
    pub value: String,
    pub count: u64,
}

/// The span of a date column, as written in the file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DateRange {
    pub earliest: String,
    pub latest: String,
}

/// Which sheet of a workbook to read, and on which row its column names are,
/// as the analyst chose them for one dataset (saved with the session). `None`
/// leaves it to the reader: the first sheet with a table, the header found
/// below any title rows.
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct TableChoice {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sheet: Option<String>,
    /// Counted from 1, as Excel shows it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub header_row: Option<u32>,
}

impl TableChoice {
    /// Nothing chosen: the reader decides.
    pub fn is_automatic(&self) -> bool {
        self.sheet.is_none() && self.header_row.is_none()
    }
}

/// The analyst's choices by dataset file name (the name the sandbox mounts it
/// under, `/data/<name>`).
pub type TableChoices = std::collections::BTreeMap<String, TableChoice>;

/// A line of Python that hands `choices` to the table readers
/// (`sandbox/read_tables.py` reads `READ_CHOICES`), put in front of the
/// Quick profile and the dataset description. Empty when nothing is chosen.
/// The names come from the analyst's files, so they travel as JSON inside a
/// Python string literal (JSON's escapes are Python's), never as code.
pub fn read_choices_prelude(choices: &TableChoices) -> String {
    let chosen: TableChoices = choices
        .iter()
        .filter(|(_, c)| !c.is_automatic())
        .map(|(n, c)| (n.clone(), c.clone()))
        .collect();
    if chosen.is_empty() {
        return String::new();
    }
    let json = serde_json::to_string(&chosen).expect("choices serialize");
    let literal = serde_json::to_string(&json).expect("a string serializes");
    format!("READ_CHOICES = __import__(\"json\").loads({literal})\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn choices_travel_as_data_and_automatic_ones_not_at_all() {
        assert_eq!(read_choices_prelude(&TableChoices::new()), "");
        let mut choices = TableChoices::new();
        choices.insert("auto.xlsx".into(), TableChoice::default());
        assert_eq!(read_choices_prelude(&choices), "");
        choices.insert(
            "book \"1\".xlsx".into(),
            TableChoice {
                sheet: Some("It's\n\"Q2\" \\ ünï".into()),
                header_row: Some(3),
            },
        );
        let line = read_choices_prelude(&choices);
        assert_eq!(line.lines().count(), 1, "{line}");
        assert!(line.starts_with("READ_CHOICES = __import__(\"json\").loads(\""));
        // Python reads the literal back to exactly the choices.
        let out = std::process::Command::new("python3")
            .arg("-c")
            .arg(format!(
                "{line}import json; print(json.dumps(READ_CHOICES, sort_keys=True))"
            ))
            .output()
            .expect("python3 runs");
        let back: TableChoices = serde_json::from_slice(&out.stdout).expect("JSON back");
        let mut expected = choices.clone();
        expected.remove("auto.xlsx");
        assert_eq!(back, expected);
    }
}
