import { test } from 'node:test';
import { keptLines } from '../output-log.js';
import assert from 'node:assert/strict';
import {
  reduceStep,
  stepsFromMessages,
  appendLiveLine,
  appendWriting,
  startLiveRun,
  currentTry,
  tryStatus,
  tryLabel,
  answerSegments,
  stepUsageText,
  stepStateText,
  visibleTimeline,
  tryFiles,
  canExplain,
  chartsWithData,
} from '../steps.js';
import { describeSent } from '../conversation-text.js';
import { MESSAGE_FIELDS } from '../events.js';

import { TWO_TRIES } from './fixtures.js';

test('the sample conversation has every field the engine sends', () => {
  for (const m of TWO_TRIES) {
    const { type, ...rest } = m;
    assert.deepEqual(Object.keys(rest).sort(), [...MESSAGE_FIELDS[type]].sort(), type);
  }
});

test('a two-try step folds into the question, both tries, the answer and the tokens', () => {
  const [step] = stepsFromMessages(TWO_TRIES);
  assert.equal(step.question, 'Which region sold most?');
  assert.deepEqual(step.datasets, ['sales.csv']);
  const kinds = step.timeline.map((e) => (e.kind === 'try' ? `try ${e.number}` : e.text));
  assert.deepEqual(kinds, ['try 1', 'Running the code…', 'try 2']);
  const [first, , second] = step.timeline;
  assert.equal(tryLabel(first), 'Try 1 of 5');
  const failed = tryStatus(first, true);
  assert.equal(failed.label, 'Failed');
  assert.equal(failed.reason, "The code stopped with an error. NameError: name 'totals' is not defined (line 1)");
  assert.equal(tryStatus(second, true).label, 'Worked');
  assert.equal(second.code, "print('South', 250)");
  assert.equal(second.artifacts[0].name, 'chart.png');
  assert.equal(step.answer.text, 'South sold 250, about 40 % of all.');
  assert.deepEqual(step.answer.segments, [
    { text: 'South sold 250, about ', ungrounded: false },
    { text: '40 %', ungrounded: true },
    { text: ' of all.', ungrounded: false },
  ]);
  assert.equal(stepStateText(step), 'Answered');
  assert.equal(stepUsageText(step.ended), '2 tries · 1,234 tokens in · 56 out · 4.2 s');
});

test('each try keeps what its model call was sent, and says how much of the data went', () => {
  const [step] = stepsFromMessages(TWO_TRIES);
  const [first, , second] = step.timeline;
  assert.deepEqual(first.sent, {
    system: 'You write Python.',
    prompt: 'Columns: region, sales\nQuestion: Which region sold most?',
    sampleRowsSent: 3,
    columnsLeftOut: 0,
  });
  const { note, text } = describeSent(first.sent);
  assert.match(note, /3 sample rows, never the file/);
  assert.equal(text, 'Instructions:\nYou write Python.\n\nMessage:\nColumns: region, sales\nQuestion: Which region sold most?');
  // Saved before it was recorded: nothing to show, rather than a wrong claim.
  assert.equal(second.sent, null);
});

test('only an answered step can be explained', () => {
  const [step] = stepsFromMessages(TWO_TRIES);
  assert.equal(canExplain(step), true);
  assert.equal(canExplain({ ...step, ended: null }), false, 'not while it runs');
  assert.equal(canExplain({ ...step, answer: null }), false, 'not a give-up or an error');
  assert.equal(canExplain(null), false);
});

test("the answer's charts show under the answer, not again in their try", () => {
  const [step] = stepsFromMessages(TWO_TRIES);
  const second = step.timeline[2];
  const chart = second.artifacts[0];
  const table = { ...chart, name: 'totals.csv', path: '/s/artifacts/step-1/try-2/totals.csv', mime: 'text/csv' };
  const t = { ...second, artifacts: [chart, table] };
  assert.deepEqual(tryFiles(t, null), [chart, table], 'before the answer, the try shows them all');
  assert.deepEqual(tryFiles(t, { ...step.answer, artifacts: [chart] }), [table]);
});

test('a running try shows the model writing, then its output line by line', () => {
  let step = null;
  for (const m of TWO_TRIES.slice(0, 2)) step = reduceStep(step, m);
  assert.equal(tryStatus(currentTry(step), false).label, 'Writing the code…');
  step = appendWriting(step, 'call-1', 'Here is ');
  step = appendWriting(step, 'other-call', 'ignored');
  step = appendWriting(step, 'call-1', 'the script');
  assert.equal(currentTry(step).live.writing, 'Here is the script');
  step = reduceStep(step, TWO_TRIES[2]);
  step = startLiveRun(step, 'run-1');
  step = appendLiveLine(step, 'stdout', 'Rows: 4');
  step = appendLiveLine(step, 'stderr', 'Traceback');
  assert.equal(tryStatus(currentTry(step), false).label, 'Running the code…');
  const live = currentTry(step).live;
  assert.equal(live.runId, 'run-1');
  assert.equal(live.writing, 'Here is the script');
  assert.deepEqual(keptLines(live.output), [
    { stream: 'stdout', text: 'Rows: 4' },
    { stream: 'stderr', text: 'Traceback' },
  ]);
  assert.equal(stepStateText(step), 'Working on it…');
  // Once the step is over nothing is running any more.
  for (const m of TWO_TRIES.slice(3)) step = reduceStep(step, m);
  assert.equal(currentTry(step), null);
  assert.equal(appendLiveLine(step, 'stdout', 'late'), step);
});

test('a give-up, an error and an interrupted step say so', () => {
  const gaveUp = stepsFromMessages([
    { type: 'question', step_id: 'a', text: 'Q', datasets: [], at: 1 },
    { type: 'gave_up', step_id: 'a', tries: [{ try_number: 1, reason: 'No code.' }], suggestion: 'Ask for one column.', at: 2 },
    { type: 'step_ended', step_id: 'a', state: 'gave_up', tries: 5, input_tokens: 1, output_tokens: 1, duration_ms: 0, at: 3 },
    { type: 'question', step_id: 'b', text: 'Q2', datasets: [], at: 4 },
    { type: 'error', step_id: 'b', error: { code: 'llm.missing_key', title: 'No key.', advice: 'Add one.' }, at: 5 },
    { type: 'step_ended', step_id: 'b', state: 'failed', tries: 0, input_tokens: 0, output_tokens: 0, duration_ms: 0, at: 6 },
    { type: 'question', step_id: 'c', text: 'Q3', datasets: [], at: 7 },
    { type: 'step_ended', step_id: 'c', state: 'interrupted', tries: 0, input_tokens: 0, output_tokens: 0, duration_ms: 0, at: 8 },
  ]);
  assert.equal(gaveUp.length, 3);
  assert.deepEqual(gaveUp[0].gaveUp, { tries: [{ tryNumber: 1, reason: 'No code.' }], suggestion: 'Ask for one column.' });
  assert.equal(stepStateText(gaveUp[0]), 'No answer found');
  assert.deepEqual(gaveUp[1].error, { code: 'llm.missing_key', title: 'No key.', advice: 'Add one.' });
  assert.equal(stepStateText(gaveUp[2]), 'Interrupted: Sandpiper closed while this was running');
});

test('marks use UTF-8 byte offsets and ignore offsets that do not fit', () => {
  const text = 'Süd: 1.234 €';
  // "1.234" starts after "Süd: " = 6 bytes (ü is two).
  assert.deepEqual(answerSegments(text, [{ text: '1.234', start: 6, end: 11 }]), [
    { text: 'Süd: ', ungrounded: false },
    { text: '1.234', ungrounded: true },
    { text: ' €', ungrounded: false },
  ]);
  assert.deepEqual(answerSegments(text, [{ text: '999', start: 6, end: 9 }, { text: 'x', start: 40, end: 41 }]), [
    { text, ungrounded: false },
  ]);
});

test('messages of another step or of unknown types change nothing', () => {
  const [step] = stepsFromMessages(TWO_TRIES.slice(0, 1));
  assert.equal(reduceStep(step, { ...TWO_TRIES[3], step_id: 'other' }), step);
  assert.equal(reduceStep(step, { type: 'future_kind', step_id: step.stepId }), step);
  assert.equal(reduceStep(step, null), step);
});

test('progress notices show only while they are what happens now; telling ones stay', () => {
  let step = null;
  for (const m of TWO_TRIES.slice(0, 4)) step = reduceStep(step, m);
  const shown = (st) => visibleTimeline(st).map((e) => (e.kind === 'notice' ? e.text : `try ${e.number}`));
  // Running: try 1 itself says "Running the code…"; the notice would repeat it.
  assert.deepEqual(shown(step), ['try 1']);
  // After the working try, "Writing the answer…" is what happens now.
  let answering = step;
  for (const m of TWO_TRIES.slice(4, 8)) answering = reduceStep(answering, m);
  answering = reduceStep(answering, { type: 'notice', step_id: 'step-1', text: 'Writing the answer…', at: 9 });
  assert.deepEqual(shown(answering), ['try 1', 'try 2', 'Writing the answer…']);
  step = reduceStep(step, { type: 'notice', step_id: 'step-1', text: 'Trying another way: reading the file as Latin-1.', at: 5 });
  for (const m of TWO_TRIES.slice(4)) step = reduceStep(step, m);
  assert.deepEqual(visibleTimeline(step).map((e) => e.kind === 'notice' ? e.text : `try ${e.number}`), [
    'try 1',
    'Trying another way: reading the file as Latin-1.',
    'try 2',
  ]);
});

test("an answer's follow-up questions are kept for one-click asking, and only well-formed ones", () => {
  const [step] = stepsFromMessages(TWO_TRIES);
  assert.deepEqual(step.answer.followUps, ['Which month sold the most?', 'How does North compare?']);
  const answer = TWO_TRIES.find((m) => m.type === 'answer');
  const odd = { ...answer, follow_ups: ['  Per store?  ', '', 7, null, 'A', 'B', 'C'] };
  const [again] = stepsFromMessages([...TWO_TRIES.filter((m) => m.type !== 'answer'), odd]);
  assert.deepEqual(again.answer.followUps, ['Per store?', 'A', 'B'], 'trimmed, blanks and non-text dropped, at most three');
  // Saved before follow-ups existed: none.
  const { follow_ups: _, ...old } = answer;
  const [before] = stepsFromMessages([...TWO_TRIES.filter((m) => m.type !== 'answer'), old]);
  assert.deepEqual(before.answer.followUps, []);
});

test('a chart is paired with the table saved next to it under the same name; other files stay as they were', () => {
  const file = (name, mime) => ({ name, path: `/s/a/${name}`, mime, sizeBytes: 1 });
  const chart = file('sales_by_region.png', 'image/png');
  const data = file('sales_by_region.csv', 'text/csv');
  const other = file('notes.txt', 'text/plain');
  const lone = file('lonely.csv', 'text/csv');
  const pie = file('share.svg', 'image/svg+xml');
  const got = chartsWithData([data, chart, other, lone, pie]);
  assert.deepEqual(got, [{ ...chart, data }, other, lone, pie], 'the CSV goes with its chart, not listed twice');
  assert.deepEqual(chartsWithData([lone, other]), [lone, other]);
  assert.deepEqual(chartsWithData(undefined), []);
});

test("a try of the analyst's own code says so in its label", () => {
  const [step] = stepsFromMessages([
    { type: 'question', step_id: 's', text: 'q', datasets: [], at: 1 },
    { type: 'try_started', step_id: 's', try_number: 1, max_tries: 5, call_id: 'c', provider: 'openai', model: 'm', sent: null, by_analyst: true, at: 2 },
    { type: 'try_started', step_id: 's', try_number: 2, max_tries: 5, call_id: 'd', provider: 'openai', model: 'm', sent: null, at: 3 },
  ]);
  const [mine, fix] = step.timeline;
  assert.equal(tryLabel(mine), 'Try 1 of 5 · your code');
  assert.equal(tryLabel(fix), 'Try 2 of 5', "the model's fix is the model's");
});
