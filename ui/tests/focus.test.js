import { test } from 'node:test';
import assert from 'node:assert/strict';
import { wrapTarget, isTabbable } from '../focus.js';

// Controls as the rules see them: what the DOM reports about each.
const control = (name, extra = {}) => ({ name, disabled: false, tabIndex: 0, getClientRects: () => [1], ...extra });

test('Tab from the last control of a dialog goes to its first, Shift+Tab from the first to its last', () => {
  const [close, field, save] = [control('close'), control('field'), control('save')];
  const list = [close, field, save];
  assert.equal(wrapTarget(list, save, false), close);
  assert.equal(wrapTarget(list, close, true), save);
});

test('inside the dialog, Tab is left to the browser', () => {
  const list = [control('a'), control('b'), control('c')];
  assert.equal(wrapTarget(list, list[1], false), null);
  assert.equal(wrapTarget(list, list[1], true), null);
  assert.equal(wrapTarget(list, list[0], false), null);
});

test('focus outside the dialog comes back in at the near end', () => {
  const list = [control('a'), control('b')];
  const outside = control('page');
  assert.equal(wrapTarget(list, outside, false), list[0]);
  assert.equal(wrapTarget(list, outside, true), list[1]);
  assert.equal(wrapTarget(list, null, false), list[0]);
  assert.equal(wrapTarget([], outside, false), null, 'nothing to focus: nothing to do');
});

test('disabled, undrawn and tabindex=-1 controls are not Tab stops; of a radio group only the checked one is', () => {
  assert.equal(isTabbable(control('x', { disabled: true })), false);
  assert.equal(isTabbable(control('x', { getClientRects: () => [] })), false, 'hidden or in a closed <details>');
  assert.equal(isTabbable(control('x', { tabIndex: -1 })), false);
  const group = [];
  const form = { querySelectorAll: () => group };
  const radio = (value, checked) => control('theme', { type: 'radio', name: 'theme', value, checked, form });
  group.push(radio('system', false), radio('light', true), radio('dark', false));
  assert.deepEqual(group.map(isTabbable), [false, true, false]);
  for (const r of group) r.checked = false;
  assert.deepEqual(group.map(isTabbable), [true, false, false], 'none checked: the first');
});
