// The only file that touches window.__TAURI__ (the shell sets withGlobalTauri: true).
//
// It exposes a "backend": the commands and event streams the window needs, with
// every command failure turned into { title, advice }. dev/demo.js provides the
// same shape for looking at the UI in a plain browser.
//
// Commands relied on (names and arguments exactly as invoked):
//   docker_status()                 -> { state, title, advice, version, endpoint }
//   pick_dataset()                  -> absolute path string, or null when cancelled
//   start_quick_profile({ path, sessionId }) -> run id string (sessionId: the session the
//                                      file was added to, whose container runs it; null: none)
//   cancel_run({ runId })           -> bool: false when the run had already ended
//   save_output({ name, lines })    -> the .txt file written with every line (the native
//                                      save dialog asks where, suggesting name), or null when cancelled
//   get_settings()                  -> Settings JSON (src/settings.rs)
//   save_settings({ settings })     -> the saved Settings JSON
//   pick_ca_bundle()                -> absolute path of a certificates file, or null when cancelled
//   default_ca_bundle()             -> this computer's certificates file, or null when it has none
//   list_models({ provider, baseUrl })            -> { models: [{ id, ... }], default_model }
//   test_connection({ provider, baseUrl, model }) -> { message, models, model }
//   api_key_status({ provider })                  -> { in_keychain, from_environment }
//   save_api_key({ provider, key }) / forget_api_key({ provider }) -> the same
//   create_session()                -> { id, title, datasets: [], conversation: [] }
//   add_session_datasets({ sessionId, paths }) -> the session's datasets
//                                      [{ name, path, notice, column_descriptions: { column: text } }]
//   describe_column({ sessionId, dataset, column, description }) -> the description as saved,
//                                      or null once removed (an empty one removes it)
//   choose_dataset_table({ sessionId, dataset, sheet, headerRow }) -> null once saved: the sheet
//                                      and header row (from 1; null: found by Sandpiper) the
//                                      workbook's next profile and every later step read
//   open_session({ sessionId })     -> { id, title, datasets, conversation: [Message], install_questions };
//                                      each dataset also says state ('unchanged' | 'changed' |
//                                      'missing') and kept_copy; install_questions are the
//                                      [{ question_id, session_id, package, module }] a step of it waits on
//   locate_dataset({ sessionId, dataset }) -> { dataset, same_content } once the analyst chose
//                                      the file's new place in the native open dialog, or null when cancelled
//   close_session({ sessionId })    -> bool: false when it was not open
//   list_sessions()                 -> { sessions: [{ id, title, datasets, updated_at, steps }], damaged }
//   delete_session({ sessionId })   -> null once the session is in the OS trash
//   rename_session({ sessionId, title }) -> null once renamed
//   start_analysis({ sessionId, question }) -> the step's id; messages arrive as `conversation` events
//   run_own_code({ sessionId, stepId, code }) -> a new step's id: the analyst's edit of a step's code, run as its first try
//   stop_step({ stepId })           -> bool: false when the step had already ended
//   answer_install_question({ questionId, allowed }) -> bool: false when no step waits for it
//   warm_session({ sessionId })     -> null once the session's container is ready
//   explain_step({ sessionId, stepId }) -> the model's explanation of the step's code, in plain words
//   export_session({ sessionId, format }) -> the file written (the native save dialog
//                                      asks where), or null when the analyst cancelled
//   list_containers()               -> [{ id, session_title, session_id, image, running,
//                                      created_at (s), size_bytes, packages }]
//   stop_container({ id }) / remove_container({ id }) -> null once done
//   remove_unused_containers()      -> how many things were removed
//   remove_session_environment({ sessionId }) -> null once the session's container is gone
// Events: 'engine-event' (payload: one Event from src/events.rs), 'step-failed'
// ({ session_id, step_id, error }: a step that ended without its last message),
// and the webview's native drag-and-drop events.

import { ENGINE_EVENT, STEP_FAILED_EVENT } from './events.js';
import { toUserError } from './errors.js';

/** True when the page runs inside the Sandpiper app. */
export function hasTauri() {
  const t = globalThis.window && window.__TAURI__;
  return Boolean(t && t.core && typeof t.core.invoke === 'function');
}

export function createTauriBackend() {
  const tauri = window.__TAURI__;

  async function call(command, args, fallbackTitle) {
    try {
      return await tauri.core.invoke(command, args);
    } catch (err) {
      throw toUserError(err, fallbackTitle);
    }
  }

  return {
    kind: 'tauri',

    dockerStatus: () => call('docker_status', undefined, 'Could not check Docker'),
    pickDataset: () => call('pick_dataset', undefined, 'Could not open the file chooser'),
    startQuickProfile: (path, sessionId = null) =>
      call('start_quick_profile', { path, sessionId }, 'Could not start the quick profile'),
    cancelRun: (runId) => call('cancel_run', { runId }, 'Could not stop the run'),
    saveOutput: (name, lines) => call('save_output', { name, lines }, 'Could not save the output'),
    getSettings: () => call('get_settings', undefined, 'Could not load the settings'),
    saveSettings: (settings) => call('save_settings', { settings }, 'Could not save the settings'),
    pickCaBundle: () => call('pick_ca_bundle', undefined, 'Could not open the file chooser'),
    defaultCaBundle: () => call('default_ca_bundle', undefined, "Could not find this computer's certificates"),
    listModels: (provider, baseUrl) => call('list_models', { provider, baseUrl: baseUrl || null }, 'Could not list the models'),
    testConnection: (provider, baseUrl, model) =>
      call('test_connection', { provider, baseUrl: baseUrl || null, model: model || null }, 'The connection test failed'),
    apiKeyStatus: (provider) => call('api_key_status', { provider }, 'Could not check the keychain'),
    saveApiKey: (provider, key) => call('save_api_key', { provider, key }, 'Could not save the key'),
    forgetApiKey: (provider) => call('forget_api_key', { provider }, 'Could not remove the key'),
    createSession: () => call('create_session', undefined, 'Could not start a session'),
    addSessionDatasets: (sessionId, paths) =>
      call('add_session_datasets', { sessionId, paths }, 'Could not add the file to the session'),
    describeColumn: (sessionId, dataset, column, description) =>
      call('describe_column', { sessionId, dataset, column, description }, 'Could not save the description'),
    chooseDatasetTable: (sessionId, dataset, sheet, headerRow) =>
      call(
        'choose_dataset_table',
        { sessionId, dataset, sheet: sheet || null, headerRow: headerRow ?? null },
        'Could not use that sheet',
      ),
    locateDataset: (sessionId, dataset) =>
      call('locate_dataset', { sessionId, dataset }, 'Could not use that file'),
    openSession: (sessionId) => call('open_session', { sessionId }, 'Could not open the session'),
    closeSession: (sessionId) => call('close_session', { sessionId }, 'Could not close the session'),
    listSessions: () => call('list_sessions', undefined, 'Could not list your sessions'),
    renameSession: (sessionId, title) =>
      call('rename_session', { sessionId, title }, 'Could not rename the session'),
    deleteSession: (sessionId) => call('delete_session', { sessionId }, 'Could not move the session to the trash'),
    startAnalysis: (sessionId, question) =>
      call('start_analysis', { sessionId, question }, 'Could not start the analysis'),
    runOwnCode: (sessionId, stepId, code) =>
      call('run_own_code', { sessionId, stepId, code }, 'Could not run your code'),
    stopStep: (stepId) => call('stop_step', { stepId }, 'Could not stop the analysis'),
    answerInstallQuestion: (questionId, allowed) =>
      call('answer_install_question', { questionId, allowed }, 'Could not answer the question'),
    warmSession: (sessionId) => call('warm_session', { sessionId }, 'Could not get the session ready'),
    explainStep: (sessionId, stepId) =>
      call('explain_step', { sessionId, stepId }, 'Could not explain this step'),
    exportSession: (sessionId, format) =>
      call('export_session', { sessionId, format }, 'Could not export the session'),
    listContainers: () => call('list_containers', undefined, "Could not list Sandpiper's containers"),
    stopContainer: (id) => call('stop_container', { id }, 'Could not stop the container'),
    removeContainer: (id) => call('remove_container', { id }, 'Could not remove the container'),
    removeUnusedContainers: () => call('remove_unused_containers', undefined, 'Could not remove the unused containers'),
    removeSessionEnvironment: (sessionId) =>
      call('remove_session_environment', { sessionId }, "Could not remove the session's environment"),

    /** handler({ session_id, step_id, error }) when a step ends without its last message. */
    onStepFailed(handler) {
      return tauri.event.listen(STEP_FAILED_EVENT, (e) => handler(e.payload));
    },

    /** handler(event) for each engine event; resolves to an unlisten function. */
    onEngineEvent(handler) {
      return tauri.event.listen(ENGINE_EVENT, (e) => handler(e.payload));
    },

    /**
     * handler({ type: 'enter' | 'over' | 'drop' | 'leave', paths }) for native
     * drag-and-drop of files onto the window; resolves to an unlisten function.
     */
    onDragDrop(handler) {
      const webview = tauri.webview && tauri.webview.getCurrentWebview && tauri.webview.getCurrentWebview();
      if (!webview || typeof webview.onDragDropEvent !== 'function') return Promise.resolve(() => {});
      return webview.onDragDropEvent((e) => {
        const p = e.payload || {};
        handler({ type: p.type, paths: Array.isArray(p.paths) ? p.paths : [] });
      });
    },

    /** A URL the webview can load for a file on disk (asset protocol). */
    fileSrc(path) {
      return tauri.core.convertFileSrc(path);
    },
  };
}
