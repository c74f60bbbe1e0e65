// The analyst's description of a column, written on its profile card: the
// editor's states, what is sent to be saved, and the session state after it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  MAX_DESCRIPTION_CHARS, cleanDescription, noteEditor, reduceNote, noteView, datasetForProfile, descriptionOf,
} from '../column-notes.js';
import { initialState, reduce } from '../state.js';

const edit = (note, text) => reduceNote(reduceNote(note, { kind: 'edit' }), { kind: 'type', text });

test('describing a column: edit, type, save sends it on one line, and the card shows what was saved', () => {
  let note = noteEditor('');
  assert.equal(noteView(note, 'amount').button, 'Describe this column');
  assert.equal(noteView(note, 'amount').editing, false);
  note = edit(note, '  amount is in euros,\n excluding VAT ');
  assert.equal(noteView(note, 'amount').editing, true);
  note = reduceNote(note, { kind: 'save' });
  assert.equal(note.mode, 'saving');
  assert.equal(note.sending, 'amount is in euros, excluding VAT');
  assert.equal(noteView(note, 'amount').busy, true);
  // A second Save while the first is on its way sends nothing more.
  assert.equal(reduceNote(note, { kind: 'save' }), note);
  note = reduceNote(note, { kind: 'saved', text: 'amount is in euros, excluding VAT' });
  const view = noteView(note, 'amount');
  assert.equal(view.text, 'amount is in euros, excluding VAT');
  assert.equal(view.button, 'Edit description');
  assert.equal(view.editing, false);
});

test('editing starts from the saved text, and Cancel keeps it', () => {
  let note = noteEditor('in euros');
  note = reduceNote(note, { kind: 'edit' });
  assert.equal(note.draft, 'in euros');
  note = reduceNote(reduceNote(note, { kind: 'type', text: 'in dollars' }), { kind: 'cancel' });
  assert.equal(note.mode, 'view');
  assert.equal(noteView(note, 'amount').text, 'in euros');
});

test('saving an unchanged description sends nothing; an emptied one is sent to remove it', () => {
  const same = reduceNote(edit(noteEditor('in euros'), ' in  euros '), { kind: 'save' });
  assert.equal(same.mode, 'view');
  assert.equal(same.sending, null);
  let removed = reduceNote(edit(noteEditor('in euros'), '   '), { kind: 'save' });
  assert.equal(removed.mode, 'saving');
  assert.equal(removed.sending, '');
  removed = reduceNote(removed, { kind: 'saved', text: null });
  assert.equal(noteView(removed, 'amount').text, '');
  assert.equal(noteView(removed, 'amount').button, 'Describe this column');
});

test('a description that is too long is not sent and says why; a failed save keeps the text typed', () => {
  const long = reduceNote(edit(noteEditor(''), 'x'.repeat(MAX_DESCRIPTION_CHARS + 1)), { kind: 'save' });
  assert.equal(long.mode, 'editing');
  assert.match(noteView(long, 'amount').error, /at most 500 characters/);
  let failed = reduceNote(edit(noteEditor(''), 'in euros'), { kind: 'save' });
  failed = reduceNote(failed, { kind: 'failed', error: { title: 'Sandpiper could not save the session.', advice: 'Check the disk.' } });
  assert.equal(failed.mode, 'editing');
  assert.equal(failed.draft, 'in euros');
  assert.equal(noteView(failed, 'amount').error, 'Sandpiper could not save the session. Check the disk.');
  assert.equal(cleanDescription(' a \t b\n'), 'a b');
});

test('a profile is matched to the session dataset added from the same file, else by name', () => {
  const datasets = [
    { name: 'sales.csv', path: '/a/sales.csv', columnDescriptions: { amount: 'in euros' } },
    { name: 'sales-2.csv', path: '/b/sales.csv', columnDescriptions: {} },
  ];
  assert.equal(datasetForProfile(datasets, '/b/sales.csv', 'sales.csv'), 'sales-2.csv');
  assert.equal(datasetForProfile(datasets, null, 'sales.csv'), 'sales.csv');
  assert.equal(datasetForProfile(datasets, '/c/other.csv', 'other.csv'), null);
  assert.equal(descriptionOf(datasets, 'sales.csv', 'amount'), 'in euros');
  assert.equal(descriptionOf(datasets, 'sales.csv', 'toString'), '');
});

test('the session keeps the saved descriptions, from opening and from each save', () => {
  let state = reduce(initialState(), {
    kind: 'ui:session_opened',
    replace: true,
    session: { id: 's1', title: 'T', datasets: [{ name: 'sales.csv', path: '/a/sales.csv', notice: null, column_descriptions: { amount: 'in euros', empty: '' } }], conversation: [] },
  });
  assert.deepEqual(state.session.datasets[0].columnDescriptions, { amount: 'in euros' });
  state = reduce(state, { kind: 'ui:column_described', sessionId: 's1', dataset: 'sales.csv', column: 'region', description: 'sales region' });
  state = reduce(state, { kind: 'ui:column_described', sessionId: 's1', dataset: 'sales.csv', column: 'amount', description: '' });
  assert.deepEqual(state.session.datasets[0].columnDescriptions, { region: 'sales region' });
  // Another session's save, or an unknown file, changes nothing.
  const same = reduce(state, { kind: 'ui:column_described', sessionId: 's2', dataset: 'sales.csv', column: 'x', description: 'y' });
  assert.equal(same, state);
  assert.equal(reduce(state, { kind: 'ui:column_described', sessionId: 's1', dataset: 'nope.csv', column: 'x', description: 'y' }), state);
});
