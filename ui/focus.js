// Pure focus rules shared by the modal dialogs (view/modal.js): which controls
// Tab reaches, and where Tab at either end of a dialog goes.

const CONTROLS = 'a[href], button, input, select, textarea, summary, [tabindex]';

/** Whether Tab can land on `el`: enabled, drawn, not taken out of the tab order,
 *  and for a radio button only the checked one of its group (arrows move inside). */
export function isTabbable(el) {
  if (el.disabled || el.tabIndex < 0 || el.getClientRects().length === 0) return false;
  if (el.type === 'radio' && !el.checked) {
    const form = el.form || el.ownerDocument;
    const group = [...form.querySelectorAll(`input[type="radio"][name="${el.name}"]`)];
    return !group.some((r) => r.checked) && group[0] === el;
  }
  return true;
}

/** The controls Tab reaches inside `root`, in document order. */
export function tabbables(root) {
  return [...root.querySelectorAll(CONTROLS)].filter(isTabbable);
}

/**
 * Where Tab (or Shift+Tab when `back`) from `active` must go so that focus
 * stays inside: the first control after the last one (the last before the
 * first), or the first (last) when focus is not inside at all; null when the
 * browser's own move stays inside.
 */
export function wrapTarget(list, active, back, isInside = (el) => list.includes(el)) {
  if (list.length === 0) return null;
  const first = list[0];
  const last = list[list.length - 1];
  if (!active || !isInside(active)) return back ? last : first;
  if (!back && active === last) return first;
  if (back && active === first) return last;
  return null;
}
