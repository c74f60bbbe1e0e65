// The Export menu of the top bar: a button that opens a list of formats. Opens
// on click, Enter, Space or ArrowDown; arrows move between the formats, Escape
// or a click elsewhere closes it and gives focus back to the button.

import { h } from './dom.js';
import { EXPORT_FORMATS } from '../export.js';

/** onPick(format) when a format is chosen. Returns { setBusy(on) }. */
export function createExportMenu({ button, menu, onPick }) {
  const items = EXPORT_FORMATS.map(({ format, label, hint }) =>
    h(
      'button',
      { type: 'button', role: 'menuitem', class: 'menu-item', tabindex: '-1', dataset: { format }, onClick: () => pick(format) },
      h('span', { class: 'menu-item-label', text: label }),
      h('span', { class: 'menu-item-hint', text: hint }),
    ),
  );
  menu.replaceChildren(...items);

  function isOpen() {
    return !menu.hidden;
  }
  function open(focusIndex = 0) {
    menu.hidden = false;
    button.setAttribute('aria-expanded', 'true');
    items[focusIndex].focus();
  }
  function close(refocus = true) {
    if (!isOpen()) return;
    menu.hidden = true;
    button.setAttribute('aria-expanded', 'false');
    if (refocus) button.focus();
  }
  function pick(format) {
    close();
    onPick(format);
  }

  button.addEventListener('click', () => (isOpen() ? close() : open()));
  button.addEventListener('keydown', (e) => {
    if (e.key === 'ArrowDown') {
      e.preventDefault();
      open();
    }
  });
  menu.addEventListener('keydown', (e) => {
    const at = items.indexOf(document.activeElement);
    if (e.key === 'Escape') {
      e.preventDefault();
      e.stopPropagation();
      close();
    } else if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault();
      const step = e.key === 'ArrowDown' ? 1 : -1;
      items[(at + step + items.length) % items.length].focus();
    } else if (e.key === 'Home' || e.key === 'End') {
      e.preventDefault();
      items[e.key === 'Home' ? 0 : items.length - 1].focus();
    } else if (e.key === 'Tab') {
      close(false);
    }
  });
  document.addEventListener('mousedown', (e) => {
    if (isOpen() && !menu.contains(e.target) && !button.contains(e.target)) close(false);
  });

  return {
    setBusy(on) {
      button.disabled = on;
      if (on) close(false);
    },
    close: () => close(false),
  };
}
