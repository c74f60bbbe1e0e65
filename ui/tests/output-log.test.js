import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  emptyLog, appendToLog, logFromText, keptCount, totalCount, keptLines, keptTexts, logText, visibleWindow, TAIL_LINES,
} from '../output-log.js';
import { initialState, reduce, findRun } from '../state.js';

test('100,000 appended lines draw only the latest TAIL_LINES, and say how many are hidden', () => {
  let s = reduce(initialState(), { kind: 'run_started', run_id: 'r', session_id: null, title: 'T', image: 'i' });
  for (let i = 0; i < 100_000; i++) s = reduce(s, { kind: 'stdout', run_id: 'r', line: `row ${i}` });
  const log = findRun(s, 'r').output;
  assert.equal(totalCount(log), 100_000);
  assert.equal(keptCount(log), 100_000, 'the state keeps every line the engine sent');
  const win = visibleWindow(log);
  assert.equal(win.to - win.from, TAIL_LINES, 'only the tail is drawn');
  assert.equal(TAIL_LINES, 500);
  assert.equal(win.hidden, 99_500);
  assert.equal(log.items[log.start + win.from].text, 'row 99500', 'the first line drawn is the oldest of the tail');
  const all = visibleWindow(log, { all: true });
  assert.equal(all.hidden, 0);
  assert.equal(all.to - all.from, 100_000, '"Show all" draws every kept line');
});

test('a short output is drawn whole, with nothing hidden', () => {
  let log = emptyLog();
  for (let i = 0; i < 40; i++) log = appendToLog(log, 'stdout', `l${i}`);
  assert.deepEqual(visibleWindow(log), { from: 0, to: 40, hidden: 0, dropped: 0 });
});

test('older versions of a log never change, even when both are appended to', () => {
  const a = appendToLog(appendToLog(emptyLog(), 'stdout', 'one'), 'stdout', 'two');
  const b = appendToLog(a, 'stdout', 'three');
  const c = appendToLog(a, 'stderr', 'other');
  assert.deepEqual(keptLines(a).map((l) => l.text), ['one', 'two']);
  assert.deepEqual(keptLines(b).map((l) => l.text), ['one', 'two', 'three']);
  assert.deepEqual(keptLines(c), [
    { stream: 'stdout', text: 'one' },
    { stream: 'stdout', text: 'two' },
    { stream: 'stderr', text: 'other' },
  ]);
});

test('past the cap the oldest lines are counted, not kept, and the memory is let go', () => {
  let log = emptyLog();
  for (let i = 0; i < 25; i++) log = appendToLog(log, 'stdout', `l${i}`, 10);
  assert.equal(keptCount(log), 10);
  assert.equal(log.dropped, 15);
  assert.equal(totalCount(log), 25);
  assert.equal(logText(log), Array.from({ length: 10 }, (_, i) => `l${i + 15}`).join('\n'));
  assert.ok(log.items.length <= 20, `the array holds ${log.items.length} lines for 10 kept`);
});

test('a saved output becomes a log of its lines', () => {
  assert.equal(keptCount(logFromText('')), 0);
  const log = logFromText('a\nb\n');
  assert.deepEqual(keptLines(log).map((l) => l.text), ['a', 'b']);
});

test('"Save output…" gets every kept line of a 100,000-line output, not only the 500 drawn', () => {
  let s = reduce(initialState(), { kind: 'run_started', run_id: 'r', session_id: null, title: 'T', image: 'i' });
  for (let i = 0; i < 100_000; i++) s = reduce(s, { kind: i % 10 ? 'stdout' : 'stderr', run_id: 'r', line: `row ${i}` });
  const lines = keptTexts(findRun(s, 'r').output);
  assert.equal(lines.length, 100_000);
  assert.equal(lines[0], 'row 0');
  assert.equal(lines[99_999], 'row 99999');
  assert.ok(lines.every((t, i) => t === `row ${i}`), 'in order, stdout and stderr alike');
  // Past the cap only the kept lines can be saved: the dropped ones are gone.
  let log = emptyLog();
  for (let i = 0; i < 25; i++) log = appendToLog(log, 'stdout', `l${i}`, 10);
  assert.deepEqual(keptTexts(log), Array.from({ length: 10 }, (_, i) => `l${i + 15}`));
});
