// Mirrors src/events.rs, the single source of truth for what the engine emits.
// A Rust test (tests/ui_contract.rs) reads this file and checks it against the enum,
// so keep the literal format below: one kind per line, field names in single quotes,
// in the order serde emits them.
//
// Each event arrives as one flat JSON object tagged by `kind`, e.g.
// {"kind":"stdout","run_id":"run-…","line":"Rows: 10"}. Option fields are always
// present (null when absent).

/** The Tauri event name the shell forwards engine events on. */
export const ENGINE_EVENT = 'engine-event';

/** The shell's own event for a step that ended without its `step_ended` message:
 *  `{ session_id, step_id, error: { code, title, advice } }`. */
export const STEP_FAILED_EVENT = 'step-failed';

/** Every event kind, mapped to its fields (besides `kind`), exactly as serde emits them. */
export const EVENT_FIELDS = Object.freeze({
  image_pull_started: ['image'],
  image_pull_progress: ['image', 'layer', 'status', 'current_bytes', 'total_bytes'],
  image_ready: ['image'],
  image_build_line: ['image', 'line'],
  packages_installing: ['session_id', 'packages', 'reason'],
  packages_installed: ['session_id', 'packages', 'duration_ms', 'error'],
  install_question: ['question_id', 'session_id', 'package', 'module'],
  install_answered: ['question_id', 'session_id', 'allowed'],
  run_started: ['run_id', 'session_id', 'title', 'image'],
  stdout: ['run_id', 'line'],
  stderr: ['run_id', 'line'],
  artifact: ['run_id', 'artifact'],
  dataset_profiled: ['run_id', 'profile'],
  run_finished: ['run_id', 'outcome', 'exit_code', 'duration_ms', 'summary', 'output_truncated', 'error'],
  llm_prompt: ['call_id', 'session_id', 'system', 'prompt', 'sample_rows_sent', 'columns_left_out'],
  llm_started: ['call_id', 'session_id', 'provider', 'model'],
  llm_delta: ['call_id', 'text'],
  llm_retrying: ['call_id', 'attempt', 'max_attempts', 'wait_ms', 'reason'],
  llm_finished: ['call_id', 'input_tokens', 'output_tokens', 'duration_ms', 'first_token_ms', 'stop_reason', 'error'],
  conversation: ['session_id', 'message'],
  session_usage: ['session_id', 'call_id', 'input_tokens', 'output_tokens', 'calls', 'calls_without_counts'],
});

/** Every conversation message (`message` of a `conversation` event, one line of a
 *  saved conversation), by its `type`, mapped to its fields (src/conversation.rs). */
export const MESSAGE_FIELDS = Object.freeze({
  question: ['step_id', 'text', 'datasets', 'at'],
  try_started: ['step_id', 'try_number', 'max_tries', 'call_id', 'provider', 'model', 'sent', 'by_analyst', 'at'],
  notice: ['step_id', 'text', 'at'],
  code: ['step_id', 'try_number', 'code', 'at'],
  try_rejected: ['step_id', 'try_number', 'reason', 'at'],
  execution: ['step_id', 'try_number', 'run_id', 'outcome', 'summary', 'stdout', 'stderr_tail', 'output_truncated', 'error', 'duration_ms', 'at'],
  artifact: ['step_id', 'try_number', 'run_id', 'artifact', 'at'],
  answer: ['step_id', 'call_id', 'text', 'ungrounded', 'artifacts', 'provenance', 'follow_ups', 'at'],
  gave_up: ['step_id', 'tries', 'suggestion', 'at'],
  error: ['step_id', 'error', 'at'],
  step_ended: ['step_id', 'state', 'tries', 'input_tokens', 'output_tokens', 'duration_ms', 'at'],
});

/** How a step can end (`StepState`, snake_case). */
export const STEP_STATES = Object.freeze(['done', 'gave_up', 'cancelled', 'failed', 'interrupted']);

/** Fields of the `artifact` object carried by the `artifact` event. */
export const ARTIFACT_FIELDS = Object.freeze(['name', 'path', 'mime', 'size_bytes']);

/** How a run can end (`Outcome`, snake_case). Exactly one per run. */
export const OUTCOMES = Object.freeze([
  'success',
  'failed',
  'out_of_memory',
  'timed_out',
  'cancelled',
  'docker_failure',
]);

export const EVENT_KINDS = Object.freeze(Object.keys(EVENT_FIELDS));

/** True for an object that looks like an engine event of a kind this UI knows. */
export function isKnownEvent(value) {
  return (
    value !== null &&
    typeof value === 'object' &&
    typeof value.kind === 'string' &&
    Object.prototype.hasOwnProperty.call(EVENT_FIELDS, value.kind)
  );
}
