// The settings dialog (<dialog id="settings-dialog">): loads with get_settings,
// validates in plain words, saves with save_settings, shows failures inline. The
// "Language model" and "Packages" sections live in provider-section.js and
// packages-section.js.

import { toForm, fromForm, usesTls, SANDBOX_DEFAULTS } from '../settings-form.js';
import { toUserError } from '../errors.js';
import { setText, show } from './dom.js';
import { openModal } from './modal.js';
import { createProviderSection } from './provider-section.js';
import { createPackagesSection } from './packages-section.js';
import { fromProviderForm } from '../provider-form.js';
import { themeOf, withTheme, applyTheme } from '../theme.js';

const FIELDS = [
  { name: 'image', input: 'set-image', error: 'set-image-error' },
  { name: 'memoryMib', input: 'set-memory', error: 'set-memory-error' },
  { name: 'cpuPercent', input: 'set-cpu', error: 'set-cpu-error' },
  { name: 'timeoutSecs', input: 'set-timeout', error: 'set-timeout-error' },
  // In the collapsed "Advanced: Docker" section.
  { name: 'dockerEndpoint', input: 'set-docker-endpoint', error: 'set-docker-endpoint-error', advanced: true },
  { name: 'dockerCertDir', input: 'set-docker-certs', error: 'set-docker-certs-error', advanced: true },
];

const CERT_HINT_TLS =
  'The folder with the server\'s ca.pem, cert.pem and key.pem (the one DOCKER_CERT_PATH names). Leave empty if the server needs no certificates.';
const CERT_HINT_OFF = 'Only for a tcp:// or https:// address: the folder with the server\'s ca.pem, cert.pem and key.pem.';

/**
 * backend: { getSettings, saveSettings }; onSaved(saved, previous) after a
 * successful save, with the settings as saved and as they were loaded.
 */
export function createSettingsDialog({ dialog, backend, onSaved }) {
  const form = dialog.querySelector('#settings-form');
  const fields = dialog.querySelector('#settings-fields');
  const loading = dialog.querySelector('#settings-loading');
  const errorBox = dialog.querySelector('#settings-error');
  const saveBtn = dialog.querySelector('[data-action="save"]');
  const defaultsBtn = dialog.querySelector('[data-action="defaults"]');
  const cpuHint = dialog.querySelector('#set-cpu-hint');
  const advanced = dialog.querySelector('#settings-docker');
  const dockerStatus = dialog.querySelector('#set-docker-status');
  const certHint = dialog.querySelector('#set-docker-certs-hint');
  const byName = Object.fromEntries(
    FIELDS.map((f) => [f.name, { input: dialog.querySelector(`#${f.input}`), error: dialog.querySelector(`#${f.error}`) }]),
  );

  const providerSection = createProviderSection({ root: dialog.querySelector('#settings-provider'), backend });
  const packagesSection = createPackagesSection({
    root: dialog.querySelector('#settings-packages'),
    backend,
    onError: (err) => showFormError(err),
  });

  let loaded = null;
  let busy = false;
  let generation = 0;

  for (const btn of dialog.querySelectorAll('[data-action="close"]')) {
    btn.addEventListener('click', () => dialog.close());
  }
  // Appearance: a theme shows as soon as it is picked; closing without saving
  // puts the saved one back.
  const themeInputs = [...dialog.querySelectorAll('input[name="theme"]')];
  const pickedTheme = () => (themeInputs.find((i) => i.checked) || { value: 'system' }).value;
  for (const input of themeInputs) {
    input.addEventListener('change', () => applyTheme(document.documentElement, pickedTheme()));
  }
  dialog.addEventListener('close', () => {
    if (loaded) applyTheme(document.documentElement, themeOf(loaded));
  });
  // Restores the sandbox limits only: a Docker address is where Docker is, not a
  // limit, and clearing it here would silently disconnect a team server. The same
  // goes for the packages' proxy, certificates and network.
  defaultsBtn.addEventListener('click', () => {
    const defaults = toForm({ sandbox: SANDBOX_DEFAULTS });
    for (const f of FIELDS) {
      if (f.advanced) continue;
      byName[f.name].input.value = defaults[f.name];
      setFieldError(byName[f.name], null);
    }
    updateCpuHint();
    byName.image.input.focus();
  });
  byName.cpuPercent.input.addEventListener('input', updateCpuHint);
  byName.dockerEndpoint.input.addEventListener('input', updateDockerFields);
  // Opening the section brings it into view; when it opened to show a field error,
  // that field stays in view instead.
  advanced.addEventListener('toggle', () => {
    if (!advanced.open) return;
    const focused = document.activeElement;
    const field = focused && focused.tagName === 'INPUT' && advanced.contains(focused) ? focused.closest('.field') : null;
    (field || advanced).scrollIntoView({ block: 'nearest' });
  });
  for (const f of Object.values(byName)) {
    f.input.addEventListener('input', () => setFieldError(f, null));
  }
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    save();
  });

  // Where "Open Settings" on an error takes the analyst.
  const SECTIONS = {
    model: 'settings-provider',
    packages: 'settings-packages',
    appearance: 'settings-appearance',
    docker: 'settings-docker',
  };

  /** Opens the dialog; `section` ('model', 'packages', 'appearance', 'docker') is shown first. */
  async function open(section) {
    const mine = ++generation;
    loaded = null;
    advanced.open = false;
    clearFieldErrors();
    showFormError(null);
    setLoading(true);
    openModal(dialog);
    try {
      const settings = backend ? await backend.getSettings() : null;
      if (mine !== generation) return;
      loaded = settings && typeof settings === 'object' ? settings : {};
      fill(toForm(loaded));
      providerSection.fill(loaded);
      packagesSection.fill(loaded);
      for (const input of themeInputs) input.checked = input.value === themeOf(loaded);
      setLoading(false);
      const target = SECTIONS[section] ? dialog.querySelector(`#${SECTIONS[section]}`) : null;
      if (target) {
        if (target.tagName === 'DETAILS') target.open = true;
        target.scrollIntoView({ block: 'start' });
        const first = target.querySelector('input, select, button');
        (first || byName.image.input).focus();
      } else {
        byName.image.input.focus();
      }
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
    const values = {
      ...Object.fromEntries(FIELDS.map((f) => [f.name, byName[f.name].input.value])),
      ...packagesSection.values(),
    };
    const sandbox = fromForm(loaded, values);
    const withModel = sandbox.settings ? fromProviderForm(sandbox.settings, providerSection.values()) : null;
    const settings = withModel ? withTheme(withModel.settings, pickedTheme()) : null;
    const errors = sandbox.errors;
    clearFieldErrors();
    const providerField = providerSection.showErrors(withModel ? withModel.errors : {});
    if (providerField && !settings && Object.keys(errors).length === 0) {
      providerField.focus();
      return;
    }
    if (!settings) {
      let first = null;
      for (const f of FIELDS) {
        if (errors[f.name]) {
          setFieldError(byName[f.name], errors[f.name]);
          if (f.advanced) advanced.open = true;
          first = first || byName[f.name].input;
        }
      }
      if (first) first.focus();
      return;
    }
    setBusy(true);
    const previous = loaded;
    try {
      const saved = await backend.saveSettings(settings);
      loaded = saved && typeof saved === 'object' ? saved : settings;
      setBusy(false);
      dialog.close();
      onSaved(loaded, previous);
    } catch (err) {
      // Refused (the engine says why in plain words) or not written: the dialog
      // stays open with everything the user entered.
      setBusy(false);
      showFormError(toUserError(err, 'Could not save the settings'));
    }
  }

  function fill(values) {
    for (const f of FIELDS) byName[f.name].input.value = values[f.name];
    updateCpuHint();
    updateDockerFields();
  }

  /** The summary shows where Docker is; the certificate folder only counts with TLS. */
  function updateDockerFields() {
    const endpoint = byName.dockerEndpoint.input.value.trim();
    setText(dockerStatus, endpoint || 'Automatic');
    dockerStatus.title = endpoint;
    const tls = usesTls(endpoint);
    const cert = byName.dockerCertDir;
    cert.input.disabled = !tls;
    setText(certHint, tls ? CERT_HINT_TLS : CERT_HINT_OFF);
    if (!tls) setFieldError(cert, null);
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
    // "false" only once a load has ended: before the first open the dialog
    // has no aria-busy at all, so waiting for "false" never passes early.
    dialog.setAttribute('aria-busy', String(on));
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
