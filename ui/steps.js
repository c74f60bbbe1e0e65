// A session's conversation as the window draws it: the saved or live
// `conversation` messages (src/conversation.rs, MESSAGE_FIELDS in events.js)
// folded into one view model per step. Pure: the same code draws a live step
// and a reopened one, so the two cannot differ.
//
//   let step = null;
//   for (const m of messages) step = reduceStep(step, m);
//
// A step: { stepId, question, datasets, timeline, answer, gaveUp, error, ended }
// where `timeline` is the notices and tries in the order they happened:
//   { kind: 'notice', text }
//   { kind: 'try', number, maxTries, callId, sent, code, rejected, execution,
//     artifacts, live: { runId, output (an output-log.js log), writing } }
// `sent` is what the model was sent for the try ({ system, prompt,
// sampleRowsSent, columnsLeftOut }), or null in sessions saved before it was kept.

import { formatCount, formatDuration } from './format.js';
import { emptyLog, appendToLog, MAX_KEPT_LINES } from './output-log.js';

/** Lines of a running try's output kept for the live view (the latest ones;
 *  the view draws the last TAIL_LINES of them, see output-log.js). */
export const MAX_LIVE_LINES = MAX_KEPT_LINES;

export function newStep(stepId) {
  return {
    stepId,
    question: '',
    datasets: [],
    timeline: [],
    /** { text, segments, artifacts } once answered */
    answer: null,
    /** { tries: [{ tryNumber, reason }], suggestion } */
    gaveUp: null,
    /** { code, title, advice } */
    error: null,
    /** { state, tries, inputTokens, outputTokens, durationMs } once over */
    ended: null,
    /** set by the window while "Stop" is on its way */
    stopping: false,
    /** set by the window while the step waits for the analysis image to be built */
    preparing: false,
    /** { questionId, package, module, answering } while the step waits for the
     * analyst's leave to install a package */
    installQuestion: null,
  };
}

/** The step asking "Install `package`?" (an `install_question` event). */
export function askInstall(step, e) {
  if (typeof e.question_id !== 'string' || typeof e.package !== 'string') return step;
  const module = typeof e.module === 'string' ? e.module : e.package;
  return { ...step, installQuestion: { questionId: e.question_id, package: e.package, module, answering: false } };
}

/** The step once its install question is answered (or dropped by Stop). */
export function installAnswered(step, questionId) {
  return step.installQuestion && step.installQuestion.questionId === questionId ? { ...step, installQuestion: null } : step;
}

/** The step with `message` applied; the same object when it changes nothing. */
export function reduceStep(step, message) {
  if (!message || typeof message !== 'object' || typeof message.step_id !== 'string') return step;
  const s = step || newStep(message.step_id);
  if (s.stepId !== message.step_id) return s;
  switch (message.type) {
    case 'question':
      return { ...s, question: str(message.text), datasets: Array.isArray(message.datasets) ? message.datasets : [] };
    case 'notice':
      return { ...s, timeline: [...s.timeline, { kind: 'notice', text: str(message.text) }] };
    case 'try_started':
      return {
        ...s,
        timeline: [
          ...s.timeline,
          {
            kind: 'try',
            number: num(message.try_number),
            maxTries: num(message.max_tries),
            callId: str(message.call_id),
            sent: sentOf(message.sent),
            /** the analyst's own code ("Edit and run"), not the model's */
            byAnalyst: message.by_analyst === true,
            code: null,
            rejected: null,
            execution: null,
            artifacts: [],
            live: { runId: null, output: emptyLog(), writing: '' },
          },
        ],
      };
    case 'code':
      return updateTry(s, message.try_number, (t) => ({ ...t, code: str(message.code) }));
    case 'try_rejected':
      return updateTry(s, message.try_number, (t) => ({ ...t, rejected: str(message.reason) }));
    case 'execution':
      return updateTry(s, message.try_number, (t) => ({
        ...t,
        execution: {
          runId: str(message.run_id),
          outcome: str(message.outcome) || 'failed',
          summary: str(message.summary),
          stdout: str(message.stdout),
          stderrTail: str(message.stderr_tail),
          error: message.error && typeof message.error === 'object' ? message.error : null,
          durationMs: typeof message.duration_ms === 'number' ? message.duration_ms : null,
        },
      }));
    case 'artifact': {
      const artifact = artifactOf(message.artifact);
      if (!artifact) return s;
      return updateTry(s, message.try_number, (t) =>
        t.artifacts.some((a) => a.path === artifact.path) ? t : { ...t, artifacts: [...t.artifacts, artifact] },
      );
    }
    case 'answer': {
      const text = str(message.text);
      const ungrounded = Array.isArray(message.ungrounded) ? message.ungrounded : [];
      const artifacts = (Array.isArray(message.artifacts) ? message.artifacts : []).map(artifactOf).filter(Boolean);
      // Questions to ask next (at most three, each one line of text).
      const followUps = (Array.isArray(message.follow_ups) ? message.follow_ups : [])
        .filter((q) => typeof q === 'string' && q.trim() !== '')
        .map((q) => q.trim())
        .slice(0, 3);
      return { ...s, answer: { text, segments: answerSegments(text, ungrounded), artifacts, followUps } };
    }
    case 'gave_up':
      return {
        ...s,
        gaveUp: {
          tries: (Array.isArray(message.tries) ? message.tries : []).map((t) => ({
            tryNumber: num(t && t.try_number),
            reason: str(t && t.reason),
          })),
          suggestion: str(message.suggestion),
        },
      };
    case 'error': {
      const e = message.error && typeof message.error === 'object' ? message.error : {};
      return { ...s, error: { code: str(e.code), title: str(e.title) || 'Something went wrong', advice: str(e.advice) } };
    }
    case 'step_ended':
      return {
        ...s,
        stopping: false,
        ended: {
          state: str(message.state),
          tries: num(message.tries),
          inputTokens: num(message.input_tokens),
          outputTokens: num(message.output_tokens),
          durationMs: num(message.duration_ms),
        },
      };
    default:
      return s;
  }
}

/** The steps of a saved conversation, in order, keyed by step id. */
export function stepsFromMessages(messages) {
  const order = [];
  const steps = new Map();
  for (const message of Array.isArray(messages) ? messages : []) {
    if (!message || typeof message.step_id !== 'string') continue;
    if (!steps.has(message.step_id)) order.push(message.step_id);
    steps.set(message.step_id, reduceStep(steps.get(message.step_id) || null, message));
  }
  return order.map((id) => steps.get(id));
}

/** The try that is going on: the last one, while the step has not ended. */
export function currentTry(step) {
  if (!step || step.ended) return null;
  for (let i = step.timeline.length - 1; i >= 0; i--) if (step.timeline[i].kind === 'try') return step.timeline[i];
  return null;
}

/** A line of the running try's code output. */
export function appendLiveLine(step, stream, text) {
  const t = currentTry(step);
  if (!t) return step;
  return updateTry(step, t.number, (x) => {
    return { ...x, live: { ...x.live, output: appendToLog(x.live.output, stream, text) } };
  });
}

/** The model's reply for the running try, as it is written. */
export function appendWriting(step, callId, text) {
  const t = currentTry(step);
  if (!t || t.callId !== callId) return step;
  return updateTry(step, t.number, (x) => ({ ...x, live: { ...x.live, writing: x.live.writing + text } }));
}

/** The run of the running try started: its output goes to it. */
export function startLiveRun(step, runId) {
  const t = currentTry(step);
  if (!t) return step;
  return updateTry(step, t.number, (x) => ({ ...x, live: { runId, output: emptyLog(), writing: x.live.writing } }));
}

/**
 * The timeline as shown: progress notices ("Running the code…", "Writing the
 * answer…") only while they are what is happening now (the last entry of a
 * running step) and no try under way says it already; notices that tell
 * something ("Trying another way: …") always.
 */
export function visibleTimeline(step) {
  const last = step.timeline.length - 1;
  // A try still under way already says what it is doing ("Running the code…").
  const t = currentTry(step);
  const trySaysIt = Boolean(t && !t.execution && !t.rejected);
  return step.timeline.filter(
    (entry, i) => entry.kind !== 'notice' || !isProgress(entry.text) || (!step.ended && i === last && !trySaysIt),
  );
}

function isProgress(text) {
  return /(…|\.\.\.)$/.test(text.trim());
}

/** Whether "Explain this step" applies: an answered step has the code that made its answer. */
export function canExplain(step) {
  return Boolean(step && step.ended && step.answer);
}

/** The files a try shows: its own, less the answer's charts (shown under the answer). */
export function tryFiles(t, answer) {
  const withAnswer = new Set(answer ? answer.artifacts.map((a) => a.path) : []);
  return t.artifacts.filter((a) => !withAnswer.has(a.path));
}

/** A picture's or a table's file name without its folder and extension. */
function stemOf(name) {
  const base = name.split('/').pop();
  const dot = base.lastIndexOf('.');
  return dot > 0 ? base.slice(0, dot) : base;
}

const CHART_MIME = /^image\//;
const TABLE_MIME = /csv|tab-separated/;

/**
 * Each chart with the data behind it: a CSV saved next to it under the same
 * name (`sales_by_region.png` and `sales_by_region.csv`, as the brief asks)
 * becomes the chart's `data`, and is not listed again as a file of its own.
 * Everything else keeps its order.
 */
export function chartsWithData(artifacts) {
  const list = Array.isArray(artifacts) ? artifacts : [];
  const tables = new Map();
  for (const a of list) if (TABLE_MIME.test(a.mime) && !tables.has(stemOf(a.name))) tables.set(stemOf(a.name), a);
  const paired = new Set();
  const out = [];
  for (const a of list) {
    if (!CHART_MIME.test(a.mime)) continue;
    const data = tables.get(stemOf(a.name));
    if (data && !paired.has(data.path)) paired.add(data.path);
  }
  for (const a of list) {
    if (paired.has(a.path)) continue;
    const data = CHART_MIME.test(a.mime) ? tables.get(stemOf(a.name)) : undefined;
    out.push(data ? { ...a, data } : a);
  }
  return out;
}

/** "Try 2 of 5". */
export function tryLabel(t) {
  const label = t.maxTries > 0 ? `Try ${t.number} of ${t.maxTries}` : `Try ${t.number}`;
  return t.byAnalyst ? `${label} · your code` : label;
}

/** A try's state in a word or two, and why it failed in plain words. */
export function tryStatus(t, stepEnded) {
  if (t.rejected) return { tone: 'danger', label: 'Not run', reason: t.rejected };
  if (t.execution) {
    const ok = t.execution.outcome === 'success';
    return { tone: ok ? 'success' : 'danger', label: ok ? 'Worked' : 'Failed', reason: ok ? '' : failureReason(t.execution) };
  }
  if (stepEnded) return { tone: 'neutral', label: 'Stopped', reason: '' };
  if (t.code !== null) return { tone: 'accent', label: 'Running the code…', reason: '' };
  return { tone: 'accent', label: 'Writing the code…', reason: '' };
}

/** Why a run failed, in plain words: the engine's summary, with the Python
 *  error's own words when it raised one. */
export function failureReason(execution) {
  const summary = execution.summary.trim();
  const e = execution.error;
  if (!e || typeof e.type !== 'string') return summary;
  const where = typeof e.line === 'number' ? ` (line ${e.line})` : '';
  const raised = `${e.type}: ${str(e.message)}${where}`.trim();
  return summary.includes(e.type) ? summary : summary ? `${summary} ${raised}` : raised;
}

/**
 * The answer cut into plain and marked pieces: numbers the code's output does
 * not back are shown marked, never as fact. Offsets are UTF-8 bytes (Rust's);
 * anything that does not fit the text is ignored rather than mis-marked.
 */
export function answerSegments(text, ungrounded) {
  const bytes = new TextEncoder().encode(text);
  const decoder = new TextDecoder();
  const marks = (Array.isArray(ungrounded) ? ungrounded : [])
    .filter((u) => u && Number.isInteger(u.start) && Number.isInteger(u.end) && u.start < u.end && u.end <= bytes.length)
    .sort((a, b) => a.start - b.start);
  const segments = [];
  let at = 0;
  for (const u of marks) {
    if (u.start < at) continue; // overlapping: keep the first
    const marked = decoder.decode(bytes.slice(u.start, u.end));
    if (typeof u.text === 'string' && u.text !== marked) continue;
    if (u.start > at) segments.push({ text: decoder.decode(bytes.slice(at, u.start)), ungrounded: false });
    segments.push({ text: marked, ungrounded: true });
    at = u.end;
  }
  if (at < bytes.length || segments.length === 0) segments.push({ text: decoder.decode(bytes.slice(at)), ungrounded: false });
  return segments;
}

/** The step's footer: "2 tries · 1,234 tokens in · 56 out · 12 s". */
export function stepUsageText(ended) {
  if (!ended) return '';
  const parts = [`${ended.tries} ${ended.tries === 1 ? 'try' : 'tries'}`];
  parts.push(`${formatCount(ended.inputTokens)} tokens in · ${formatCount(ended.outputTokens)} out`);
  if (ended.durationMs > 0) parts.push(formatDuration(ended.durationMs));
  return parts.join(' · ');
}

/** How a step ended, as its header says it. */
export function stepStateText(step) {
  if (!step.ended) {
    if (step.stopping) return 'Stopping…';
    if (step.preparing && step.timeline.length === 0) {
      return 'Getting the analysis tools ready (only the first time; it can take a few minutes)…';
    }
    return 'Working on it…';
  }
  switch (step.ended.state) {
    case 'done':
      return 'Answered';
    case 'gave_up':
      return 'No answer found';
    case 'cancelled':
      return 'Stopped';
    case 'interrupted':
      return 'Interrupted: Sandpiper closed while this was running';
    default:
      return 'Could not finish';
  }
}

function sentOf(v) {
  if (!v || typeof v !== 'object' || typeof v.prompt !== 'string') return null;
  return {
    system: str(v.system),
    prompt: v.prompt,
    sampleRowsSent: num(v.sample_rows_sent),
    columnsLeftOut: num(v.columns_left_out),
  };
}

function updateTry(step, number, fn) {
  let changed = false;
  const timeline = step.timeline.map((entry) => {
    if (entry.kind !== 'try' || entry.number !== number) return entry;
    const next = fn(entry);
    if (next !== entry) changed = true;
    return next;
  });
  return changed ? { ...step, timeline } : step;
}

function artifactOf(a) {
  if (!a || typeof a !== 'object' || typeof a.name !== 'string' || typeof a.path !== 'string') return null;
  return {
    name: a.name,
    path: a.path,
    mime: typeof a.mime === 'string' ? a.mime : 'application/octet-stream',
    sizeBytes: typeof a.size_bytes === 'number' ? a.size_bytes : null,
  };
}

function str(v) {
  return typeof v === 'string' ? v : '';
}

function num(v) {
  return typeof v === 'number' && Number.isFinite(v) ? v : 0;
}
