// The settings dialog (<dialog id="settings-dialog">): loads with get_settings,
// validates in plain words, saves with save_settings, shows failures inline.

import { toForm, fromForm, SANDBOX_DEFAULTS } from '../settings-form.js';
import { toUserError } from '../errors.js';
import { setText, show } from './dom.js';

const FIELDS = [
  { name: 'image', input: 'set-image', error: 'set-image-error' },
  { name: 'memoryMib', input: 'set-memory', error: 'set-memory-error' },
  { name: 'cpuPercent', input: 'set-cpu', error: 'set-cpu-error' },
  { name: 'timeoutSecs', input: 'set-timeout', error: 'set-timeout-error' },
];

/** backend: { getSettings, saveSettings }; onSaved(settings) after a successful save. */
export function createSettingsDialog({ dialog, backend, onSaved }) {
  const form = dialog.querySelector('#settings-form');
  const fields = dialog.querySelector('#settings-fields');
  const loading = dialog.querySelector('#settings-loading');
  const errorBox = dialog.querySelector('#settings-error');
  const saveBtn = dialog.querySelector('[data-action="save"]');
  const defaultsBtn = dialog.querySelector('[data-action="defaults"]');
  const cpuHint = dialog.querySelector('#set-cpu-hint');
  const byName = Object.fromEntries(
    FIELDS.map((f) => [f.name, { input: dialog.querySelector(`#${f.input}`), error: dialog.querySelector(`#${f.error}`) }]),
  );

  let loaded = null;
  let busy = false;
  let generation = 0;

  for (const btn of dialog.querySelectorAll('[data-action="close"]')) {
    btn.addEventListener('click', () => dialog.close());
  }
  defaultsBtn.addEventListener('click', () => {
    fill(toForm({ sandbox: SANDBOX_DEFAULTS }));
    clearFieldErrors();
    byName.image.input.focus();
  });
  byName.cpuPercent.input.addEventListener('input', updateCpuHint);
  for (const f of Object.values(byName)) {
    f.input.addEventListener('input', () => setFieldError(f, null));
  }
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    save();
  });

  async function open() {
    const mine = ++generation;
    loaded = null;
    clearFieldErrors();
    showFormError(null);
    setLoading(true);
    if (!dialog.open) dialog.showModal();
    try {
      const settings = backend ? await backend.getSettings() : null;
      if (mine !== generation) return;
      loaded = settings && typeof settings === 'object' ? settings : {};
      fill(toForm(loaded));
      setLoading(false);
      byName.image.input.focus();
    } catch (err) {
      if (mine !== generation) return;
      setLoading(false);
      fields.disabled = true;
      saveBtn.disabled = true;
      defaultsBtn.disabled = true;
      showFormError(toUserError(err, 'Could not load the settings'));
    }
  }

  async function save() {
    if (busy || !loaded) return;
    showFormError(null);
    updateCpuHint();
    const values = Object.fromEntries(FIELDS.map((f) => [f.name, byName[f.name].input.value]));
    const { settings, errors } = fromForm(loaded, values);
    clearFieldErrors();
    if (!settings) {
      let first = null;
      for (const f of FIELDS) {
        if (errors[f.name]) {
          setFieldError(byName[f.name], errors[f.name]);
          first = first || byName[f.name].input;
        }
      }
      if (first) first.focus();
      return;
    }
    setBusy(true);
    try {
      const saved = await backend.saveSettings(settings);
      loaded = saved && typeof saved === 'object' ? saved : settings;
      setBusy(false);
      dialog.close();
      onSaved(loaded);
    } catch (err) {
      setBusy(false);
      showFormError(toUserError(err, 'Could not save the settings'));
    }
  }

  function fill(values) {
    for (const f of FIELDS) byName[f.name].input.value = values[f.name];
    updateCpuHint();
  }

  function updateCpuHint() {
    const pct = Number(byName.cpuPercent.input.value);
    let text = '100% is one full core.';
    if (Number.isFinite(pct) && pct > 0) {
      if (pct === 100) text = 'One full core.';
      else if (pct === 50) text = 'Half of one core.';
      else if (pct < 100) text = `${pct}% of one core. 100% is one full core.`;
      else text = `${Math.round(pct) / 100} cores.`;
    }
    setText(cpuHint, text);
  }

  function setLoading(on) {
    show(loading, on);
    fields.disabled = on;
    saveBtn.disabled = on;
    defaultsBtn.disabled = on;
  }

  function setBusy(on) {
    busy = on;
    fields.disabled = on;
    saveBtn.disabled = on;
    defaultsBtn.disabled = on;
    setText(saveBtn, on ? 'Saving…' : 'Save');
  }

  function showFormError(err) {
    show(errorBox, Boolean(err));
    if (!err) return;
    setText(errorBox.querySelector('.form-error-title'), err.title);
    const advice = errorBox.querySelector('.form-error-advice');
    setText(advice, err.advice);
    show(advice, Boolean(err.advice));
  }

  function setFieldError(f, message) {
    show(f.error, Boolean(message));
    setText(f.error, message || '');
    if (message) f.input.setAttribute('aria-invalid', 'true');
    else f.input.removeAttribute('aria-invalid');
  }

  function clearFieldErrors() {
    for (const f of Object.values(byName)) setFieldError(f, null);
  }

  return { open };
}
