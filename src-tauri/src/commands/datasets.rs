use tauri::WebviewWindow;

/// Opens the native file dialog; `None` when the user cancels.
#[tauri::command]
pub async fn pick_dataset(window: WebviewWindow) -> Result<Option<String>, ()> {
    let picked = rfd::AsyncFileDialog::new()
        .set_title("Choose a dataset")
        .add_filter("Tables (CSV, TSV, TXT)", &["csv", "tsv", "txt"])
        .add_filter("All files", &["*"])
        .set_parent(&window)
        .pick_file()
        .await;
    Ok(picked.map(|file| file.path().display().to_string()))
}
