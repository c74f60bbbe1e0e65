import { test } from 'node:test';
import assert from 'node:assert/strict';
import { containerRows, containersSummary } from '../containers.js';

const NOW = Date.UTC(2026, 10, 29, 12, 0, 0);
const LIST = [
  {
    id: 'c1',
    session_title: 'Sales by region',
    session_id: 's1',
    image: 'sandpiper-data:abc',
    running: true,
    created_at: NOW / 1000 - 3 * 3600,
    size_bytes: 12_400_000,
    packages: ['pip', 'scikit-learn', 'setuptools', 'wheel==0.42'],
  },
  { id: 'c2', session_title: null, session_id: 's2', image: 'python:3.11-slim', running: false, created_at: NOW / 1000 - 2 * 86400, size_bytes: null, packages: [] },
  { id: 'c3', session_title: null, session_id: null, image: 'sha256:5b4c70c5b348792ad16590855c5dead8613a36e30fdaeeae17e2417b6dd55b5f', running: false, created_at: NOW / 1000 - 30, size_bytes: 0, packages: [] },
];

test('each container says its session, image, state, age, size and packages', () => {
  const byId = Object.fromEntries(containerRows(LIST, NOW).map((r) => [r.id, r]));
  const rows = [byId.c1, byId.c2, byId.c3];
  assert.deepEqual(rows[0], {
    id: 'c1',
    sessionId: 's1',
    title: 'Sales by region',
    image: 'sandpiper-data:abc',
    running: true,
    state: 'Running',
    age: '3 h old',
    size: '12.4 MB',
    packages: 'Installed: scikit-learn',
  });
  assert.equal(rows[1].title, 'A session that is no longer saved');
  assert.equal(rows[1].state, 'Stopped');
  assert.equal(rows[1].age, '2 days old');
  assert.equal(rows[1].size, '', 'no size when Docker does not say');
  assert.equal(rows[2].title, 'A single run (left behind)');
  assert.equal(rows[2].sessionId, null);
  assert.equal(containerRows([{ ...LIST[2], running: true }], NOW)[0].title, 'A single run');
  assert.equal(rows[2].image, 'image 5b4c70c5b348 (built on this computer)');
  assert.equal(rows[2].packages, '', "Python's own tools are not listed");
  assert.equal(rows[2].age, 'new');
  assert.equal(rows[2].size, '0 bytes');
});

test("the analyst's own sessions come first, then running ones, newest first", () => {
  const at = NOW / 1000;
  const list = [
    { id: 'old-orphan', session_id: 'x', running: false, created_at: at - 900 },
    { id: 'running-orphan', session_id: 'y', running: true, created_at: at - 800 },
    { id: 'mine-stopped', session_id: 'a', session_title: 'Costs', running: false, created_at: at - 100 },
    { id: 'new-orphan', session_id: 'z', running: false, created_at: at - 10 },
    { id: 'mine-running', session_id: 'b', session_title: 'Sales', running: true, created_at: at - 500 },
  ];
  assert.deepEqual(
    containerRows(list, NOW).map((r) => r.id),
    ['mine-running', 'mine-stopped', 'running-orphan', 'new-orphan', 'old-orphan'],
  );
});

test('the summary counts what is there and what runs', () => {
  assert.equal(containersSummary(containerRows(LIST, NOW)), '3 containers, 1 running.');
  assert.equal(containersSummary([]), 'Sandpiper has no containers on this computer right now.');
  assert.deepEqual(containerRows([{ id: '' }, null, 'x'], NOW), []);
});
