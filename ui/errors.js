// Turns whatever a failed command gave us into { title, advice } in plain words.
// Commands reject with { title, advice }; anything else (a bare string from an older
// shell, an Error thrown in JS, nothing at all) is wrapped, never shown raw as JSON.

const GENERIC_TITLE = 'Something went wrong';
const GENERIC_ADVICE = 'Try again. If it keeps happening, restart Sandpiper.';

export function toUserError(err, fallbackTitle = GENERIC_TITLE) {
  if (err && typeof err === 'object') {
    const title = typeof err.title === 'string' && err.title.trim() ? err.title.trim() : null;
    const advice = typeof err.advice === 'string' ? err.advice.trim() : '';
    if (title) return { title, advice };
    if (typeof err.message === 'string' && err.message.trim()) {
      return { title: fallbackTitle, advice: err.message.trim() };
    }
    return { title: fallbackTitle, advice: GENERIC_ADVICE };
  }
  if (typeof err === 'string' && err.trim()) {
    return { title: fallbackTitle, advice: err.trim() };
  }
  return { title: fallbackTitle, advice: GENERIC_ADVICE };
}
