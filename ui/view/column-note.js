// A column's description on its profile card: shown when written, edited in
// place ("Describe this column" → a text box, Save / Cancel; Enter saves,
// Escape cancels). The states and words come from ../column-notes.js.

import { h, setText, show } from './dom.js';
import { noteEditor, reduceNote, noteView, MAX_DESCRIPTION_CHARS } from '../column-notes.js';

/**
 * column: the column's name; initial: its saved description ('' for none);
 * onSave(text) -> Promise of the description as saved ('' or null once removed),
 * rejecting with { title, advice }.
 */
export function createColumnNote({ column, initial, onSave }) {
  let note = noteEditor(initial);
  const text = h('p', { class: 'profile-description' });
  const toggle = h('button', { type: 'button', class: 'btn btn-ghost btn-xs profile-describe', onClick: () => act({ kind: 'edit' }) });
  const input = h('textarea', {
    class: 'profile-description-input',
    rows: '2',
    maxlength: String(MAX_DESCRIPTION_CHARS * 2),
    placeholder: 'e.g. amount is in euros, excluding VAT',
    'aria-label': `Description of ${column}, sent to the model`,
  });
  const hint = h('p', { class: 'profile-description-hint' });
  const error = h('p', { class: 'profile-description-error', role: 'alert', hidden: true });
  const save = h('button', { type: 'button', class: 'btn btn-primary btn-xs', text: 'Save', onClick: () => act({ kind: 'save' }) });
  const cancel = h('button', { type: 'button', class: 'btn btn-ghost btn-xs', text: 'Cancel', onClick: () => act({ kind: 'cancel' }) });
  const editor = h('div', { class: 'profile-description-editor', hidden: true }, input, hint, error, h('div', { class: 'profile-description-actions' }, save, cancel));
  const el = h('div', { class: 'profile-note' }, text, toggle, editor);

  input.addEventListener('input', () => act({ kind: 'type', text: input.value }));
  input.addEventListener('keydown', (e) => {
    if (e.key === 'Escape') {
      e.preventDefault();
      e.stopPropagation();
      act({ kind: 'cancel' });
    } else if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
      e.preventDefault();
      act({ kind: 'save' });
    }
  });

  function act(action) {
    const before = note;
    note = reduceNote(note, action);
    if (note === before) return;
    render(before);
    if (note.mode === 'saving' && before.mode !== 'saving') {
      Promise.resolve(onSave(note.sending)).then(
        (saved) => act({ kind: 'saved', text: saved ?? '' }),
        (err) => act({ kind: 'failed', error: err }),
      );
    }
  }

  function render(before) {
    const view = noteView(note, column);
    setText(text, view.text);
    show(text, Boolean(view.text) && !view.editing);
    setText(toggle, view.button);
    toggle.setAttribute('aria-label', view.buttonLabel);
    show(toggle, !view.editing);
    show(editor, view.editing);
    if (view.editing && (!before || before.mode === 'view')) {
      input.value = note.draft;
      input.focus();
    }
    input.disabled = view.busy;
    save.disabled = view.busy;
    cancel.disabled = view.busy;
    setText(save, view.busy ? 'Saving…' : 'Save');
    setText(hint, `Sent to the model with this column · ${view.count}`);
    setText(error, view.error || '');
    show(error, Boolean(view.error));
    if (before && before.mode !== 'view' && note.mode === 'view') toggle.focus();
  }

  render(null);
  return el;
}
