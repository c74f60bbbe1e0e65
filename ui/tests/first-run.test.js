import { test } from 'node:test';
import assert from 'node:assert/strict';
import { firstRunSteps } from '../first-run.js';

const READY = { state: 'ready', title: 'Docker is ready' };
const CLAUDE = { llm: { provider: 'anthropic' } };

test('the guide shows only to someone with no session yet, once that is known', () => {
  assert.equal(firstRunSteps({ dockerStatus: READY, settings: CLAUDE, keyStatus: null, sessions: null }), null);
  assert.equal(firstRunSteps({ dockerStatus: READY, settings: CLAUDE, keyStatus: null, sessions: [{ id: 's' }] }), null);
  assert.equal(firstRunSteps({ dockerStatus: READY, settings: CLAUDE, keyStatus: null, sessions: [] }).length, 3);
});

test('Docker is done once ready; until then the guide says what Docker said', () => {
  const stopped = { state: 'not_running', title: 'Docker is not running.' };
  const [docker] = firstRunSteps({ dockerStatus: stopped, settings: CLAUDE, keyStatus: null, sessions: [] });
  assert.deepEqual([docker.done, docker.detail], [false, 'Docker is not running.']);
  assert.equal(firstRunSteps({ dockerStatus: READY, settings: CLAUDE, keyStatus: null, sessions: [] })[0].done, true);
});

test('a hosted model needs its key; one on this computer needs none', () => {
  const model = (settings, keyStatus) => firstRunSteps({ dockerStatus: READY, settings, keyStatus, sessions: [] })[1];
  const missing = model(CLAUDE, { in_keychain: false, from_environment: null });
  assert.equal(missing.done, false);
  assert.equal(missing.action, 'settings-model');
  assert.match(missing.detail, /Claude \(Anthropic\) API key.*Quick profile needs none/);
  assert.equal(model(CLAUDE, { in_keychain: true, from_environment: null }).done, true);
  assert.equal(model(CLAUDE, { in_keychain: false, from_environment: 'ANTHROPIC_API_KEY' }).done, true);
  const local = model({ llm: { provider: 'ollama' } }, null);
  assert.deepEqual([local.done, local.detail], [true, 'Questions go to Ollama (on this computer).']);
  assert.equal(model(null, null).done, false, 'not before the settings are read');
});
