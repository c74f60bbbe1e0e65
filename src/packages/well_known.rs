//! The data packages Sandpiper installs by itself when model code imports them.
//! The module a run says is missing comes from code that may be steered by
//! text in a dataset, so an automatic install is limited to this list (and the
//! analyst's own allowed list in Settings): a typo-squatted or malicious name
//! the code asks for is never fetched without the analyst saying so.

use super::names::normalise;

/// Well-known, widely used packages for reading, analysing and charting data.
const WELL_KNOWN: &[&str] = &[
    // Tables and numbers
    "pandas",
    "numpy",
    "scipy",
    "polars",
    "pyarrow",
    "duckdb",
    "statsmodels",
    "pingouin",
    "sympy",
    "networkx",
    "numexpr",
    "bottleneck",
    // Machine learning
    "scikit-learn",
    "xgboost",
    "lightgbm",
    "lifelines",
    "pmdarima",
    "prophet",
    // Charts
    "matplotlib",
    "seaborn",
    "plotly",
    "kaleido",
    "altair",
    "vl-convert-python",
    "bokeh",
    "plotnine",
    "squarify",
    "adjusttext",
    "wordcloud",
    "missingno",
    "matplotlib-venn",
    // Files
    "openpyxl",
    "xlrd",
    "xlsxwriter",
    "pyxlsb",
    "odfpy",
    "pyreadstat",
    "sas7bdat",
    "lxml",
    "html5lib",
    "beautifulsoup4",
    "tabulate",
    "pyyaml",
    "chardet",
    "charset-normalizer",
    // Dates, text, places
    "python-dateutil",
    "pytz",
    "tzdata",
    "holidays",
    "babel",
    "regex",
    "rapidfuzz",
    "unidecode",
    "pycountry",
    "country-converter",
    "shapely",
    "pillow",
];

/// Whether the distribution (any spelling) is on the list.
pub fn is_well_known(distribution: &str) -> bool {
    let name = normalise(distribution);
    WELL_KNOWN.iter().any(|known| normalise(known) == name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn common_data_packages_are_known_in_any_spelling() {
        assert!(is_well_known("scikit_learn"));
        assert!(is_well_known("Pillow"));
        assert!(is_well_known("PyYAML"));
        assert!(!is_well_known("reqeusts"));
        assert!(!is_well_known("pandas-helper-tools"));
    }

    #[test]
    fn every_name_is_written_as_pip_normalises_it() {
        for name in WELL_KNOWN {
            assert_eq!(normalise(name), *name, "write {name} normalised");
        }
    }
}
