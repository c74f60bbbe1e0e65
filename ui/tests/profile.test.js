import { test } from 'node:test';
import { keptLines } from '../output-log.js';
import assert from 'node:assert/strict';
import {
  kindWord, formatNumber, missingText, distinctText, rangeText, topValueLines,
  datasetHeader, histogramBars, histogramDescription, columnCard, firstRowsTable, PREVIEW_CELL_CHARS,
  tableChoiceControls, readTableChoice,
} from '../profile.js';
import { initialState, reduce, findRun } from '../state.js';
import { SAMPLES, stdout, started, finished, artifact } from './fixtures.js';

const col = (over) => ({
  name: 'units', kind: 'integer', count: 100, missing: 0, missing_share: 0, distinct: 12,
  distinct_at_least: false, estimated: false, numbers: null, top_values: [], date_range: null, ...over,
});

test('every column kind has plain words, and an unknown one says so', () => {
  assert.equal(kindWord('integer'), 'whole number');
  assert.equal(kindWord('decimal'), 'number');
  assert.equal(kindWord('true_false'), 'yes/no');
  assert.equal(kindWord('date'), 'date');
  assert.equal(kindWord('text'), 'text');
  assert.equal(kindWord('empty'), 'empty');
  assert.equal(kindWord('toString'), 'unknown');
  assert.equal(kindWord(undefined), 'unknown');
});

test('numbers read like a person wrote them', () => {
  assert.equal(formatNumber(1234), '1,234');
  assert.equal(formatNumber(1234.5678), '1,234.6');
  assert.equal(formatNumber(12.3456), '12.35');
  assert.equal(formatNumber(0.012345), '0.0123');
  assert.equal(formatNumber(-3.5), '-3.5');
  assert.equal(formatNumber(0), '0');
  assert.equal(formatNumber(0.00001234), '0.000012');
  assert.equal(formatNumber(1_234_567, { short: true }), '1.2 M');
  assert.equal(formatNumber(999, { short: true }), '999');
  assert.equal(formatNumber(250_000, { short: true }), '250 K');
  assert.equal(formatNumber(NaN), '');
  assert.equal(formatNumber(null), '');
});

test('the missing share is a rounded percentage that never hides a few missing values', () => {
  assert.equal(missingText(col({ missing: 3, missing_share: 0.03 })), '3 % missing');
  assert.equal(missingText(col({ missing: 1, missing_share: 0.0001 })), 'less than 1 % missing');
  assert.equal(missingText(col({ missing: 52, missing_share: 0.052 })), '5.2 % missing');
  assert.equal(missingText(col({ missing: 9995, missing_share: 0.9995 })), '99 % missing', 'not rounded up to all');
  assert.equal(missingText(col({ missing: 10, missing_share: 1 })), 'all missing');
  assert.equal(missingText(col()), 'none missing');
});

test('distinct counts say when they are estimates or a lower bound', () => {
  assert.equal(distinctText(col({ distinct: 12 })), '12 distinct');
  assert.equal(distinctText(col({ distinct: 1_234_567, estimated: true })), 'about 1.2 M distinct');
  assert.equal(distinctText(col({ distinct: 4_321, estimated: true })), 'about 4,321 distinct');
  assert.equal(distinctText(col({ distinct: 10_000, distinct_at_least: true })), 'more than 10,000 distinct');
});

test('the range is min – max for numbers, earliest – latest for dates', () => {
  const numbers = { mean: 20.5, std: 1, min: 1, q25: 10, median: 20, q75: 30, max: 40, histogram: null };
  assert.equal(rangeText(col({ numbers })), '1 – 40');
  assert.equal(rangeText(col({ numbers: { ...numbers, min: 7, max: 7 } })), 'always 7');
  assert.equal(rangeText(col({ kind: 'date', date_range: { earliest: '2024-01-01', latest: '2024-12-31' } })), '2024-01-01 – 2024-12-31');
  assert.equal(rangeText(col({ kind: 'text' })), '');
});

test('top values carry their counts, "about" when estimated, and a blank value is named', () => {
  const top_values = [{ value: 'north', count: 1200 }, { value: '', count: 3 }];
  assert.deepEqual(topValueLines(col({ kind: 'text', top_values })), [
    { value: 'north', count: '1,200' },
    { value: '(blank)', count: '3' },
  ]);
  assert.equal(topValueLines(col({ kind: 'text', top_values, estimated: true }))[0].count, 'about 1,200');
});

test('the dataset header says name, rows × columns, size, how it was read, and its notes', () => {
  const head = datasetHeader(SAMPLES.dataset_profiled.profile);
  assert.deepEqual(head, { title: 'sales.csv', meta: '2 rows × 1 column · 42 bytes · separated by commas', notes: [], estimated: false });
  const big = datasetHeader({ file_name: 'big.xlsx', size_bytes: 52_428_834, rows: 1_336_664, columns: [{}, {}, {}], format: 'an Excel workbook (first sheet)', delimiter: null, notes: ['Read as UTF-8.'], estimated: true });
  assert.equal(big.meta, '1,336,664 rows × 3 columns · 52.4 MB · an Excel workbook (first sheet)');
  assert.deepEqual(big.notes, ['Read as UTF-8.']);
  assert.equal(big.estimated, true);
  // A workbook listing its sheets says which one was read in a sentence below: not twice.
  const sheets = datasetHeader({ file_name: 'regions.xlsx', size_bytes: 5800, rows: 12, columns: [{}, {}], format: 'an Excel workbook (sheet "Detail", header on row 3)', sheets: ['Summary', 'Detail'], notes: [] });
  assert.equal(sheets.meta, '12 rows × 2 columns · 5.8 KB · an Excel workbook');
});

test('histogram bars fill the box, the tallest bin reaches the top, and a small non-zero bin stays visible', () => {
  const bars = histogramBars({ edges: [0, 10, 20, 30, 40], counts: [1000, 500, 0, 1] }, { width: 200, height: 50, gap: 2, minBar: 1.5 });
  assert.equal(bars.length, 4);
  assert.deepEqual(bars.map((b) => b.x), [0, 50, 100, 150]);
  assert.ok(bars.every((b) => b.width === 48));
  assert.deepEqual(bars.map((b) => b.height), [50, 25, 0, 1.5]);
  assert.deepEqual(bars.map((b) => b.y), [0, 25, 50, 48.5]);
  assert.deepEqual(bars.map((b) => [b.from, b.to, b.count]), [[0, 10, 1000], [10, 20, 500], [20, 30, 0], [30, 40, 1]]);
});

test('a malformed or empty histogram draws no bars', () => {
  assert.deepEqual(histogramBars(null), []);
  assert.deepEqual(histogramBars({ edges: [0, 1], counts: [] }), []);
  assert.deepEqual(histogramBars({ edges: [0, 1], counts: [1, 2] }), [], 'edges must be one more than counts');
  assert.deepEqual(histogramBars({ edges: [0, 1, 2], counts: [1, -2] }), []);
  assert.ok(histogramBars({ edges: [0, 1, 2], counts: [0, 0] }).every((b) => b.height === 0));
});

test('the chart is described in words for a screen reader, with "about" for estimates', () => {
  const numbers = { mean: 20.5, std: 11.5, min: 1, q25: 10, median: 20, q75: 30, max: 40, histogram: { edges: [0, 10, 20, 30, 40], counts: [10, 60, 20, 10] } };
  assert.equal(
    histogramDescription(col({ kind: 'decimal', name: 'price', numbers })),
    'Distribution of price: 1 to 40, the most common bin between 10 and 20 with 60 % of values, median 20.',
  );
  const whole = { ...numbers, min: 1, max: 3, histogram: { edges: [0.5, 1.5, 2.5, 3.5], counts: [1, 5, 4] } };
  assert.equal(
    histogramDescription(col({ numbers: whole, estimated: true })),
    'Distribution of units: 1 to 3, the most common bin at 2 with about 50 % of values, median about 20.',
  );
});

test('an even distribution is called even, not given a peak', () => {
  const numbers = { mean: 50, std: 29, min: 0, q25: 25, median: 50, q75: 75, max: 100, histogram: { edges: [0, 25, 50, 75, 100], counts: [250, 240, 260, 250] } };
  assert.equal(histogramDescription(col({ kind: 'decimal', name: 'id', numbers })), 'Distribution of id: 0 to 100, spread evenly, median 50.');
});

test('a column card gathers its words; numbers get a chart, text its top values', () => {
  const card = columnCard(SAMPLES.dataset_profiled.profile.columns[0]);
  assert.equal(card.name, 'units');
  assert.equal(card.kind, 'whole number');
  assert.equal(card.missing, 'none missing');
  assert.equal(card.distinct, '2 distinct');
  assert.equal(card.range, '1 – 2');
  assert.equal(card.mean, 'average 1.5');
  assert.equal(card.chart.bars.length, 2);
  assert.match(card.chart.label, /^Distribution of units: 1 to 2/);
  const text = columnCard(col({ kind: 'text', name: 'region', top_values: [{ value: 'north', count: 3 }] }));
  assert.equal(text.chart, null);
  assert.deepEqual(text.topValues, [{ value: 'north', count: '3' }]);
  const empty = columnCard(col({ kind: 'empty', missing: 100, missing_share: 1, distinct: 0 }));
  assert.equal(empty.missing, 'all missing');
  assert.equal(empty.distinct, '');
});

const play = (events) => events.reduce((s, e) => reduce(s, e, { now: 1 }), initialState());

test('the profile is stored on its run whether it comes before or after the text', () => {
  const p = SAMPLES.dataset_profiled;
  const after = findRun(play([started('run-1'), stdout('run-1', 'Rows: 2'), finished('run-1'), p]), 'run-1');
  const before = findRun(play([p, started('run-1'), stdout('run-1', 'Rows: 2'), finished('run-1')]), 'run-1');
  for (const r of [after, before]) {
    assert.deepEqual(r.profiles, [p.profile]);
    assert.deepEqual(keptLines(r.output).map((l) => l.text), ['Rows: 2']);
    assert.equal(r.phase, 'finished');
  }
});

test('two datasets keep two profiles; the same file again replaces its own', () => {
  const p = SAMPLES.dataset_profiled;
  const other = { ...p, profile: { ...p.profile, file_name: 'b.csv' } };
  const again = { ...p, profile: { ...p.profile, rows: 3 } };
  const r = findRun(play([started('run-1'), p, other, again]), 'run-1');
  assert.deepEqual(r.profiles.map((x) => [x.file_name, x.rows]), [['sales.csv', 3], ['b.csv', 2]]);
});

test('a malformed profile event changes nothing', () => {
  const s = play([started('run-1')]);
  for (const bad of [
    { kind: 'dataset_profiled', run_id: 'run-1', profile: null },
    { kind: 'dataset_profiled', run_id: 'run-1', profile: { file_name: 'x.csv' } },
    { kind: 'dataset_profiled', run_id: '', profile: SAMPLES.dataset_profiled.profile },
  ]) {
    assert.equal(reduce(s, bad, { now: 2 }), s);
  }
  assert.deepEqual(findRun(s, 'run-1').profiles, []);
});

test('an artifact still arrives next to the profile (the pictures stay downloadable)', () => {
  const r = findRun(play([started('run-1'), SAMPLES.dataset_profiled, artifact('run-1', 'hist_units.png')]), 'run-1');
  assert.equal(r.profiles.length, 1);
  assert.equal(r.artifacts.length, 1);
});

test('the first rows come as a table: header, at most ten rows, long values cut with the whole one in the tooltip', () => {
  const long = 'é'.repeat(PREVIEW_CELL_CHARS + 5);
  const profile = {
    rows: 1234,
    columns: [col({ name: 'id' }), col({ name: 'note' }), col({ name: 'amount' })],
    first_rows: [['1', long, '2.5'], ['2', 'short']].concat(Array.from({ length: 12 }, (_, i) => [String(i + 3), 'x', '1'])),
  };
  const table = firstRowsTable(profile);
  assert.equal(table.caption, 'First rows (10 of 1,234)');
  assert.deepEqual(table.header.map((c) => c.text), ['id', 'note', 'amount']);
  assert.equal(table.rows.length, 10);
  const cut = table.rows[0][1];
  assert.equal([...cut.text].length, PREVIEW_CELL_CHARS);
  assert.ok(cut.text.endsWith('…'));
  assert.equal(cut.title, long);
  assert.deepEqual(table.rows[0][0], { text: '1', title: '' });
  assert.deepEqual(table.rows[1].map((c) => c.text), ['2', 'short', ''], 'a short row is filled out');
});

test('a wide file keeps one cell per column in every row, and no rows means no table', () => {
  const columns = Array.from({ length: 70 }, (_, i) => col({ name: `c${i + 1}` }));
  const table = firstRowsTable({ rows: 1, columns, first_rows: [columns.map((_, i) => String(i))] });
  assert.equal(table.header.length, 70);
  assert.equal(table.rows[0].length, 70);
  assert.equal(table.rows[0][69].text, '69');
  assert.equal(firstRowsTable({ rows: 0, columns, first_rows: [] }), null);
  assert.equal(firstRowsTable({ rows: 3, columns }), null, 'a profile from an older engine has no rows');
});

test('a workbook\'s profile says which sheet and header row it read, and lists the sheets to pick from', () => {
  const controls = tableChoiceControls({ sheets: ['Summary', 'Detail'], sheet: 'Detail', header_row: 3 });
  assert.deepEqual(controls.sheets, ['Summary', 'Detail']);
  assert.equal(controls.sheet, 'Detail');
  assert.equal(controls.headerRow, 3);
  assert.equal(controls.used, 'Read from sheet "Detail", column names on row 3.');
  assert.equal(controls.others, 'This workbook has 2 sheets.');
  assert.equal(tableChoiceControls({ sheets: [], delimiter: '","' }), null, 'a CSV has no sheets');
  assert.equal(tableChoiceControls({ delimiter: '","' }), null, 'nor does a profile from an older engine');
  assert.equal(tableChoiceControls({ sheets: ['Only'], sheet: null, header_row: null }).used, 'Read from sheet "Only".');
});

test('the sheet and header row chosen are read in plain words; an empty row lets Sandpiper find it', () => {
  const sheets = ['Summary', 'Detail'];
  assert.deepEqual(readTableChoice(sheets, 'Detail', ' 3 '), { choice: { sheet: 'Detail', headerRow: 3 } });
  assert.deepEqual(readTableChoice(sheets, 'Detail', ''), { choice: { sheet: 'Detail', headerRow: null } });
  for (const bad of ['0', '-2', '2.5', 'four', '1048577']) {
    assert.match(readTableChoice(sheets, 'Detail', bad).error, /^The header row is a row number/, bad);
  }
  assert.match(readTableChoice(sheets, 'Elsewhere', '1').error, /^Choose one of the workbook's sheets/);
});

test('a workbook profiled again on another sheet: each run card keeps its own sheet, columns and first rows', () => {
  const base = SAMPLES.dataset_profiled;
  const summary = { ...base, run_id: 'run-1', profile: { ...base.profile, file_name: 'regions.xlsx', sheet: 'Summary', sheets: ['Summary', 'Detail'], header_row: 1,
    columns: [col({ name: 'Region', kind: 'text' }), col({ name: 'Total' })], first_rows: [['North', '255']] } };
  const detail = { ...base, run_id: 'run-2', profile: { ...summary.profile, sheet: 'Detail', header_row: 3,
    columns: ['Store', 'Region', 'Units', 'Price'].map((name) => col({ name })), first_rows: [['S01', 'South', '10', '3.5']] } };
  const s = play([started('run-1'), summary, finished('run-1'), started('run-2'), detail, finished('run-2')]);
  const first = findRun(s, 'run-1').profiles[0];
  const second = findRun(s, 'run-2').profiles[0];
  assert.equal(tableChoiceControls(first).used, 'Read from sheet "Summary", column names on row 1.');
  assert.equal(tableChoiceControls(second).used, 'Read from sheet "Detail", column names on row 3.');
  assert.deepEqual(firstRowsTable(second).header.map((c) => c.text), ['Store', 'Region', 'Units', 'Price']);
  assert.deepEqual(firstRowsTable(second).rows[0].map((c) => c.text), ['S01', 'South', '10', '3.5']);
  assert.deepEqual(firstRowsTable(first).rows[0].map((c) => c.text), ['North', '255']);
});
