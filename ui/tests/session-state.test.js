import { test } from 'node:test';
import assert from 'node:assert/strict';
import { initialState, reduce } from '../state.js';
import { TWO_TRIES } from './fixtures.js';
import { stepStateText } from '../steps.js';
import { keptLines } from '../output-log.js';

const SESSION = { id: 'session-1', title: 'Sales', datasets: [{ name: 'sales.csv', path: '/d/sales.csv', notice: null }] };
const conv = (message, session_id = 'session-1') => ({ kind: 'conversation', session_id, message });

function opened(conversation = []) {
  return reduce(initialState(), { kind: 'ui:session_opened', session: { ...SESSION, conversation }, replace: true });
}

test('a reopened session shows its saved steps exactly as live events would', () => {
  const reopened = opened(TWO_TRIES);
  let live = opened();
  live = reduce(live, { kind: 'ui:step_requested' });
  for (const m of TWO_TRIES) live = reduce(live, conv(m));
  assert.deepEqual(
    reopened.items.map((i) => i.step),
    live.items.map((i) => i.step),
  );
  assert.equal(reopened.items.length, 1);
  assert.equal(reopened.items[0].type, 'step');
  assert.equal(live.runningStep, null, 'the step ended');
});

test("the running step's code output and model writing go into its try, not into cards of their own", () => {
  let s = opened();
  s = reduce(s, { kind: 'ui:step_requested' });
  assert.equal(s.runningStep, 'starting');
  for (const m of TWO_TRIES.slice(0, 3)) s = reduce(s, conv(m));
  assert.equal(s.runningStep, 'step-1', 'the question gives the step its id');
  s = reduce(s, { kind: 'llm_prompt', call_id: 'call-1', session_id: 'session-1', system: null, prompt: 'p', sample_rows_sent: 0, columns_left_out: 0 });
  s = reduce(s, { kind: 'llm_delta', call_id: 'call-1', text: 'Here' });
  s = reduce(s, { kind: 'run_started', run_id: 'run-1', session_id: 'session-1', title: 'Try 1', image: 'i' });
  s = reduce(s, { kind: 'stdout', run_id: 'run-1', line: 'Rows: 4' });
  s = reduce(s, { kind: 'run_finished', run_id: 'run-1', outcome: 'failed', exit_code: 1, duration_ms: 1, summary: '', output_truncated: false, error: null });
  s = reduce(s, { kind: 'llm_finished', call_id: 'call-1', input_tokens: 1, output_tokens: 1, duration_ms: 1, first_token_ms: 1, stop_reason: 'stop', error: null });
  assert.deepEqual(s.items.map((i) => i.type), ['step'], 'no run or answer cards');
  const live = s.items[0].step.timeline[0].live;
  assert.deepEqual({ ...live, output: keptLines(live.output) }, { runId: 'run-1', output: [{ stream: 'stdout', text: 'Rows: 4' }], writing: 'Here' });
});

test("another session's messages and runs outside any step are not shown in this one", () => {
  let s = opened();
  s = reduce(s, conv(TWO_TRIES[0], 'session-2'));
  assert.equal(s.items.length, 0);
  // Warming the container runs code in the session with no step running.
  s = reduce(s, { kind: 'run_started', run_id: 'warm', session_id: 'session-1', title: 'Wait for the harness', image: 'i' });
  s = reduce(s, { kind: 'stdout', run_id: 'warm', line: 'x' });
  assert.equal(s.items.length, 0);
  // A quick profile (no session) still gets its card.
  s = reduce(s, { kind: 'run_started', run_id: 'profile', session_id: null, title: 'Quick profile', image: 'i' });
  assert.deepEqual(s.items.map((i) => i.type), ['run']);
});

test('a step the shell says failed ends with its error, and Stop marks it stopping', () => {
  let s = opened();
  s = reduce(s, { kind: 'ui:step_requested' });
  s = reduce(s, conv(TWO_TRIES[0]));
  s = reduce(s, { kind: 'ui:step_stop_requested', stepId: 'step-1' });
  assert.equal(s.items[0].step.stopping, true);
  s = reduce(s, { kind: 'ui:step_failed', stepId: 'step-1', error: { code: 'session.not_saved', title: 'Not saved.', advice: 'Free some space.' } });
  assert.equal(s.runningStep, null);
  assert.equal(s.items[0].step.ended.state, 'failed');
  assert.deepEqual(s.items[0].step.error, { code: 'session.not_saved', title: 'Not saved.', advice: 'Free some space.' });
});

test('closing the session empties the window; Home keeps its list', () => {
  let s = opened(TWO_TRIES);
  s = reduce(s, { kind: 'ui:home_loaded', sessions: [{ id: 'session-1', title: 'Sales', datasets: ['sales.csv'], updated_at: 5, steps: 1 }] });
  s = reduce(s, { kind: 'ui:session_closed' });
  assert.equal(s.session, null);
  assert.deepEqual(s.items, []);
  assert.equal(s.home.sessions[0].title, 'Sales');
});

test('a step waiting for the analysis image says so until its first try', () => {
  let s = opened();
  s = reduce(s, { kind: 'ui:step_requested' });
  s = reduce(s, conv(TWO_TRIES[0]));
  s = reduce(s, { kind: 'image_build_line', image: 'sandpiper-analysis:1', line: 'Step 1/9 : FROM python:3.11-slim' });
  assert.equal(stepStateText(s.items[0].step), 'Getting the analysis tools ready (only the first time; it can take a few minutes)…');
  s = reduce(s, conv(TWO_TRIES[1]));
  assert.equal(stepStateText(s.items[0].step), 'Working on it…');
  // With no step running, a build line changes nothing on screen.
  const idle = opened();
  assert.equal(reduce(idle, { kind: 'image_build_line', image: 'x', line: 'y' }), idle);
});

test("the list's saved title replaces the open session's placeholder", () => {
  let s = reduce(initialState(), { kind: 'ui:session_opened', session: { id: 'session-1', title: 'New analysis', datasets: [] }, replace: false });
  s = reduce(s, { kind: 'ui:home_loaded', sessions: [{ id: 'session-1', title: 'Which region sold most', datasets: [], updated_at: 1, steps: 1 }] });
  assert.equal(s.session.title, 'Which region sold most');
});

test("a step left running when going Home sends nothing to Home, nor into the next session's step", () => {
  let s = opened();
  s = reduce(s, { kind: 'ui:step_requested' });
  s = reduce(s, conv(TWO_TRIES[0]));
  s = reduce(s, conv(TWO_TRIES[1]));
  s = reduce(s, { kind: 'run_started', run_id: 'run-1', session_id: 'session-1', title: 't', image: 'i' });
  s = reduce(s, { kind: 'ui:session_closed' });
  // Its events keep coming while Home shows.
  s = reduce(s, { kind: 'stdout', run_id: 'run-1', line: 'late' });
  s = reduce(s, { kind: 'llm_prompt', call_id: 'call-9', session_id: 'session-1', system: null, prompt: 'p', sample_rows_sent: 0, columns_left_out: 0 });
  s = reduce(s, { kind: 'llm_delta', call_id: 'call-9', text: 'x' });
  s = reduce(s, { kind: 'run_started', run_id: 'run-2', session_id: 'session-1', title: 't', image: 'i' });
  assert.deepEqual(s.items, [], 'Home stays empty');
  // Another session opens and asks: the old run's output does not land in it.
  s = reduce(s, { kind: 'ui:session_opened', session: { id: 'session-2', title: 'B', datasets: [] }, replace: true });
  s = reduce(s, { kind: 'ui:step_requested' });
  s = reduce(s, conv({ ...TWO_TRIES[0], step_id: 'step-b' }, 'session-2'));
  s = reduce(s, conv({ ...TWO_TRIES[1], step_id: 'step-b' }, 'session-2'));
  s = reduce(s, { kind: 'stdout', run_id: 'run-2', line: 'stray' });
  assert.deepEqual(keptLines(s.items[0].step.timeline[0].live.output), []);
});

test('reopening a session whose step still runs here shows it running, and the rest of it arrives live', () => {
  const s0 = opened(TWO_TRIES.slice(0, 3));
  assert.equal(s0.runningStep, 'step-1');
  let s = reduce(s0, { kind: 'run_started', run_id: 'run-1', session_id: 'session-1', title: 't', image: 'i' });
  s = reduce(s, { kind: 'stdout', run_id: 'run-1', line: 'Rows: 4' });
  assert.deepEqual(keptLines(s.items[0].step.timeline[0].live.output), [{ stream: 'stdout', text: 'Rows: 4' }]);
  for (const m of TWO_TRIES.slice(3)) s = reduce(s, conv(m));
  assert.equal(s.runningStep, null);
  assert.equal(opened(TWO_TRIES).runningStep, null, 'a finished conversation has nothing running');
});

test("a package the code wants asks in the running step until it is answered", () => {
  let s = opened();
  s = reduce(s, { kind: 'ui:step_requested' });
  s = reduce(s, conv(TWO_TRIES[0]));
  s = reduce(s, { kind: 'install_question', question_id: 'question-1', session_id: 'session-1', package: 'python-slugify', module: 'slugify' });
  assert.deepEqual(s.items[0].step.installQuestion, { questionId: 'question-1', package: 'python-slugify', module: 'slugify', answering: false });
  s = reduce(s, { kind: 'ui:install_answering', stepId: 'step-1', questionId: 'question-1' });
  assert.equal(s.items[0].step.installQuestion.answering, true, 'the buttons wait for the engine');
  // Another question's answer leaves this one asked.
  s = reduce(s, { kind: 'install_answered', question_id: 'question-9', session_id: 'session-1', allowed: true });
  assert.equal(s.items[0].step.installQuestion.questionId, 'question-1');
  s = reduce(s, { kind: 'install_answered', question_id: 'question-1', session_id: 'session-1', allowed: false });
  assert.equal(s.items[0].step.installQuestion, null);
  // Another session's question never lands in this step.
  s = reduce(s, { kind: 'install_question', question_id: 'question-2', session_id: 'session-2', package: 'six', module: 'six' });
  assert.equal(s.items[0].step.installQuestion, null);
});

test('reopening a session whose step still waits on "Install this package?" asks again, and the answer clears it', () => {
  const waiting = { question_id: 'question-1', session_id: 'session-1', package: 'python-slugify', module: 'slugify' };
  let s = reduce(initialState(), {
    kind: 'ui:session_opened',
    session: { ...SESSION, conversation: TWO_TRIES.slice(0, 3), install_questions: [waiting] },
    replace: true,
  });
  assert.equal(s.runningStep, 'step-1');
  assert.deepEqual(s.items[0].step.installQuestion, { questionId: 'question-1', package: 'python-slugify', module: 'slugify', answering: false });
  s = reduce(s, { kind: 'install_answered', question_id: 'question-1', session_id: 'session-1', allowed: true });
  assert.equal(s.items[0].step.installQuestion, null);
  // A finished conversation has no step to ask in; another session's question is not shown.
  const done = reduce(initialState(), {
    kind: 'ui:session_opened',
    session: { ...SESSION, conversation: TWO_TRIES, install_questions: [waiting] },
    replace: true,
  });
  assert.ok(done.items.every((i) => !i.step.installQuestion));
  const other = reduce(initialState(), {
    kind: 'ui:session_opened',
    session: { ...SESSION, conversation: TWO_TRIES.slice(0, 3), install_questions: [{ ...waiting, session_id: 'session-2' }] },
    replace: true,
  });
  assert.equal(other.items[0].step.installQuestion, null);
});

test("a reopened session shows each dataset's kept profile first, finished, nothing run", () => {
  const profile = {
    file_name: 'regions.xlsx', rows: 12, columns: [{ name: 'Store', kind: 'text' }, { name: 'Units', kind: 'integer' }],
    sheets: ['Summary', 'Detail'], sheet: 'Detail', header_row: 3, first_rows: [['S01', '10']],
  };
  const datasets = [
    { name: 'regions.xlsx', path: '/d/regions.xlsx', profile },
    { name: 'sales.csv', path: '/d/sales.csv' },
    // Not a profile: ignored rather than drawn as an empty card.
    { name: 'broken.csv', path: '/d/broken.csv', profile: { file_name: 'broken.csv' } },
  ];
  const s = reduce(initialState(), { kind: 'ui:session_opened', session: { id: 'session-1', title: 'R', datasets, conversation: TWO_TRIES }, replace: true }, { now: 5 });
  assert.deepEqual(s.items.map((i) => i.type), ['run', 'step'], 'the profile card, then the conversation');
  const [card] = s.items;
  assert.equal(card.title, 'Quick profile of regions.xlsx');
  assert.equal(card.phase, 'finished');
  assert.equal(card.finished.outcome, 'success');
  assert.deepEqual(card.profiles, [profile]);
  assert.equal(card.sourcePath, '/d/regions.xlsx', 'a sheet chosen on it profiles this file again');
  assert.equal(s.session.datasets[0].profile, undefined, 'the datasets list stays light');
  // A session with no question yet: its profile card alone, and nothing counted as running.
  const fresh = reduce(initialState(), { kind: 'ui:session_opened', session: { id: 'session-2', title: 'R', datasets, conversation: [] }, replace: true });
  assert.deepEqual(fresh.items.map((i) => i.type), ['run']);
  assert.equal(fresh.runningStep, null);
  // Opened again without replacing (a new session of the same window): no card is added.
  const again = reduce(s, { kind: 'ui:session_opened', session: { id: 'session-1', title: 'R', datasets }, replace: false });
  assert.equal(again.items.length, 2);
});
