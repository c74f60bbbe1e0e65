// The one way the window opens a modal dialog (a native <dialog>): showModal()
// makes the rest of the window inert and closes the dialog on Escape (its
// `cancel`); on top of that, focus moves into the dialog, Tab and Shift+Tab wrap
// inside it (WebKitGTK would otherwise let focus leave for the page's end), and
// when it closes, by any button or Escape, focus goes back to what opened it.

import { tabbables, wrapTarget } from '../focus.js';

const installed = new WeakSet();
/** dialog -> the element that had focus when it opened */
const openers = new WeakMap();

/**
 * Opens `dialog` modally (no-op when it is open). `focus`: the element to focus
 * first; else the dialog's [autofocus] element, else its first control.
 */
export function openModal(dialog, { focus = null } = {}) {
  install(dialog);
  if (dialog.open) return;
  const active = document.activeElement;
  openers.set(dialog, active && active !== document.body ? active : null);
  dialog.showModal();
  const target = focus || dialog.querySelector('[autofocus]') || tabbables(dialog)[0] || dialog;
  if (target === dialog) dialog.tabIndex = -1;
  target.focus();
}

function install(dialog) {
  if (installed.has(dialog)) return;
  installed.add(dialog);
  dialog.addEventListener('keydown', (e) => {
    if (e.key !== 'Tab' || e.altKey || e.ctrlKey || e.metaKey) return;
    const target = wrapTarget(tabbables(dialog), document.activeElement, e.shiftKey, (el) => dialog.contains(el));
    if (target) {
      e.preventDefault();
      target.focus();
    }
  });
  dialog.addEventListener('close', () => {
    const opener = openers.get(dialog);
    openers.delete(dialog);
    // A nested dialog's opener is inside the dialog under it, which is still open.
    if (opener && opener.isConnected && typeof opener.focus === 'function') opener.focus();
  });
}
