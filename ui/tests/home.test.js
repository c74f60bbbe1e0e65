import { test } from 'node:test';
import assert from 'node:assert/strict';
import { recentSessionLines, ago, RECENT_LIMIT } from '../home.js';

const NOW = Date.UTC(2026, 10, 29, 12, 0, 0);

test('each recent session says its title, datasets, questions and when', () => {
  const lines = recentSessionLines(
    [
      { id: 's1', title: 'Which region sold most', datasets: ['sales.csv'], updated_at: NOW - 5 * 60_000, steps: 2 },
      { id: 's2', title: '', datasets: [], updated_at: NOW - 3 * 86_400_000, steps: 0 },
    ],
    NOW,
  );
  assert.deepEqual(lines, [
    { id: 's1', title: 'Which region sold most', meta: 'sales.csv · 2 questions · 5 min ago' },
    { id: 's2', title: 'Untitled session', meta: 'no questions yet · 3 days ago' },
  ]);
});

test('only the newest sessions are listed', () => {
  const many = Array.from({ length: 30 }, (_, i) => ({ id: `s${i}`, title: `t${i}`, datasets: [], updated_at: NOW, steps: 1 }));
  assert.equal(recentSessionLines(many, NOW).length, RECENT_LIMIT);
});

test('times read as a person would say them', () => {
  assert.equal(ago(NOW - 10_000, NOW), 'just now');
  assert.equal(ago(NOW - 2 * 3_600_000, NOW), '2 h ago');
  assert.equal(ago(NOW - 86_400_000, NOW), '1 day ago');
  assert.equal(ago(Date.UTC(2026, 0, 2), NOW), '2026-01-02');
  assert.equal(ago(null, NOW), '');
});
