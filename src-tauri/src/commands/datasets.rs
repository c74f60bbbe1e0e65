use tauri::WebviewWindow;

/// Opens the native file dialog; `None` when the user cancels.
#[tauri::command]
pub async fn pick_dataset(window: WebviewWindow) -> Result<Option<String>, ()> {
    let picked = rfd::AsyncFileDialog::new()
        .set_title("Choose a dataset")
        // The formats the Quick profile and the agent read (see README.md).
        .add_filter(
            "Data files (CSV, TSV, Excel, JSON, Parquet)",
            &["csv", "tsv", "txt", "xlsx", "xls", "json", "parquet"],
        )
        .add_filter("All files", &["*"])
        .set_parent(&window)
        .pick_file()
        .await;
    Ok(picked.map(|file| file.path().display().to_string()))
}
