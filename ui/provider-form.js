// The "Language model" section of the settings dialog: Settings.llm (src/settings.rs)
// <-> the fields it shows, and back. Pure; the dialog is view/settings-dialog.js.
// Kept apart from settings-form.js (sandbox and Docker) so each stays small.
//
// The API key is not here on purpose: it goes to the OS keychain through its own
// commands (save_api_key / forget_api_key) and never into Settings.

/** The providers (src/llm/provider_id.rs), in picker order; tests/ui_contract.rs checks the ids. */
export const PROVIDERS = Object.freeze([
  { id: 'anthropic', name: 'Claude (Anthropic)', needsKey: true, keyEnvVar: 'ANTHROPIC_API_KEY', defaultBaseUrl: 'https://api.anthropic.com' },
  { id: 'gemini', name: 'Google Gemini', needsKey: true, keyEnvVar: 'GEMINI_API_KEY', defaultBaseUrl: 'https://generativelanguage.googleapis.com/v1beta' },
  { id: 'openai', name: 'OpenAI', needsKey: true, keyEnvVar: 'OPENAI_API_KEY', defaultBaseUrl: 'https://api.openai.com/v1' },
  { id: 'openai-compatible', name: 'Other OpenAI-compatible server', needsKey: false, keyEnvVar: null, defaultBaseUrl: null },
  { id: 'ollama', name: 'Ollama (on this computer)', needsKey: false, keyEnvVar: null, defaultBaseUrl: 'http://localhost:11434/v1' },
  { id: 'lmstudio', name: 'LM Studio (on this computer)', needsKey: false, keyEnvVar: null, defaultBaseUrl: 'http://localhost:1234/v1' },
]);

export function providerInfo(id) {
  return PROVIDERS.find((p) => p.id === id) || PROVIDERS[0];
}

/** The address field only matters for servers the analyst runs or names. */
export function showsBaseUrl(providerId) {
  return providerInfo(providerId).defaultBaseUrl === null || providerId === 'ollama' || providerId === 'lmstudio';
}

/** Settings JSON -> { llmProvider, llmModel, llmBaseUrl, llmSendSampleRows } for the inputs. */
export function toProviderForm(settings) {
  const llm = (settings && typeof settings.llm === 'object' && settings.llm) || {};
  const provider = PROVIDERS.some((p) => p.id === llm.provider) ? llm.provider : PROVIDERS[0].id;
  return {
    llmProvider: provider,
    llmModel: typeof llm.model === 'string' ? llm.model : '',
    llmBaseUrl: typeof llm.base_url === 'string' ? llm.base_url : '',
    llmSendSampleRows: llm.send_sample_rows !== false,
  };
}

/** Checks the address field for `providerId`: { baseUrl (null = the provider's own), error }. */
export function checkBaseUrl(providerId, value) {
  if (!showsBaseUrl(providerId)) return { baseUrl: null, error: null };
  const text = String(value ?? '').trim();
  if (!text) {
    if (providerInfo(providerId).defaultBaseUrl === null) {
      return { baseUrl: null, error: 'Enter the server\'s address, for example http://localhost:8000/v1.' };
    }
    return { baseUrl: null, error: null };
  }
  if (/\s/.test(text)) return { baseUrl: null, error: 'An address cannot contain spaces.' };
  if (!/^https?:\/\/[^/?#]+/i.test(text)) {
    return { baseUrl: null, error: `Start the address with http:// or https://, for example http://${text.replace(/^[a-z]+:\/\//i, '')}.` };
  }
  if (/[?#]/.test(text)) return { baseUrl: null, error: 'The address must not have a ? or # part.' };
  return { baseUrl: text, error: null };
}

/**
 * `settings` (as fromForm in settings-form.js produced it) with the llm section
 * from the form -> { settings, errors }. Every other llm field (time limits,
 * tries) is kept as loaded.
 */
export function fromProviderForm(settings, form) {
  const provider = providerInfo(form.llmProvider).id;
  const { baseUrl, error } = checkBaseUrl(provider, form.llmBaseUrl);
  if (error) return { settings: null, errors: { llmBaseUrl: error } };
  const model = String(form.llmModel ?? '').trim();
  const base = settings && typeof settings.llm === 'object' && settings.llm ? settings.llm : {};
  return {
    settings: {
      ...settings,
      llm: {
        ...base,
        provider,
        model: model || null,
        base_url: baseUrl,
        send_sample_rows: form.llmSendSampleRows !== false,
      },
    },
    errors: {},
  };
}

/** What the key line under the key field says, from api_key_status. */
export function keyStatusText(providerId, status) {
  const info = providerInfo(providerId);
  if (status && status.in_keychain) return 'A key is saved in this computer\'s keychain.';
  if (status && status.from_environment) return `Using the key in ${status.from_environment}.`;
  if (info.needsKey) return `No key yet. ${info.name} needs one: paste it here and choose Save key.`;
  return 'Servers on your own computer usually need no key.';
}

/** The model picker's options: the default first, then the listed models, then the saved one if unlisted. */
export function modelOptions(models, defaultModel, saved) {
  const ids = (Array.isArray(models) ? models : []).map((m) => (m && typeof m.id === 'string' ? m.id : null)).filter(Boolean);
  const options = [{ value: '', label: defaultModel ? `Default (${defaultModel})` : 'Default' }];
  for (const id of ids) options.push({ value: id, label: id });
  if (saved && !ids.includes(saved)) options.push({ value: saved, label: `${saved} (not listed)` });
  return options;
}
