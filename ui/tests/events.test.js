import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { ENGINE_EVENT, EVENT_FIELDS, EVENT_KINDS, OUTCOMES, ARTIFACT_FIELDS, isKnownEvent } from '../events.js';
import { SAMPLES } from './fixtures.js';

test('the engine event channel is "engine-event"', () => {
  assert.equal(ENGINE_EVENT, 'engine-event');
});

test('EVENT_FIELDS lists exactly the fields of a sample of each kind, in order', () => {
  assert.deepEqual(Object.keys(SAMPLES).sort(), [...EVENT_KINDS].sort());
  for (const [kind, sample] of Object.entries(SAMPLES)) {
    const fields = Object.keys(sample).filter((k) => k !== 'kind');
    assert.deepEqual(fields, EVENT_FIELDS[kind], `fields of ${kind}`);
    assert.ok(isKnownEvent(sample), `${kind} is known`);
  }
});

test('the artifact payload fields match', () => {
  assert.deepEqual(Object.keys(SAMPLES.artifact.artifact), ARTIFACT_FIELDS);
});

test('OUTCOMES are the snake_case variants of Outcome', () => {
  assert.deepEqual(OUTCOMES, ['success', 'failed', 'out_of_memory', 'timed_out', 'cancelled', 'docker_failure']);
});

test('every kind and outcome in events.js appears in src/events.rs and src/run_outcome.rs', () => {
  // A light cross-check from this side; tests/ui_contract.rs does the strict one.
  let rust;
  try {
    rust =
      readFileSync(new URL('../../src/events.rs', import.meta.url), 'utf8') +
      readFileSync(new URL('../../src/run_outcome.rs', import.meta.url), 'utf8');
  } catch {
    return; // ui/ checked out on its own
  }
  const camel = (s) => s.replace(/(^|_)([a-z])/g, (_, __, c) => c.toUpperCase());
  for (const kind of EVENT_KINDS) {
    assert.match(rust, new RegExp(`\\b${camel(kind)}\\s*\\{`), `variant for ${kind}`);
    for (const field of EVENT_FIELDS[kind]) {
      assert.match(rust, new RegExp(`\\b${field}\\s*:`), `field ${field} of ${kind}`);
    }
  }
  for (const outcome of OUTCOMES) {
    assert.match(rust, new RegExp(`\\b${camel(outcome)}\\s*,`), `outcome ${outcome}`);
  }
});

test('isKnownEvent rejects junk and unknown kinds', () => {
  for (const junk of [null, undefined, 'stdout', 42, {}, { kind: 7 }, { kind: 'toString' }, { kind: 'chat_message' }]) {
    assert.equal(isKnownEvent(junk), false, JSON.stringify(junk));
  }
});
