// Turns whatever a failed command gave us into { code, title, advice } in plain
// words. Commands reject with { code, title, advice }; anything else (a bare
// string from an older shell, an Error thrown in JS, nothing at all) is wrapped,
// never shown raw as JSON. `code` is the engine's stable name for the error
// (e.g. `llm.missing_key`): the window offers a fix by it, never by the words.

const GENERIC_TITLE = 'Something went wrong';
const GENERIC_ADVICE = 'Try again. If it keeps happening, restart Sandpiper.';

export function toUserError(err, fallbackTitle = GENERIC_TITLE) {
  if (err && typeof err === 'object') {
    const code = typeof err.code === 'string' ? err.code : '';
    const title = typeof err.title === 'string' && err.title.trim() ? err.title.trim() : null;
    const advice = typeof err.advice === 'string' ? err.advice.trim() : '';
    if (title) return { code, title, advice };
    if (typeof err.message === 'string' && err.message.trim()) {
      return { code, title: fallbackTitle, advice: err.message.trim() };
    }
    return { code, title: fallbackTitle, advice: GENERIC_ADVICE };
  }
  if (typeof err === 'string' && err.trim()) {
    return { code: '', title: fallbackTitle, advice: err.trim() };
  }
  return { code: '', title: fallbackTitle, advice: GENERIC_ADVICE };
}

// Errors the analyst fixes in Settings, and the section to open.
const SETTINGS_FIXES = {
  'llm.missing_key': 'model',
  'llm.invalid_key': 'model',
  'llm.unknown_model': 'model',
  'llm.invalid_settings': 'model',
  'llm.out_of_credit': 'model',
  'settings.invalid': null,
  'packages.index_unreachable': 'packages',
  'packages.index_untrusted': 'packages',
  'packages.refused': 'packages',
  'packages.needs_leave': 'packages',
  'docker.endpoint_invalid': 'docker',
  'docker.remote_unreachable': 'docker',
};

/** The fix the window can offer for an error code: { label, section } or null. */
export function fixFor(code) {
  if (typeof code !== 'string' || !Object.hasOwn(SETTINGS_FIXES, code)) return null;
  return { label: 'Open Settings', section: SETTINGS_FIXES[code] };
}
