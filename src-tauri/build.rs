//! Declares every command of the shell, so each needs a permission: the window
//! may call only those `capabilities/default.json` grants (the ones the UI uses).

/// Every `#[tauri::command]` registered in main.rs.
const COMMANDS: &[&str] = &[
    "docker_status",
    "pick_dataset",
    "start_quick_profile",
    "cancel_run",
    "save_output",
    "get_settings",
    "save_settings",
    "pick_ca_bundle",
    "default_ca_bundle",
    "list_providers",
    "list_models",
    "test_connection",
    "api_key_status",
    "save_api_key",
    "forget_api_key",
    "create_session",
    "add_session_datasets",
    "open_session",
    "close_session",
    "list_sessions",
    "rename_session",
    "delete_session",
    "export_session",
    "describe_column",
    "choose_dataset_table",
    "locate_dataset",
    "start_analysis",
    "run_own_code",
    "stop_step",
    "answer_install_question",
    "warm_session",
    "explain_step",
    "list_containers",
    "stop_container",
    "remove_container",
    "remove_unused_containers",
    "remove_session_environment",
];

fn main() {
    tauri_build::try_build(
        tauri_build::Attributes::new()
            .app_manifest(tauri_build::AppManifest::new().commands(COMMANDS)),
    )
    .expect("the Tauri build step failed");
}
