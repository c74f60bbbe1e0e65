// The settings dialog's "Language model" section: Settings.llm <-> fields, the
// server address check, and the key line (which never shows a key).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PROVIDERS, toProviderForm, fromProviderForm, checkBaseUrl, showsBaseUrl, keyStatusText, modelOptions } from '../provider-form.js';

const loaded = {
  sandbox: { memory_mib: 512 },
  llm: {
    provider: 'ollama',
    model: 'llama3.1',
    base_url: null,
    send_sample_rows: true,
    connect_timeout_secs: 10,
    first_token_timeout_secs: 60,
    total_timeout_secs: 300,
    max_attempts: 4,
  },
};

test('the picker offers the six providers of the engine', () => {
  assert.deepEqual(PROVIDERS.map((p) => p.id), ['anthropic', 'gemini', 'openai', 'openai-compatible', 'ollama', 'lmstudio']);
});

test('llm settings round-trip through the form, keeping time limits and tries', () => {
  const form = toProviderForm(loaded);
  assert.deepEqual(form, { llmProvider: 'ollama', llmModel: 'llama3.1', llmBaseUrl: '', llmSendSampleRows: true });
  const { settings, errors } = fromProviderForm(loaded, form);
  assert.deepEqual(errors, {});
  assert.deepEqual(settings, loaded);
});

test('switching to a cloud provider drops the address and saves the choice', () => {
  const { settings } = fromProviderForm(loaded, {
    llmProvider: 'anthropic',
    llmModel: '',
    llmBaseUrl: 'http://localhost:11434/v1',
    llmSendSampleRows: false,
  });
  assert.equal(settings.llm.provider, 'anthropic');
  assert.equal(settings.llm.model, null);
  assert.equal(settings.llm.base_url, null);
  assert.equal(settings.llm.send_sample_rows, false);
  assert.equal(settings.llm.total_timeout_secs, 300);
});

test('the address is asked for where it matters, and checked in plain words', () => {
  assert.deepEqual(['anthropic', 'gemini', 'openai'].map(showsBaseUrl), [false, false, false]);
  assert.deepEqual(['openai-compatible', 'ollama', 'lmstudio'].map(showsBaseUrl), [true, true, true]);
  assert.match(checkBaseUrl('openai-compatible', '').error, /Enter the server's address, for example http:\/\/localhost:8000\/v1/);
  assert.deepEqual(checkBaseUrl('ollama', ''), { baseUrl: null, error: null });
  assert.match(checkBaseUrl('openai-compatible', 'localhost:8000/v1').error, /Start the address with http:\/\/ or https:\/\/, for example http:\/\/localhost:8000\/v1/);
  assert.deepEqual(checkBaseUrl('openai-compatible', ' http://10.0.0.5:8000/v1 '), { baseUrl: 'http://10.0.0.5:8000/v1', error: null });
  const { settings, errors } = fromProviderForm(loaded, { llmProvider: 'openai-compatible', llmModel: '', llmBaseUrl: '', llmSendSampleRows: true });
  assert.equal(settings, null);
  assert.deepEqual(Object.keys(errors), ['llmBaseUrl']);
});

test('the key line says where the key comes from, never what it is', () => {
  assert.equal(keyStatusText('anthropic', { in_keychain: true, from_environment: null }), "A key is saved in this computer's keychain.");
  assert.equal(keyStatusText('openai', { in_keychain: false, from_environment: 'OPENAI_API_KEY' }), 'Using the key in OPENAI_API_KEY.');
  assert.match(keyStatusText('gemini', { in_keychain: false, from_environment: null }), /^No key yet\. Google Gemini needs one/);
  assert.match(keyStatusText('ollama', null), /usually need no key/);
});

test('the model picker lists the default, the listed models and an unlisted saved one', () => {
  assert.deepEqual(modelOptions([{ id: 'a' }, { id: 'b' }], 'a', 'custom'), [
    { value: '', label: 'Default (a)' },
    { value: 'a', label: 'a' },
    { value: 'b', label: 'b' },
    { value: 'custom', label: 'custom (not listed)' },
  ]);
  assert.deepEqual(modelOptions(null, null, ''), [{ value: '', label: 'Default' }]);
});
