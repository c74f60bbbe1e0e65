//! Sandpiper's desktop shell: plugins and setup only. Commands live in
//! `commands/`, event forwarding in `events.rs`; all logic is in the engine.

#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

mod commands;
mod events;
mod plain_error;
mod settings_store;
mod state;

use tauri::Manager;

fn main() {
    tauri::Builder::default()
        .plugin(tauri_plugin_store::Builder::default().build())
        .setup(|app| {
            let settings = settings_store::load(app.handle());
            let artifacts_root = app.path().app_data_dir()?.join("runs");
            let state = state::AppState::new(settings, artifacts_root);
            // Runs of a Sandpiper that crashed or was killed may have left
            // containers behind; remove them quietly (Docker may not be up yet,
            // which the status panel explains on its own).
            let engine = state.engine.clone();
            tauri::async_runtime::spawn(async move {
                let _ = engine.reap_orphans().await;
            });
            // The analysis image (pandas and the table readers) is built once, in
            // the background from the start, so a first question rarely waits for
            // it. A failure here is not shown: a question asked later builds it
            // again and says in its own step what went wrong.
            if state.engine.settings().agent.analysis_image {
                let engine = state.engine.clone();
                let sink = events::WindowSink::new(app.handle().clone());
                tauri::async_runtime::spawn(async move {
                    let _ = engine.prepare_analysis_image(&sink).await;
                });
            }
            app.manage(state);
            Ok(())
        })
        .invoke_handler(tauri::generate_handler![
            commands::docker::docker_status,
            commands::datasets::pick_dataset,
            commands::runs::start_quick_profile,
            commands::runs::cancel_run,
            commands::runs::save_output,
            commands::settings::get_settings,
            commands::settings::save_settings,
            commands::settings::pick_ca_bundle,
            commands::settings::default_ca_bundle,
            commands::llm::list_providers,
            commands::llm::list_models,
            commands::llm::test_connection,
            commands::llm::api_key_status,
            commands::llm::save_api_key,
            commands::llm::forget_api_key,
            commands::sessions::create_session,
            commands::sessions::add_session_datasets,
            commands::sessions::open_session,
            commands::sessions::close_session,
            commands::sessions::list_sessions,
            commands::sessions::rename_session,
            commands::sessions::delete_session,
            commands::sessions::export_session,
            commands::sessions::describe_column,
            commands::sessions::choose_dataset_table,
            commands::sessions::locate_dataset,
            commands::analysis::start_analysis,
            commands::analysis::run_own_code,
            commands::analysis::stop_step,
            commands::analysis::answer_install_question,
            commands::analysis::warm_session,
            commands::analysis::explain_step,
            commands::containers::list_containers,
            commands::containers::stop_container,
            commands::containers::remove_container,
            commands::containers::remove_unused_containers,
            commands::containers::remove_session_environment,
        ])
        .build(tauri::generate_context!())
        .expect("Sandpiper could not start its window")
        .run(|app, event| {
            if let tauri::RunEvent::Exit = event {
                // Let go of the open sessions now: quitting must never leave a
                // session locked for the next start, even while the process
                // still winds down its background work.
                app.state::<state::AppState>().close_all();
            }
        });
}
