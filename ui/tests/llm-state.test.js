// The conversation's model calls, from engine events: a question, the reply as it
// streams, retries, errors in plain words, tokens per call and per session, and
// "What was sent" exactly as the engine sent it.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { initialState, reduce, findAnswer, loadedDatasets } from '../state.js';
import { callUsageText, sessionUsageText, describeSent } from '../conversation-text.js';
import { SAMPLES, started, finished } from './fixtures.js';

const run = (events, ctx) => events.reduce((s, e) => reduce(s, e, ctx), initialState());
const delta = (call_id, text) => ({ kind: 'llm_delta', call_id, text });
const llmFinished = (call_id, extra = {}) => ({ ...SAMPLES.llm_finished, call_id, ...extra });
const usage = (calls, input_tokens, output_tokens, extra = {}) => ({
  ...SAMPLES.session_usage,
  calls,
  input_tokens,
  output_tokens,
  ...extra,
});

test('a question, then the reply streaming into one answer card', () => {
  const s = run([
    { kind: 'ui:ask_requested', requestId: 1, question: '  How many rows?  ' },
    SAMPLES.llm_prompt,
    SAMPLES.llm_started,
    delta('call-1', 'There are '),
    delta('call-1', '10 rows.'),
  ]);
  assert.deepEqual(s.items.map((i) => i.type), ['question', 'answer']);
  assert.equal(s.items[0].text, 'How many rows?');
  assert.equal(s.asking, 1);
  const a = findAnswer(s, 'call-1');
  assert.equal(a.text, 'There are 10 rows.');
  assert.equal(a.phase, 'streaming');
  assert.equal(a.model, 'claude-sonnet-4-5');
  assert.equal(a.provider, 'anthropic');
});

test('llm_finished records the call\'s tokens and timing, and later deltas are ignored', () => {
  const s = run([SAMPLES.llm_started, delta('call-1', 'Done.'), SAMPLES.llm_finished, delta('call-1', ' late')]);
  const a = findAnswer(s, 'call-1');
  assert.equal(a.phase, 'finished');
  assert.equal(a.text, 'Done.');
  assert.deepEqual(a.usage, { inputTokens: 812, outputTokens: 95 });
  assert.equal(callUsageText(a), '812 tokens in · 95 out · 2.1 s');
  // exactly one llm_finished counts
  const again = reduce(s, llmFinished('call-1', { input_tokens: 1 }));
  assert.equal(again, s);
});

test('a server that gives no counts is said plainly, not shown as zero', () => {
  const s = run([SAMPLES.llm_started, llmFinished('call-1', { input_tokens: null, output_tokens: null, duration_ms: 900 })]);
  assert.equal(callUsageText(findAnswer(s, 'call-1')), 'The server did not say how many tokens this used · 0.9 s');
});

test('the session total follows session_usage, and a late older total never shrinks it', () => {
  let s = run([usage(1, 812, 95)]);
  assert.deepEqual(s.usage, { sessionId: 'session-1', inputTokens: 812, outputTokens: 95, calls: 1, callsWithoutCounts: 0 });
  assert.equal(sessionUsageText(s.usage), 'This conversation: 812 tokens in · 95 out (1 model call)');
  s = reduce(s, usage(2, 1212, 100));
  assert.equal(sessionUsageText(s.usage), 'This conversation: 1,212 tokens in · 100 out (2 model calls)');
  assert.equal(reduce(s, usage(1, 812, 95)), s);
  s = reduce(s, usage(3, 1212, 100, { calls_without_counts: 1 }));
  assert.match(sessionUsageText(s.usage), /3 model calls\); 1 without counts from the server$/);
  assert.equal(sessionUsageText(null), '');
});

test('retrying is shown while the provider is busy and cleared when the reply comes', () => {
  let s = run([SAMPLES.llm_started, SAMPLES.llm_retrying], { now: 5 });
  const a = findAnswer(s, 'call-1');
  assert.deepEqual(a.retrying, {
    attempt: 1,
    maxAttempts: 4,
    waitMs: 2000,
    reason: 'Claude (Anthropic) is overloaded right now.',
    since: 5,
  });
  s = reduce(s, delta('call-1', 'Hi'));
  assert.equal(findAnswer(s, 'call-1').retrying, null);
});

test('a failed call keeps its plain-words error and the text that came before it', () => {
  const error = { code: 'llm.invalid_key', title: 'Claude (Anthropic) refused the API key.', advice: 'Check the key in Settings.' };
  const s = run([SAMPLES.llm_started, delta('call-1', 'Part'), llmFinished('call-1', { input_tokens: null, output_tokens: null, error })]);
  const a = findAnswer(s, 'call-1');
  assert.deepEqual(a.error, error);
  assert.equal(a.text, 'Part');
  assert.equal(callUsageText(a), '');
});

test('"What was sent" is the prompt exactly as the engine sent it', () => {
  const s = run([SAMPLES.llm_prompt]);
  const a = findAnswer(s, 'call-1');
  assert.deepEqual(a.sent, {
    system: 'You are Sandpiper.',
    prompt: SAMPLES.llm_prompt.prompt,
    sampleRowsSent: 5,
    columnsLeftOut: 0,
  });
  const { note, text } = describeSent(a.sent);
  assert.equal(text, `Instructions:\nYou are Sandpiper.\n\nMessage:\n${SAMPLES.llm_prompt.prompt}`);
  assert.match(note, /5 sample rows, never the file/);
  assert.match(describeSent({ ...a.sent, sampleRowsSent: 0 }).note, /no rows, never the file/);
});

test('the ask command\'s end or failure frees the question box; a failure is a card', () => {
  let s = run([{ kind: 'ui:ask_requested', requestId: 7, question: 'Why?' }]);
  assert.equal(reduce(s, { kind: 'ui:ask_done', requestId: 7 }).asking, null);
  s = reduce(s, { kind: 'ui:ask_failed', requestId: 7, error: { title: 'Sandpiper has no API key for Google Gemini.', advice: 'Add one in Settings.' } });
  assert.equal(s.asking, null);
  const card = s.items.at(-1);
  assert.equal(card.type, 'error');
  assert.equal(card.title, 'Sandpiper has no API key for Google Gemini.');
  assert.equal(card.context, 'Your question was not sent.');
  // an empty question is not asked
  assert.equal(reduce(initialState(), { kind: 'ui:ask_requested', requestId: 1, question: '   ' }).items.length, 0);
});

test('stopping an answer marks it until its llm_finished arrives', () => {
  let s = run([SAMPLES.llm_started, { kind: 'ui:answer_stop_requested', callId: 'call-1' }]);
  assert.equal(findAnswer(s, 'call-1').stopping, true);
  s = reduce(s, llmFinished('call-1', { error: { title: 'Stopped.', advice: '' } }));
  assert.equal(findAnswer(s, 'call-1').stopping, false);
});

test('questions are about the files that profiled fine, each once', () => {
  const s = run([
    { kind: 'ui:open_requested', requestId: 1, path: '/d/sales.csv' },
    { kind: 'ui:open_started', requestId: 1, runId: 'a' },
    started('a'),
    finished('a'),
    { kind: 'ui:open_requested', requestId: 2, path: '/d/broken.csv' },
    { kind: 'ui:open_started', requestId: 2, runId: 'b' },
    finished('b', 'failed'),
    { kind: 'ui:open_requested', requestId: 3, path: '/d/sales.csv' },
    { kind: 'ui:open_started', requestId: 3, runId: 'c' },
    finished('c'),
  ]);
  assert.deepEqual(loadedDatasets(s), ['/d/sales.csv']);
});
