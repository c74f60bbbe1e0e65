// One sample of every engine event, exactly as serde serialises src/events.rs
// (flat objects tagged by `kind`, Option fields present as null).

export const SAMPLES = {
  image_pull_started: { kind: 'image_pull_started', image: 'python:3.11-slim' },
  image_pull_progress: {
    kind: 'image_pull_progress',
    image: 'python:3.11-slim',
    layer: 'a2abf6c4d29d',
    status: 'Downloading',
    current_bytes: 1024,
    total_bytes: 4096,
  },
  image_ready: { kind: 'image_ready', image: 'python:3.11-slim' },
  image_build_line: { kind: 'image_build_line', image: 'sandpiper-data:abc', line: 'Step 1/9 : FROM python:3.11-slim' },
  packages_installing: { kind: 'packages_installing', session_id: 'session-1', packages: ['scikit-learn'], reason: 'the code imports sklearn' },
  packages_installed: { kind: 'packages_installed', session_id: 'session-1', packages: ['scikit-learn'], duration_ms: 4200, error: null },
  install_question: { kind: 'install_question', question_id: 'question-1', session_id: 'session-1', package: 'python-slugify', module: 'slugify' },
  install_answered: { kind: 'install_answered', question_id: 'question-1', session_id: 'session-1', allowed: true },
  run_started: {
    kind: 'run_started',
    run_id: 'run-1',
    session_id: null,
    title: 'Quick profile of sales.csv',
    image: 'python:3.11-slim',
  },
  stdout: { kind: 'stdout', run_id: 'run-1', line: 'Rows: 10' },
  stderr: { kind: 'stderr', run_id: 'run-1', line: 'DtypeWarning: mixed types' },
  artifact: {
    kind: 'artifact',
    run_id: 'run-1',
    artifact: {
      name: 'hist_price.png',
      path: '/tmp/sandpiper/run-1/hist_price.png',
      mime: 'image/png',
      size_bytes: 20480,
    },
  },
  run_finished: {
    kind: 'run_finished',
    run_id: 'run-1',
    outcome: 'success',
    exit_code: 0,
    duration_ms: 4200,
    summary: 'The profile finished.',
    output_truncated: false,
    error: null,
  },
  llm_prompt: {
    kind: 'llm_prompt',
    call_id: 'call-1',
    session_id: 'session-1',
    system: 'You are Sandpiper.',
    prompt: 'Dataset "sales.csv" (in the sandbox at /data/sales.csv): 10 rows, 2 columns.\n\nQuestion: How many rows?',
    sample_rows_sent: 5,
    columns_left_out: 0,
  },
  llm_started: {
    kind: 'llm_started',
    call_id: 'call-1',
    session_id: null,
    provider: 'anthropic',
    model: 'claude-sonnet-4-5',
  },
  llm_delta: { kind: 'llm_delta', call_id: 'call-1', text: 'df.describe()' },
  llm_retrying: {
    kind: 'llm_retrying',
    call_id: 'call-1',
    attempt: 1,
    max_attempts: 4,
    wait_ms: 2000,
    reason: 'Claude (Anthropic) is overloaded right now.',
  },
  llm_finished: {
    kind: 'llm_finished',
    call_id: 'call-1',
    input_tokens: 812,
    output_tokens: 95,
    duration_ms: 2100,
    first_token_ms: 420,
    stop_reason: 'end_turn',
    error: null,
  },
  conversation: {
    kind: 'conversation',
    session_id: 'session-1',
    message: { type: 'notice', step_id: 'step-1', text: 'Running the code…', at: 1 },
  },
  dataset_profiled: {
    kind: 'dataset_profiled',
    run_id: 'run-1',
    profile: {
      file_name: 'sales.csv', size_bytes: 42, rows: 2, engine: 'standard_library',
      estimated: false, delimiter: '","', format: null, notes: [],
      columns: [{
        name: 'units', kind: 'integer', count: 2, missing: 0, missing_share: 0, distinct: 2,
        distinct_at_least: false, estimated: false,
        numbers: { mean: 1.5, std: 0.7071, min: 1, q25: 1.25, median: 1.5, q75: 1.75, max: 2,
          histogram: { edges: [0.5, 1.5, 2.5], counts: [1, 1] } },
        top_values: [], date_range: null,
      }],
    },
  },
  session_usage: {
    kind: 'session_usage',
    session_id: 'session-1',
    call_id: 'call-1',
    input_tokens: 812,
    output_tokens: 95,
    calls: 1,
    calls_without_counts: 0,
  },
};

export const stdout = (run_id, line) => ({ kind: 'stdout', run_id, line });
export const stderr = (run_id, line) => ({ kind: 'stderr', run_id, line });
export const started = (run_id, title = `Run ${run_id}`) => ({
  kind: 'run_started',
  run_id,
  session_id: null,
  title,
  image: 'python:3.11-slim',
});
export const finished = (run_id, outcome = 'success', extra = {}) => ({
  kind: 'run_finished',
  run_id,
  outcome,
  exit_code: outcome === 'success' ? 0 : 1,
  duration_ms: 1234,
  summary: `Summary of ${run_id}`,
  output_truncated: false,
  error: null,
  ...extra,
});
export const artifact = (run_id, name, mime = 'image/png', size_bytes = 100) => ({
  kind: 'artifact',
  run_id,
  artifact: { name, path: `/out/${run_id}/${name}`, mime, size_bytes },
});
export const progress = (layer, status, current_bytes = null, total_bytes = null, image = 'python:3.11-slim') => ({
  kind: 'image_pull_progress',
  image,
  layer,
  status,
  current_bytes,
  total_bytes,
});

const S = 'step-1';

/** A step as the engine saves it: try 1 raises a NameError, try 2 works. */
export const TWO_TRIES = [
  { type: 'question', step_id: S, text: 'Which region sold most?', datasets: ['sales.csv'], at: 1 },
  { type: 'try_started', step_id: S, try_number: 1, max_tries: 5, call_id: 'call-1', provider: 'openai-compatible', model: 'm', sent: { system: 'You write Python.', prompt: 'Columns: region, sales\nQuestion: Which region sold most?', sample_rows_sent: 3, columns_left_out: 0 }, by_analyst: false, at: 2 },
  { type: 'code', step_id: S, try_number: 1, code: 'print(totals)', at: 3 },
  { type: 'notice', step_id: S, text: 'Running the code…', at: 4 },
  {
    type: 'execution', step_id: S, try_number: 1, run_id: 'run-1', outcome: 'failed',
    summary: 'The code stopped with an error.', stdout: '', stderr_tail: 'NameError', output_truncated: false,
    error: { type: 'NameError', message: "name 'totals' is not defined", line: 1, context: null },
    duration_ms: 300, at: 5,
  },
  { type: 'try_started', step_id: S, try_number: 2, max_tries: 5, call_id: 'call-2', provider: 'openai-compatible', model: 'm', sent: null, by_analyst: false, at: 6 },
  { type: 'code', step_id: S, try_number: 2, code: "print('South', 250)", at: 7 },
  {
    type: 'execution', step_id: S, try_number: 2, run_id: 'run-2', outcome: 'success', summary: 'Finished.',
    stdout: 'South 250\n', stderr_tail: '', output_truncated: false, error: null, duration_ms: 200, at: 8,
  },
  {
    type: 'artifact', step_id: S, try_number: 2, run_id: 'run-2',
    artifact: { name: 'chart.png', path: '/s/artifacts/step-1/try-2/chart.png', mime: 'image/png', size_bytes: 10 }, at: 9,
  },
  {
    type: 'answer', step_id: S, call_id: 'call-3', text: 'South sold 250, about 40 % of all.',
    ungrounded: [{ text: '40 %', start: 22, end: 26 }], artifacts: [], provenance: {},
    follow_ups: ['Which month sold the most?', 'How does North compare?'], at: 10,
  },
  { type: 'step_ended', step_id: S, state: 'done', tries: 2, input_tokens: 1234, output_tokens: 56, duration_ms: 4200, at: 11 },
];
