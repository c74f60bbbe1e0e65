// The "Language model" section of the settings dialog: provider picker, model
// picker filled from the provider's list, server address when it matters, the API
// key (saved to or forgotten from the OS keychain at once, never into Settings),
// sample rows, and "Test connection" with its result in plain words.

import { PROVIDERS, providerInfo, showsBaseUrl, toProviderForm, keyStatusText, modelOptions } from '../provider-form.js';
import { toUserError } from '../errors.js';
import { h, setText, show } from './dom.js';

/** root: the section element; backend: the Tauri backend (or the demo's). */
export function createProviderSection({ root, backend }) {
  const provider = root.querySelector('#set-llm-provider');
  const model = root.querySelector('#set-llm-model');
  const modelHint = root.querySelector('#set-llm-model-hint');
  const baseUrlField = root.querySelector('#set-llm-base-url-field');
  const baseUrl = root.querySelector('#set-llm-base-url');
  const baseUrlError = root.querySelector('#set-llm-base-url-error');
  const key = root.querySelector('#set-llm-key');
  const keyStatus = root.querySelector('#set-llm-key-status');
  const saveKeyBtn = root.querySelector('[data-action="save-key"]');
  const forgetKeyBtn = root.querySelector('[data-action="forget-key"]');
  const sampleRows = root.querySelector('#set-llm-sample-rows');
  const testBtn = root.querySelector('[data-action="test-connection"]');
  const testResult = root.querySelector('#set-llm-test-result');

  provider.replaceChildren(...PROVIDERS.map((p) => h('option', { value: p.id, text: p.name })));

  let savedModel = '';
  // Answers for an earlier provider choice are dropped when they arrive late.
  let generation = 0;

  provider.addEventListener('change', () => {
    baseUrl.value = '';
    savedModel = '';
    providerChanged();
  });
  baseUrl.addEventListener('change', () => loadModels());
  baseUrl.addEventListener('input', () => setBaseUrlError(null));
  saveKeyBtn.addEventListener('click', saveKey);
  forgetKeyBtn.addEventListener('click', forgetKey);
  testBtn.addEventListener('click', testConnection);

  /** Shows the llm section of `settings`. */
  function fill(settings) {
    const form = toProviderForm(settings);
    provider.value = form.llmProvider;
    baseUrl.value = form.llmBaseUrl;
    savedModel = form.llmModel;
    sampleRows.checked = form.llmSendSampleRows;
    providerChanged();
  }

  function providerChanged() {
    generation += 1;
    const id = provider.value;
    const info = providerInfo(id);
    show(baseUrlField, showsBaseUrl(id));
    baseUrl.placeholder = info.defaultBaseUrl || 'http://localhost:8000/v1';
    setBaseUrlError(null);
    key.value = '';
    show(testResult, false);
    setModels([], null);
    refreshKeyStatus();
    loadModels();
  }

  function setModels(models, defaultModel) {
    const options = modelOptions(models, defaultModel, savedModel);
    model.replaceChildren(...options.map((o) => h('option', { value: o.value, text: o.label })));
    model.value = savedModel;
  }

  async function loadModels() {
    if (!backend || !backend.listModels) return;
    const mine = generation;
    setText(modelHint, 'Loading the models…');
    try {
      const list = await backend.listModels(provider.value, currentBaseUrl());
      if (mine !== generation) return;
      setModels(list.models, list.default_model);
      setText(modelHint, list.models.length ? '' : 'The provider lists no models.');
    } catch (err) {
      if (mine !== generation) return;
      const e = toUserError(err, 'Could not list the models');
      setText(modelHint, `Could not list the models: ${e.title}`);
    }
  }

  async function refreshKeyStatus() {
    if (!backend || !backend.apiKeyStatus) return;
    const id = provider.value;
    try {
      showKeyStatus(id, await backend.apiKeyStatus(id));
    } catch (err) {
      if (id === provider.value) setText(keyStatus, toUserError(err).title);
    }
  }

  function showKeyStatus(id, status) {
    if (id !== provider.value) return;
    setText(keyStatus, keyStatusText(id, status));
    forgetKeyBtn.disabled = !(status && status.in_keychain);
  }

  async function saveKey() {
    const id = provider.value;
    if (!key.value.trim()) {
      setText(keyStatus, 'Paste the key first.');
      key.focus();
      return;
    }
    saveKeyBtn.disabled = true;
    try {
      showKeyStatus(id, await backend.saveApiKey(id, key.value));
      key.value = '';
      loadModels();
    } catch (err) {
      const e = toUserError(err, 'Could not save the key');
      setText(keyStatus, `${e.title} ${e.advice}`.trim());
    } finally {
      saveKeyBtn.disabled = false;
    }
  }

  async function forgetKey() {
    const id = provider.value;
    try {
      showKeyStatus(id, await backend.forgetApiKey(id));
    } catch (err) {
      const e = toUserError(err, 'Could not remove the key');
      setText(keyStatus, `${e.title} ${e.advice}`.trim());
    }
  }

  async function testConnection() {
    const mine = generation;
    testBtn.disabled = true;
    setText(testBtn, 'Testing…');
    show(testResult, false);
    try {
      const result = await backend.testConnection(provider.value, currentBaseUrl(), model.value);
      if (mine !== generation) return;
      showResult('success', result.message);
      setModels(result.models, result.model);
    } catch (err) {
      if (mine !== generation) return;
      const e = toUserError(err, 'The connection test failed');
      showResult('danger', `${e.title} ${e.advice}`.trim());
    } finally {
      testBtn.disabled = false;
      setText(testBtn, 'Test connection');
    }
  }

  function showResult(tone, text) {
    testResult.className = `test-result tone-text-${tone}`;
    setText(testResult, text);
    show(testResult, true);
  }

  function currentBaseUrl() {
    return showsBaseUrl(provider.value) ? baseUrl.value.trim() : '';
  }

  function setBaseUrlError(message) {
    show(baseUrlError, Boolean(message));
    setText(baseUrlError, message || '');
    if (message) baseUrl.setAttribute('aria-invalid', 'true');
    else baseUrl.removeAttribute('aria-invalid');
  }

  /** The section's values, for fromProviderForm. */
  function values() {
    return {
      llmProvider: provider.value,
      llmModel: model.value,
      llmBaseUrl: baseUrl.value,
      llmSendSampleRows: sampleRows.checked,
    };
  }

  /** Shows `errors` from fromProviderForm; returns the first field to focus, or null. */
  function showErrors(errors) {
    setBaseUrlError(errors.llmBaseUrl || null);
    return errors.llmBaseUrl ? baseUrl : null;
  }

  return { fill, values, showErrors };
}
