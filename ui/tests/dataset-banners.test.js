// A reopened session whose datasets changed or moved: the banners it shows,
// closing one, and a moved file located again.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { datasetBanners, locatedText } from '../dataset-banners.js';
import { initialState, reduce } from '../state.js';

function opened(datasets) {
  return reduce(initialState(), {
    kind: 'ui:session_opened',
    replace: true,
    session: { id: 's1', title: 'Sales', datasets, conversation: [] },
  });
}

const CHANGED = { name: 'sales.csv', path: '/data/sales.csv', state: 'changed', kept_copy: false, notice: 'x' };
const MISSING = { name: 'stock.csv', path: '/old/stock.csv', state: 'missing', kept_copy: false, notice: 'y' };
const FINE = { name: 'regions.csv', path: '/data/regions.csv', state: 'unchanged', kept_copy: true, notice: null };

test('a changed and a moved dataset each get a banner; an unchanged one none', () => {
  const state = opened([CHANGED, MISSING, FINE]);
  const banners = datasetBanners(state.session);
  assert.deepEqual(banners.map((b) => [b.name, b.locate]), [['sales.csv', false], ['stock.csv', true]]);
  assert.equal(banners[0].text, 'sales.csv has changed since this session used it: answers may differ from the earlier ones.');
  assert.equal(banners[1].text, 'stock.csv is no longer at /old/stock.csv. Locate it to go on with this session.');
});

test('with a kept copy the banner says the session goes on with it', () => {
  const state = opened([{ ...CHANGED, kept_copy: true }, { ...MISSING, kept_copy: true }]);
  const [changed, missing] = datasetBanners(state.session);
  assert.match(changed.text, /answers may differ from the file as it is now\. This session goes on with the copy it kept\./);
  assert.match(missing.text, /^stock\.csv is no longer at \/old\/stock\.csv\. This session goes on with the copy it kept/);
  assert.equal(missing.locate, true);
});

test('a closed banner stays closed for this session, and only for its dataset', () => {
  let state = opened([CHANGED, MISSING]);
  state = reduce(state, { kind: 'ui:dataset_banner_dismissed', sessionId: 's1', name: 'sales.csv' });
  assert.deepEqual(datasetBanners(state.session).map((b) => b.name), ['stock.csv']);
  // A file added afterwards lists the datasets unchecked: the moved one keeps its banner.
  state = reduce(state, {
    kind: 'ui:session_datasets',
    sessionId: 's1',
    datasets: [{ name: 'sales.csv', path: '/data/sales.csv' }, { name: 'stock.csv', path: '/old/stock.csv' }, { name: 'new.csv', path: '/n.csv' }],
  });
  assert.deepEqual(datasetBanners(state.session).map((b) => b.name), ['stock.csv']);
  // Another session's close changes nothing.
  assert.equal(reduce(state, { kind: 'ui:dataset_banner_dismissed', sessionId: 's2', name: 'stock.csv' }), state);
  // Opening the session again shows them again.
  assert.equal(datasetBanners(opened([CHANGED, MISSING]).session).length, 2);
});

test('a moved file located again loses its banner and shows its new place', () => {
  let state = opened([CHANGED, MISSING]);
  state = reduce(state, {
    kind: 'ui:dataset_located',
    sessionId: 's1',
    dataset: { name: 'stock.csv', path: '/new/stock.csv', state: 'unchanged', kept_copy: false, notice: null },
  });
  const stock = state.session.datasets.find((d) => d.name === 'stock.csv');
  assert.equal(stock.path, '/new/stock.csv');
  assert.deepEqual(datasetBanners(state.session).map((b) => b.name), ['sales.csv']);
  // A dataset the session does not have is not added by a late reply.
  assert.equal(reduce(state, { kind: 'ui:dataset_located', sessionId: 's1', dataset: { name: 'other.csv', path: '/o' } }), state);
  assert.equal(locatedText('stock.csv', '/new/stock.csv', true), 'stock.csv: found at /new/stock.csv. This session uses it from there.');
  assert.match(locatedText('stock.csv', '/new/stock2.csv', false), /is not the same as the file this session used, so answers may differ/);
});

test('no session, no banners', () => {
  assert.deepEqual(datasetBanners(null), []);
  assert.deepEqual(datasetBanners(initialState().session), []);
});
