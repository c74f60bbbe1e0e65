//! The Python that stands in for the sandbox's harness when an exported
//! notebook or script runs elsewhere: the seed's imports (each only if
//! installed), the dataset variables (`file_1`…, `main_file`, `datasets`)
//! pointing at the exported datasets, and an `output` folder. The sandbox's
//! `/data/<name>` paths in the code are rewritten to the exported files.

use crate::store::meta::{DatasetRef, DatasetStorage};

/// Where each dataset is, as the exported code should name it.
pub struct ExportedDataset {
    pub name: String,
    /// A path relative to the export's folder, or the original's absolute path
    /// for a dataset the session kept only by reference.
    pub path: String,
    pub by_reference: bool,
}

impl ExportedDataset {
    pub fn new(dataset: &DatasetRef, data_folder: &str) -> Self {
        match dataset.stored {
            DatasetStorage::Copy { .. } => Self {
                name: dataset.name.clone(),
                path: format!("{data_folder}/{}", dataset.name),
                by_reference: false,
            },
            DatasetStorage::Reference => Self {
                name: dataset.name.clone(),
                path: dataset.original.display().to_string(),
                by_reference: true,
            },
        }
    }
}

/// Python source: the imports and dataset names the analysis code expects.
/// `for_script` adds what a plain script needs: working from its own folder,
/// and charts saved (matplotlib without a screen) instead of shown.
pub fn python(datasets: &[ExportedDataset], for_script: bool) -> String {
    let mut code = String::new();
    code.push_str("# Prepared by Sandpiper: the names the analysis code expects.\n");
    code.push_str("import os, sys, json, math, re, csv, datetime, statistics\n");
    if for_script {
        code.push_str("os.chdir(os.path.dirname(os.path.abspath(__file__)))\n");
    }
    code.push_str("try:\n    import matplotlib\n");
    if for_script {
        code.push_str("    matplotlib.use(\"Agg\")\n");
    }
    code.push_str("    import matplotlib.pyplot as plt\nexcept ImportError:\n    pass\n");
    for (module, alias) in [("pandas", "pd"), ("numpy", "np"), ("seaborn", "sns")] {
        code.push_str(&format!(
            "try:\n    import {module} as {alias}\nexcept ImportError:\n    pass\n"
        ));
    }
    if for_script {
        code.push_str(
            "if \"plt\" in globals():\n    def _save_open_figures(*args, **kwargs):\n        \
             for number in plt.get_fignums():\n            \
             plt.figure(number).savefig(os.path.join(\"output\", \"figure_%d.png\" % number))\n    \
             plt.show = _save_open_figures\n",
        );
    }
    code.push_str("os.makedirs(\"output\", exist_ok=True)\n");
    for (i, dataset) in datasets.iter().enumerate() {
        if dataset.by_reference {
            code.push_str("# The original file: the session keeps no copy of it.\n");
        }
        code.push_str(&format!("file_{} = {}\n", i + 1, py_string(&dataset.path)));
    }
    let names: Vec<String> = (1..=datasets.len()).map(|i| format!("file_{i}")).collect();
    code.push_str(&format!(
        "main_file = {}\ndatasets = [{}]\n",
        names.first().map_or("None", String::as_str),
        names.join(", ")
    ));
    code
}

/// The code with the sandbox's dataset paths (`/data/<name>`) replaced by the
/// exported ones.
pub fn rewrite_paths(code: &str, datasets: &[ExportedDataset]) -> String {
    let mut code = code.to_owned();
    for dataset in datasets {
        code = code.replace(&format!("/data/{}", dataset.name), &dataset.path);
    }
    code
}

/// A Python string literal (JSON's escapes are a subset of Python's).
pub fn py_string(text: &str) -> String {
    serde_json::to_string(text).expect("a string serialises")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sandbox_paths_become_the_exported_ones() {
        let datasets = [ExportedDataset {
            name: "sales.csv".into(),
            path: "report-data/sales.csv".into(),
            by_reference: false,
        }];
        assert_eq!(
            rewrite_paths("open('/data/sales.csv')", &datasets),
            "open('report-data/sales.csv')"
        );
        let prelude = python(&datasets, false);
        assert!(prelude.contains("file_1 = \"report-data/sales.csv\""));
        assert!(prelude.contains("main_file = file_1"));
    }
}
