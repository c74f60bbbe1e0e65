// The session's token total (from `session_usage`) and the "What was sent"
// words the step cards use.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { initialState, reduce } from '../state.js';
import { sessionUsageText, describeSent } from '../conversation-text.js';
import { SAMPLES } from './fixtures.js';

const run = (events, ctx) => events.reduce((s, e) => reduce(s, e, ctx), initialState());
const usage = (calls, input_tokens, output_tokens, extra = {}) => ({
  ...SAMPLES.session_usage,
  calls,
  input_tokens,
  output_tokens,
  ...extra,
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

test('"What was sent" is the prompt exactly as the engine sent it', () => {
  const sent = { system: 'You are Sandpiper.', prompt: SAMPLES.llm_prompt.prompt, sampleRowsSent: 5, columnsLeftOut: 0 };
  const { note, text } = describeSent(sent);
  assert.equal(text, `Instructions:\nYou are Sandpiper.\n\nMessage:\n${SAMPLES.llm_prompt.prompt}`);
  assert.match(note, /5 sample rows, never the file/);
  assert.match(describeSent({ ...sent, sampleRowsSent: 0 }).note, /no rows, never the file/);
  assert.match(describeSent({ ...sent, columnsLeftOut: 40 }).note, /40 columns were only counted/);
});

test('model calls outside any step of an open session make no cards (the old ask chat is gone)', () => {
  const s = run([SAMPLES.llm_prompt, SAMPLES.llm_started, { kind: 'llm_delta', call_id: 'call-1', text: 'Hi' }, SAMPLES.llm_finished]);
  assert.deepEqual(s.items, []);
});
