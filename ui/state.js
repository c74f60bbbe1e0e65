// The window's view state, as a pure reducer: no DOM, no Tauri, no clock.
//
//   let state = initialState();
//   state = reduce(state, engineEvent, { now: Date.now() });
//
// `reduce` takes both engine events (kinds from events.js, straight from the shell)
// and the window's own actions, whose kinds start with "ui:" so they can never clash
// with an engine kind. Unknown kinds and malformed events return the state unchanged.
// Every change returns a new object along the changed path, so the views can tell
// what changed by reference (`prev.items[i] !== next.items[i]`).
//
// The conversation is `state.items`, an ordered list of cards:
//   { type: 'run', key: 'run:<id>', ... }      one code run and its output
//   { type: 'pull', key: 'pull:<n>', ... }     the sandbox image being downloaded
//   { type: 'pending', key: 'req:<n>', ... }   a file we asked the engine to open
//   { type: 'error', key: 'err:<n>', ... }     a command that failed, in plain words
//   { type: 'step', key: 'step:<id>', step }   one question to the analysis agent in
//                                              the open session (see steps.js)
// `state.session` is the saved session open in the window ({ id, title, datasets }),
// `state.runningStep` the id of its step in progress (one at a time), and
// `state.home` the recent sessions Home lists. The code runs and model calls of
// the open session's steps are drawn inside their step, never as cards of their own.
// `state.usage` is the session's token total (from `session_usage`).

import { basename } from './format.js';
import { emptyLog, appendToLog, MAX_KEPT_LINES } from './output-log.js';
import { reduceStep, newStep, appendLiveLine, appendWriting, startLiveRun, askInstall, installAnswered } from './steps.js';

/** Lines kept per run card: the latest ones. Older ones are counted, not stored. */
export const MAX_LINES_PER_RUN = MAX_KEPT_LINES;

export function initialState() {
  return {
    /** status: the last docker_status answer; manualCheck: the user asked (show it) */
    docker: { checking: false, manualCheck: false, status: null },
    items: [],
    /** image name -> key of the pull card still in progress */
    activePulls: {},
    /** counter for card keys */
    seq: 0,
    /** the session's token totals: { sessionId, inputTokens, outputTokens, calls, callsWithoutCounts } */
    usage: null,
    /** the saved session open in the window: { id, title, dismissedBanners, datasets: [{ name,
     *  path, notice, state: 'changed' | 'missing' | null, keptCopy, columnDescriptions }] } */
    session: null,
    /** the id of the open session's step in progress, or 'starting' until its id is known */
    runningStep: null,
    /** run id / call id -> step key, for the code runs and model calls of sessions
     *  this window opened ('' once nothing here shows them) */
    stepRuns: {},
    stepCalls: {},
    /** every session this window has opened: a step left running there after
     *  going Home still sends events, which must not become cards on Home */
    seenSessions: {},
    /** Home's recent sessions: null until listed */
    home: { sessions: null, error: null },
  };
}

export function reduce(state, event, ctx = {}) {
  if (!event || typeof event !== 'object' || typeof event.kind !== 'string') return state;
  const routed = routeToStep(state, event);
  if (routed !== null) return routed;
  if (!Object.prototype.hasOwnProperty.call(HANDLERS, event.kind)) return state;
  const now = ctx && typeof ctx.now === 'number' ? ctx.now : null;
  return HANDLERS[event.kind](state, event, now);
}

// ---------------------------------------------------------------------------
// Selectors

export function findItem(state, key) {
  return state.items.find((item) => item.key === key) || null;
}

export function findRun(state, runId) {
  return findItem(state, runKey(runId));
}

/** Runs that have not finished yet (starting or running). */
export function activeRuns(state) {
  return state.items.filter((item) => item.type === 'run' && item.phase !== 'finished');
}

export function isDockerReady(state) {
  return Boolean(state.docker.status && state.docker.status.state === 'ready');
}

/**
 * Overall download progress of a pull card, from its layers.
 * Layers that already exist locally are not counted in the bytes.
 */
export function pullProgress(layers) {
  let currentBytes = 0;
  let totalBytes = 0;
  let layerCount = 0;
  let layersDone = 0;
  for (const layer of Object.values(layers)) {
    layerCount += 1;
    if (layer.done) layersDone += 1;
    if (layer.cached || !(layer.total > 0)) continue;
    totalBytes += layer.total;
    currentBytes += layer.downloadDone ? layer.total : Math.min(layer.downloaded, layer.total);
  }
  const fraction = totalBytes > 0 ? currentBytes / totalBytes : null;
  return { currentBytes, totalBytes, fraction, layerCount, layersDone };
}

// ---------------------------------------------------------------------------
// Handlers

const HANDLERS = {
  // --- engine events (see events.js) ---
  image_pull_started(state, e) {
    if (!isNonEmptyString(e.image)) return state;
    const activeKey = state.activePulls[e.image];
    if (activeKey && findItem(state, activeKey)) return state;
    return addPull(state, e.image);
  },

  image_pull_progress(state, e) {
    if (!isNonEmptyString(e.image)) return state;
    let next = state;
    if (!next.activePulls[e.image] || !findItem(next, next.activePulls[e.image])) {
      next = addPull(next, e.image);
    }
    const key = next.activePulls[e.image];
    return updateItem(next, key, (pull) => {
      const status = typeof e.status === 'string' ? e.status : '';
      if (!isNonEmptyString(e.layer)) {
        return { ...pull, message: status || pull.message };
      }
      const layers = { ...pull.layers, [e.layer]: mergeLayer(pull.layers[e.layer], e) };
      const progress = pullProgress(layers);
      // Docker learns layer sizes as it goes; keep the bar from jumping backwards.
      if (progress.fraction !== null && pull.progress.fraction !== null) {
        progress.fraction = Math.max(progress.fraction, pull.progress.fraction);
      }
      return { ...pull, layers, progress, message: status || pull.message };
    });
  },

  image_ready(state, e) {
    if (!isNonEmptyString(e.image)) return state;
    const key = state.activePulls[e.image];
    if (!key) return state;
    const activePulls = { ...state.activePulls };
    delete activePulls[e.image];
    const next = updateItem(state, key, (pull) => ({
      ...pull,
      status: 'ready',
      progress: { ...pull.progress, fraction: 1 },
    }));
    return { ...next, activePulls };
  },

  run_started(state, e, now) {
    if (!isNonEmptyString(e.run_id)) return state;
    return upsertRun(state, e.run_id, now, (run) => ({
      ...run,
      title: isNonEmptyString(e.title) ? e.title : run.title,
      image: isNonEmptyString(e.image) ? e.image : run.image,
      sessionId: isNonEmptyString(e.session_id) ? e.session_id : run.sessionId,
      phase: run.phase === 'finished' ? 'finished' : 'running',
      startedAt: now ?? run.startedAt,
    }));
  },

  stdout(state, e, now) {
    return appendLine(state, e, 'stdout', now);
  },

  stderr(state, e, now) {
    return appendLine(state, e, 'stderr', now);
  },

  artifact(state, e, now) {
    if (!isNonEmptyString(e.run_id)) return state;
    const a = e.artifact;
    if (!a || typeof a !== 'object' || !isNonEmptyString(a.name)) return state;
    const artifact = {
      name: a.name,
      path: typeof a.path === 'string' ? a.path : '',
      mime: typeof a.mime === 'string' ? a.mime : 'application/octet-stream',
      sizeBytes: typeof a.size_bytes === 'number' ? a.size_bytes : null,
    };
    return upsertRun(state, e.run_id, now, (run) => {
      const existing = run.artifacts.findIndex((x) => x.path && x.path === artifact.path);
      const artifacts =
        existing >= 0
          ? run.artifacts.map((x, i) => (i === existing ? artifact : x))
          : [...run.artifacts, artifact];
      return { ...run, artifacts };
    });
  },

  // A Quick profile's typed numbers, one event per dataset. They may come before
  // or after the run's text lines; the card draws them whenever they are there.
  dataset_profiled(state, e, now) {
    if (!isNonEmptyString(e.run_id)) return state;
    const p = e.profile;
    if (!isProfile(p)) return state;
    return upsertRun(state, e.run_id, now, (run) => {
      const existing = run.profiles.findIndex((x) => x.file_name === p.file_name);
      const profiles = existing >= 0 ? run.profiles.map((x, i) => (i === existing ? p : x)) : [...run.profiles, p];
      return { ...run, profiles };
    });
  },

  run_finished(state, e, now) {
    if (!isNonEmptyString(e.run_id)) return state;
    return upsertRun(state, e.run_id, now, (run) => {
      if (run.finished) return run; // exactly one per run; ignore repeats
      return {
        ...run,
        phase: 'finished',
        stopping: false,
        finished: {
          outcome: typeof e.outcome === 'string' ? e.outcome : 'failed',
          exitCode: typeof e.exit_code === 'number' ? e.exit_code : null,
          durationMs: typeof e.duration_ms === 'number' ? e.duration_ms : null,
          summary: typeof e.summary === 'string' ? e.summary : '',
          outputTruncated: e.output_truncated === true,
          error: pythonError(e.error),
        },
      };
    });
  },

  session_usage(state, e) {
    if (!isNonEmptyString(e.session_id)) return state;
    const n = (v) => (typeof v === 'number' && v >= 0 ? v : 0);
    // Totals only grow within a session: an older event arriving late must not shrink them.
    if (state.usage && state.usage.sessionId === e.session_id && n(e.calls) < state.usage.calls) return state;
    return {
      ...state,
      usage: {
        sessionId: e.session_id,
        inputTokens: n(e.input_tokens),
        outputTokens: n(e.output_tokens),
        calls: n(e.calls),
        callsWithoutCounts: n(e.calls_without_counts),
      },
    };
  },

  conversation(state, e) {
    const m = e.message;
    if (!state.session || e.session_id !== state.session.id || !m || !isNonEmptyString(m.step_id)) return state;
    const key = stepKey(m.step_id);
    const existing = findItem(state, key);
    const step = reduceStep(existing ? existing.step : newStep(m.step_id), m);
    let next = existing
      ? updateItem(state, key, (item) => (item.step === step ? item : { ...item, step }))
      : { ...state, items: [...state.items, { type: 'step', key, step }] };
    if (m.type === 'question' && state.runningStep === 'starting') next = { ...next, runningStep: m.step_id };
    if (m.type === 'step_ended' && next.runningStep === m.step_id) next = { ...next, runningStep: null };
    return next;
  },

  // --- the window's own actions ---
  /** A session was created or opened: its saved conversation replaces what was shown when `replace`. */
  'ui:session_opened'(state, e, now) {
    const s = e.session;
    if (!s || !isNonEmptyString(s.id)) return state;
    const session = {
      id: s.id,
      title: typeof s.title === 'string' ? s.title : '',
      datasets: datasetsOf(s.datasets),
      /** dataset name -> true: banners the analyst closed */
      dismissedBanners: {},
    };
    let next = { ...state, session, runningStep: null, seenSessions: { ...state.seenSessions, [s.id]: true } };
    if (e.replace) {
      // The datasets' profiles first, as when the files were dropped in.
      const items = keptProfileRuns(s.datasets, now);
      for (const m of Array.isArray(s.conversation) ? s.conversation : []) {
        if (!m || !isNonEmptyString(m.step_id)) continue;
        const key = stepKey(m.step_id);
        const at = items.findIndex((item) => item.key === key);
        if (at < 0) items.push({ type: 'step', key, step: reduceStep(newStep(m.step_id), m) });
        else items[at] = { ...items[at], step: reduceStep(items[at].step, m) };
      }
      // A step of this session still running here (left for Home meanwhile):
      // it goes on on screen, and the question box waits for it, with the
      // install question it still waits on, if any.
      const last = items[items.length - 1];
      const running = last && last.type === 'step' && !last.step.ended ? last : null;
      if (running) {
        const asked = (Array.isArray(s.install_questions) ? s.install_questions : []).filter((q) => q && q.session_id === s.id);
        const step = asked.reduce((st, q) => askInstall(st, q), running.step);
        if (step !== running.step) items[items.length - 1] = { ...running, step };
      }
      next = { ...next, items, usage: null, runningStep: running ? running.step.stepId : null };
    }
    return next;
  },

  'ui:session_datasets'(state, e) {
    if (!state.session || state.session.id !== e.sessionId) return state;
    // Adding a file lists the datasets unchecked: what opening found stays.
    const before = state.session.datasets;
    const datasets = datasetsOf(e.datasets).map((d) => {
      const was = before.find((b) => b.name === d.name && b.path === d.path);
      return was && !d.state ? { ...d, state: was.state, keptCopy: was.keptCopy, notice: was.notice } : d;
    });
    return { ...state, session: { ...state.session, datasets } };
  },

  /** The analyst closed a changed or moved dataset's banner. */
  'ui:dataset_banner_dismissed'(state, e) {
    if (!state.session || state.session.id !== e.sessionId || !isNonEmptyString(e.name)) return state;
    const dismissedBanners = { ...state.session.dismissedBanners, [e.name]: true };
    return { ...state, session: { ...state.session, dismissedBanners } };
  },

  /** The analyst pointed to a missing dataset's new place, and the engine recorded it. */
  'ui:dataset_located'(state, e) {
    const [located] = datasetsOf([e.dataset]);
    if (!state.session || state.session.id !== e.sessionId || !located) return state;
    if (!state.session.datasets.some((d) => d.name === located.name)) return state;
    const datasets = state.session.datasets.map((d) =>
      d.name === located.name ? { ...located, state: null, notice: null, columnDescriptions: d.columnDescriptions } : d,
    );
    return { ...state, session: { ...state.session, datasets } };
  },

  /** The analyst's description of a column was saved (or removed when empty). */
  'ui:column_described'(state, e) {
    if (!state.session || state.session.id !== e.sessionId || !isNonEmptyString(e.column)) return state;
    const at = state.session.datasets.findIndex((d) => d.name === e.dataset);
    if (at < 0) return state;
    const dataset = state.session.datasets[at];
    const columnDescriptions = { ...dataset.columnDescriptions };
    if (isNonEmptyString(e.description)) columnDescriptions[e.column] = e.description;
    else delete columnDescriptions[e.column];
    const datasets = state.session.datasets.map((d, i) => (i === at ? { ...d, columnDescriptions } : d));
    return { ...state, session: { ...state.session, datasets } };
  },

  /** Back to Home: nothing of the session stays on screen. */
  'ui:session_closed'(state) {
    return { ...state, session: null, items: [], runningStep: null, usage: null };
  },

  'ui:home_loaded'(state, e) {
    const sessions = (Array.isArray(e.sessions) ? e.sessions : []).filter((s) => s && isNonEmptyString(s.id));
    const next = { ...state, home: { sessions, error: null } };
    // The open session's title as saved (suggested from its first question).
    const open = state.session && sessions.find((s) => s.id === state.session.id);
    if (!open || typeof open.title !== 'string' || open.title === state.session.title) return next;
    return { ...next, session: { ...state.session, title: open.title } };
  },

  'ui:home_failed'(state, e) {
    return { ...state, home: { sessions: state.home.sessions, error: errorOf(e) } };
  },

  'ui:step_requested'(state) {
    if (state.runningStep !== null) return state;
    return { ...state, runningStep: 'starting' };
  },

  /** start_analysis answered with the step's id (its question may be shown already). */
  'ui:step_started'(state, e) {
    if (!isNonEmptyString(e.stepId)) return state;
    const step = findItem(state, stepKey(e.stepId));
    if (step && step.step.ended) return state.runningStep === 'starting' ? { ...state, runningStep: null } : state;
    return { ...state, runningStep: e.stepId };
  },

  'ui:step_not_started'(state, e) {
    const next = { ...state, seq: state.seq + 1, runningStep: null };
    return { ...next, items: [...state.items, errorCard(next.seq, errorOf(e), 'Your question was not started.')] };
  },

  'ui:step_stop_requested'(state, e) {
    const item = isNonEmptyString(e.stepId) ? findItem(state, stepKey(e.stepId)) : null;
    if (!item || item.step.ended) return state;
    return updateItem(state, item.key, (x) => ({ ...x, step: { ...x.step, stopping: true } }));
  },

  /** The analyst clicked Install or Don't install: the buttons wait for the engine. */
  'ui:install_answering'(state, e) {
    const item = isNonEmptyString(e.stepId) ? findItem(state, stepKey(e.stepId)) : null;
    const asked = item && item.step.installQuestion;
    if (!asked || asked.questionId !== e.questionId) return state;
    return updateItem(state, item.key, (x) => ({ ...x, step: { ...x.step, installQuestion: { ...asked, answering: true } } }));
  },

  /** The shell's `step-failed`: the step ended without its last message. */
  'ui:step_failed'(state, e) {
    const item = isNonEmptyString(e.stepId) ? findItem(state, stepKey(e.stepId)) : null;
    const next = state.runningStep === e.stepId ? { ...state, runningStep: null } : state;
    if (!item || item.step.ended) return next;
    const ended = { state: 'failed', tries: 0, inputTokens: 0, outputTokens: 0, durationMs: 0 };
    return updateItem(next, item.key, (x) => ({ ...x, step: { ...x.step, error: errorOf(e), ended, stopping: false } }));
  },

  'ui:docker_checking'(state, e) {
    return { ...state, docker: { ...state.docker, checking: true, manualCheck: e.manual === true } };
  },

  'ui:docker_status'(state, e) {
    const s = e.status && typeof e.status === 'object' ? e.status : {};
    const status = {
      state: typeof s.state === 'string' ? s.state : 'error',
      title: typeof s.title === 'string' ? s.title : '',
      advice: typeof s.advice === 'string' ? s.advice : '',
      version: typeof s.version === 'string' ? s.version : null,
      endpoint: typeof s.endpoint === 'string' ? s.endpoint : null,
    };
    return { ...state, docker: { checking: false, manualCheck: false, status } };
  },

  'ui:docker_status_failed'(state, e) {
    const err = errorOf(e);
    const status = { state: 'error', title: err.title, advice: err.advice, version: null, endpoint: null };
    return { ...state, docker: { checking: false, manualCheck: false, status } };
  },

  'ui:open_requested'(state, e) {
    if (e.requestId === undefined || typeof e.path !== 'string') return state;
    const item = {
      type: 'pending',
      key: requestKey(e.requestId),
      requestId: e.requestId,
      path: e.path,
      name: basename(e.path),
    };
    if (findItem(state, item.key)) return state;
    return { ...state, items: [...state.items, item] };
  },

  'ui:open_started'(state, e, now) {
    if (!isNonEmptyString(e.runId)) return state;
    const pending = findItem(state, requestKey(e.requestId));
    const existing = findRun(state, e.runId);
    if (pending && existing) {
      // The run's own events beat the command's reply: move its card to where the
      // file was asked for, so cards stay in the order the files were opened.
      const moved = { ...existing, sourcePath: existing.sourcePath ?? pending.path };
      return {
        ...state,
        items: state.items.filter((item) => item !== existing).map((item) => (item === pending ? moved : item)),
      };
    }
    if (existing) return state;
    const run = {
      ...newRun(e.runId, now),
      title: pending ? `Quick profile of ${pending.name}` : 'Quick profile',
      sourcePath: pending ? pending.path : null,
    };
    if (!pending) return { ...state, items: [...state.items, run] };
    return { ...state, items: state.items.map((item) => (item === pending ? run : item)) };
  },

  'ui:open_failed'(state, e) {
    const pending = findItem(state, requestKey(e.requestId));
    const next = { ...state, seq: state.seq + 1 };
    const card = errorCard(next.seq, errorOf(e), pending ? pending.name : null);
    if (!pending) return { ...next, items: [...state.items, card] };
    return { ...next, items: state.items.map((item) => (item === pending ? card : item)) };
  },

  'ui:stop_requested'(state, e) {
    const run = isNonEmptyString(e.runId) ? findRun(state, e.runId) : null;
    if (!run || run.phase === 'finished') return state;
    return updateItem(state, run.key, (r) => ({ ...r, stopping: true }));
  },

  /** cancel_run answered false: the run had already ended (its run_finished is on the way). */
  'ui:stop_not_needed'(state, e) {
    const run = isNonEmptyString(e.runId) ? findRun(state, e.runId) : null;
    if (!run || !run.stopping) return state;
    return updateItem(state, run.key, (r) => ({ ...r, stopping: false }));
  },

  'ui:stop_failed'(state, e) {
    const run = isNonEmptyString(e.runId) ? findRun(state, e.runId) : null;
    let next = run ? updateItem(state, run.key, (r) => ({ ...r, stopping: false })) : state;
    next = { ...next, seq: next.seq + 1 };
    const card = errorCard(next.seq, errorOf(e), run ? run.title : null);
    return { ...next, items: [...next.items, card] };
  },

  'ui:error'(state, e) {
    const next = { ...state, seq: state.seq + 1 };
    const context = typeof e.context === 'string' ? e.context : null;
    return { ...next, items: [...state.items, errorCard(next.seq, errorOf(e), context)] };
  },

  'ui:dismiss'(state, e) {
    const item = findItem(state, e.key);
    if (!item || item.type !== 'error') return state;
    return { ...state, items: state.items.filter((x) => x !== item) };
  },
};

// ---------------------------------------------------------------------------
// The open session's runs and model calls, drawn in their step

function stepKey(stepId) {
  return `step:${stepId}`;
}

/** The running step's item, or null. */
function runningStepItem(state) {
  if (!isNonEmptyString(state.runningStep) || state.runningStep === 'starting') return null;
  return findItem(state, stepKey(state.runningStep));
}

/**
 * The state after an engine event that belongs to a step of the open session
 * (a run or model call of its), or null when the event is not one of those.
 * Runs and calls of this window's sessions that belong to no step on screen
 * (warming the container, a step left running when the analyst went Home)
 * are dropped: they are not cards of their own.
 */
function routeToStep(state, e) {
  const ours = isNonEmptyString(e.session_id) && Object.hasOwn(state.seenSessions, e.session_id);
  const inSession = Boolean(state.session) && e.session_id === state.session.id;
  // The step a run or call was recorded for, when it is still on screen.
  const inStep = (key, fn) => {
    const item = key ? findItem(state, key) : null;
    if (!item || item.type !== 'step') return state;
    const step = fn(item.step);
    return step === item.step ? state : updateItem(state, item.key, (x) => ({ ...x, step }));
  };
  const running = inSession ? runningStepItem(state) : null;
  switch (e.kind) {
    case 'run_started': {
      if (!ours || !isNonEmptyString(e.run_id)) return null;
      const next = { ...state, stepRuns: { ...state.stepRuns, [e.run_id]: running ? running.key : '' } };
      return running ? updateItem(next, running.key, (x) => ({ ...x, step: startLiveRun(x.step, e.run_id) })) : next;
    }
    case 'stdout':
    case 'stderr':
      if (!Object.hasOwn(state.stepRuns, e.run_id)) return null;
      return inStep(state.stepRuns[e.run_id], (step) => appendLiveLine(step, e.kind, typeof e.line === 'string' ? e.line : ''));
    case 'artifact':
    case 'dataset_profiled':
    case 'run_finished':
      // The step's own `execution` and `artifact` messages say the same, saved.
      return Object.hasOwn(state.stepRuns, e.run_id) ? state : null;
    case 'llm_prompt':
    case 'llm_started':
      if (!ours || !isNonEmptyString(e.call_id)) return null;
      return { ...state, stepCalls: { ...state.stepCalls, [e.call_id]: running ? running.key : '' } };
    case 'llm_delta':
      if (!Object.hasOwn(state.stepCalls, e.call_id)) return null;
      return inStep(state.stepCalls[e.call_id], (step) => appendWriting(step, e.call_id, typeof e.text === 'string' ? e.text : ''));
    case 'llm_retrying':
    case 'llm_finished':
      return Object.hasOwn(state.stepCalls, e.call_id) ? state : null;
    case 'install_question':
      // The running step waits for the analyst's leave to install a package.
      if (!running) return null;
      return inStep(running.key, (step) => askInstall(step, e));
    case 'install_answered':
      if (!running) return null;
      return inStep(running.key, (step) => installAnswered(step, e.question_id));
    case 'image_build_line': {
      // The analysis image is being built (once per machine): the step waits
      // for it, and says so instead of a bare "Working on it…".
      const item = runningStepItem(state);
      return inStep(item && item.key, (step) => (step.preparing || step.timeline.length ? step : { ...step, preparing: true }));
    }
    default:
      return null;
  }
}

function datasetsOf(list) {
  return (Array.isArray(list) ? list : [])
    .filter((d) => d && isNonEmptyString(d.name))
    .map((d) => ({
      name: d.name,
      path: typeof d.path === 'string' ? d.path : '',
      notice: typeof d.notice === 'string' ? d.notice : null,
      /** 'changed' | 'missing' when reopening found the original so; null otherwise */
      state: d.state === 'changed' || d.state === 'missing' ? d.state : null,
      /** the session kept a copy of it (it goes on with that copy) */
      keptCopy: d.kept_copy === true,
      columnDescriptions: descriptionsOf(d.column_descriptions),
    }));
}

/** The text under a profile card shown from what the session kept. */
export const KEPT_PROFILE_SUMMARY = 'From the last Quick profile, kept with this session.';

/**
 * A finished Quick profile card for each dataset whose last profile the
 * session kept (the engine sends it only while it is of the dataset's content
 * and chosen sheet): reopening shows the columns and first rows at once,
 * with nothing run. Its source path is the dataset's file, so choosing another
 * sheet or describing a column works as on a fresh card.
 */
function keptProfileRuns(datasets, now) {
  return (Array.isArray(datasets) ? datasets : [])
    .filter((d) => d && isNonEmptyString(d.name) && isProfile(d.profile))
    .map((d) => ({
      ...newRun(`kept:${d.name}`, now),
      title: `Quick profile of ${d.name}`,
      sourcePath: isNonEmptyString(d.path) ? d.path : null,
      phase: 'finished',
      kept: true,
      profiles: [d.profile],
      finished: {
        outcome: 'success',
        exitCode: 0,
        durationMs: null,
        summary: KEPT_PROFILE_SUMMARY,
        outputTruncated: false,
        error: null,
      },
    }));
}

function isProfile(p) {
  return Boolean(p) && typeof p === 'object' && isNonEmptyString(p.file_name) && Array.isArray(p.columns);
}

/** { column: description } with only non-empty text. */
function descriptionsOf(map) {
  const out = {};
  if (!map || typeof map !== 'object') return out;
  for (const [column, text] of Object.entries(map)) if (isNonEmptyString(text)) out[column] = text;
  return out;
}

// ---------------------------------------------------------------------------
// Helpers

function isNonEmptyString(v) {
  return typeof v === 'string' && v.length > 0;
}

function runKey(runId) {
  return `run:${runId}`;
}

function requestKey(requestId) {
  return `req:${requestId}`;
}

function newRun(runId, now) {
  return {
    type: 'run',
    key: runKey(runId),
    runId,
    title: 'Run',
    image: null,
    sessionId: null,
    sourcePath: null,
    /** 'starting' (accepted, not started yet) | 'running' | 'finished' */
    phase: 'starting',
    startedAt: now,
    /** the output lines ({ stream: 'stdout' | 'stderr', text }) in arrival order,
     *  as an output-log.js log: the latest MAX_LINES_PER_RUN, older ones counted */
    output: emptyLog(),
    /** [{ name, path, mime, sizeBytes }] */
    artifacts: [],
    /** the Quick profile's typed numbers, one per dataset (src/profile_data.rs), in arrival order */
    profiles: [],
    /** null until run_finished: { outcome, exitCode, durationMs, summary, outputTruncated } */
    finished: null,
    stopping: false,
  };
}

function updateItem(state, key, fn) {
  let changed = false;
  const items = state.items.map((item) => {
    if (item.key !== key) return item;
    const next = fn(item);
    if (next !== item) changed = true;
    return next;
  });
  return changed ? { ...state, items } : state;
}

function upsertRun(state, runId, now, fn) {
  const key = runKey(runId);
  if (findItem(state, key)) return updateItem(state, key, fn);
  return { ...state, items: [...state.items, fn(newRun(runId, now))] };
}

function appendLine(state, e, stream, now) {
  if (!isNonEmptyString(e.run_id)) return state;
  const text = typeof e.line === 'string' ? e.line : e.line == null ? '' : String(e.line);
  return upsertRun(state, e.run_id, now, (run) => {
    // Keep the latest lines: while a run goes on, its newest output must show.
    return { ...run, output: appendToLog(run.output, stream, text) };
  });
}

function addPull(state, image) {
  const seq = state.seq + 1;
  const key = `pull:${seq}`;
  const pull = {
    type: 'pull',
    key,
    image,
    /** 'pulling' | 'ready' */
    status: 'pulling',
    /** layer id -> { status, downloaded, total, downloadDone, done, cached } */
    layers: {},
    progress: pullProgress({}),
    /** the latest status line Docker gave, e.g. "Downloading" */
    message: '',
  };
  // The download is what waiting runs wait for: show it above the first of them.
  const waiting = state.items.findIndex(
    (item) => item.type === 'pending' || (item.type === 'run' && item.phase === 'starting'),
  );
  const items =
    waiting < 0
      ? [...state.items, pull]
      : [...state.items.slice(0, waiting), pull, ...state.items.slice(waiting)];
  return {
    ...state,
    seq,
    items,
    activePulls: { ...state.activePulls, [image]: key },
  };
}

const DOWNLOADED_STATUSES = ['download complete', 'verifying checksum', 'extracting', 'pull complete'];

function mergeLayer(prev, e) {
  const layer = prev
    ? { ...prev }
    : { status: '', downloaded: 0, total: null, downloadDone: false, done: false, cached: false };
  const status = typeof e.status === 'string' ? e.status : '';
  const s = status.toLowerCase();
  layer.status = status;
  if (s.startsWith('downloading')) {
    if (typeof e.total_bytes === 'number' && e.total_bytes > 0) layer.total = e.total_bytes;
    if (typeof e.current_bytes === 'number') layer.downloaded = Math.max(layer.downloaded, e.current_bytes);
  } else if (s.startsWith('already exists')) {
    layer.cached = true;
    layer.done = true;
  } else if (DOWNLOADED_STATUSES.some((x) => s.startsWith(x))) {
    layer.downloadDone = true;
    if (s.startsWith('pull complete')) layer.done = true;
  }
  return layer;
}

function errorOf(e) {
  const err = e.error && typeof e.error === 'object' ? e.error : {};
  return {
    code: typeof err.code === 'string' ? err.code : '',
    title: typeof err.title === 'string' && err.title ? err.title : 'Something went wrong',
    advice: typeof err.advice === 'string' ? err.advice : '',
  };
}

function errorCard(seq, err, context) {
  return { type: 'error', key: `err:${seq}`, code: err.code, title: err.title, advice: err.advice, context };
}

/** The harness's report on model code that raised, or null. */
function pythonError(error) {
  if (!error || typeof error !== 'object' || typeof error.type !== 'string') return null;
  return {
    type: error.type,
    message: typeof error.message === 'string' ? error.message : '',
    line: typeof error.line === 'number' ? error.line : null,
    context: typeof error.context === 'string' ? error.context : null,
  };
}
