// Pure: a Quick profile's typed numbers (the `dataset_profiled` event, shaped as
// src/profile_data.rs) turned into the words and shapes the profile cards show.
// No DOM here, so every sentence and every bar is unit-tested.

import { formatBytes, formatCount } from './format.js';

/** A column's kind in plain words. */
const KIND_WORDS = Object.freeze({
  integer: 'whole number',
  decimal: 'number',
  true_false: 'yes/no',
  date: 'date',
  text: 'text',
  empty: 'empty',
});

export function kindWord(kind) {
  return Object.hasOwn(KIND_WORDS, kind) ? KIND_WORDS[kind] : 'unknown';
}

/**
 * A number as a reader wants it: 1234.5678 -> "1,234.57", 0.000123 -> "0.00012",
 * 1234567 -> "1.2 M" when `short`. Whole numbers stay whole.
 */
export function formatNumber(x, { short = false } = {}) {
  if (typeof x !== 'number' || !Number.isFinite(x)) return '';
  const abs = Math.abs(x);
  if (short && abs >= 1e3) {
    const units = [[1e12, 'T'], [1e9, 'B'], [1e6, 'M'], [1e3, 'K']];
    const [size, unit] = units.find(([s]) => abs >= s);
    const v = x / size;
    return `${trimZeros(v.toFixed(Math.abs(v) >= 100 ? 0 : 1))} ${unit}`;
  }
  if (abs >= 1e15 || (abs > 0 && abs < 1e-4)) return trimZeros(x.toPrecision(2));
  if (Number.isInteger(x)) return x.toLocaleString('en-US');
  const digits = abs >= 100 ? 1 : abs >= 1 ? 2 : Math.min(6, 1 - Math.floor(Math.log10(abs)) + 1);
  return x.toLocaleString('en-US', { maximumFractionDigits: digits });
}

function trimZeros(s) {
  return s.includes('e') ? s : s.replace(/(\.\d*?)0+$/, '$1').replace(/\.$/, '');
}

/** "3 % missing", "none missing", "all missing", "less than 1 % missing". */
export function missingText(col) {
  const share = Number(col && col.missing_share) || 0;
  const missing = Number(col && col.missing) || 0;
  if (missing <= 0 || share <= 0) return 'none missing';
  if (share >= 1) return 'all missing';
  if (share < 0.01) return 'less than 1 % missing';
  const pct = share < 0.1 ? Math.round(share * 1000) / 10 : Math.round(share * 100);
  return `${Math.min(pct, 99)} % missing`;
}

/** "12 distinct", "about 1.2 M distinct" when estimated, "more than 10,000 distinct". */
export function distinctText(col) {
  const n = Number(col && col.distinct) || 0;
  if (col && col.distinct_at_least) return `more than ${formatCount(n)} distinct`;
  if (col && col.estimated) return `about ${n >= 10_000 ? formatNumber(n, { short: true }) : formatCount(n)} distinct`;
  return `${formatCount(n)} distinct`;
}

/** The span of a column in words: "1 – 40", "2024-01-01 – 2024-12-31", or its commonest values. */
export function rangeText(col) {
  if (!col) return '';
  if (col.numbers && typeof col.numbers.min === 'number') {
    const { min, max } = col.numbers;
    return min === max ? `always ${formatNumber(min)}` : `${formatNumber(min)} – ${formatNumber(max)}`;
  }
  if (col.date_range && col.date_range.earliest) {
    const { earliest, latest } = col.date_range;
    return earliest === latest ? `only ${earliest}` : `${earliest} – ${latest}`;
  }
  return '';
}

/** The most common values with their counts ("about" when estimated), for text, yes/no and dates. */
export function topValueLines(col) {
  const values = Array.isArray(col && col.top_values) ? col.top_values : [];
  const about = col && col.estimated ? 'about ' : '';
  return values
    .filter((v) => v && typeof v.value === 'string')
    .map((v) => ({ value: v.value === '' ? '(blank)' : v.value, count: `${about}${formatCount(v.count)}` }));
}

/** The engine's delimiters (`","`, `";"`, `tab`, `"|"`) in words. */
const DELIMITER_WORDS = Object.freeze({ '","': 'commas', '";"': 'semicolons', tab: 'tabs', '"|"': 'bars' });

/** The dataset's heading lines: its name and "1,336,664 rows × 5 columns · 52.4 MB". */
export function datasetHeader(profile) {
  const rows = Number(profile.rows) || 0;
  const cols = Array.isArray(profile.columns) ? profile.columns.length : 0;
  const parts = [`${formatCount(rows)} ${rows === 1 ? 'row' : 'rows'} × ${formatCount(cols)} ${cols === 1 ? 'column' : 'columns'}`];
  const size = formatBytes(profile.size_bytes);
  if (size) parts.push(size);
  // A workbook's card says which sheet and row were read in a sentence of its
  // own (tableChoiceControls): the heading keeps only what the file is.
  const sheetSaidBelow = Array.isArray(profile.sheets) && profile.sheets.length > 0;
  if (profile.format) parts.push(sheetSaidBelow ? profile.format.replace(/\s*\(.*\)$/, '') : profile.format);
  else if (profile.delimiter) parts.push(`separated by ${DELIMITER_WORDS[profile.delimiter] || profile.delimiter}`);
  return {
    title: profile.file_name || 'Dataset',
    meta: parts.join(' · '),
    notes: Array.isArray(profile.notes) ? profile.notes.filter((n) => typeof n === 'string' && n) : [],
    estimated: profile.estimated === true,
  };
}

/**
 * Bars of a histogram in a width × height box (SVG user units), one per bin;
 * a bin with values is at least `minBar` tall so it never vanishes next to a
 * huge one. Returns [] for no histogram or malformed bins.
 */
export function histogramBars(histogram, { width = 240, height = 64, gap = 1, minBar = 1.5 } = {}) {
  if (!isHistogram(histogram)) return [];
  const { edges, counts } = histogram;
  const peak = Math.max(...counts);
  const slot = width / counts.length;
  const barWidth = Math.max(slot - (counts.length > 1 ? gap : 0), 0.5);
  return counts.map((count, i) => {
    const tall = peak > 0 && count > 0 ? Math.max((count / peak) * height, minBar) : 0;
    return {
      x: round(i * slot),
      y: round(height - tall),
      width: round(barWidth),
      height: round(tall),
      from: edges[i],
      to: edges[i + 1],
      count,
    };
  });
}

function isHistogram(hist) {
  return (
    Boolean(hist) &&
    Array.isArray(hist.counts) &&
    Array.isArray(hist.edges) &&
    hist.counts.length > 0 &&
    hist.edges.length === hist.counts.length + 1 &&
    hist.counts.every((c) => typeof c === 'number' && c >= 0) &&
    hist.edges.every((e) => typeof e === 'number' && Number.isFinite(e))
  );
}

function round(x) {
  return Math.round(x * 100) / 100;
}

/**
 * The distribution in words, for the chart's aria-label: where the values
 * lie, where most are, and the middle.
 * "Distribution of units: 1 to 40, most values between 10 and 11, median 20."
 */
export function histogramDescription(col) {
  const numbers = col && col.numbers;
  if (!numbers) return '';
  const about = col.estimated ? 'about ' : '';
  const parts = [`${formatNumber(numbers.min)} to ${formatNumber(numbers.max)}`];
  const hist = numbers.histogram;
  if (isHistogram(hist)) {
    const highest = Math.max(...hist.counts);
    const lowest = Math.min(...hist.counts);
    const peak = hist.counts.indexOf(highest);
    const total = hist.counts.reduce((a, b) => a + b, 0);
    const wholeBins = col.kind === 'integer' && hist.edges.every((e) => Math.abs(e - Math.round(e)) === 0.5);
    const where = wholeBins
      ? `at ${formatNumber(hist.edges[peak] + 0.5)}`
      : `between ${formatNumber(hist.edges[peak])} and ${formatNumber(hist.edges[peak + 1])}`;
    const share = total > 0 ? Math.round((hist.counts[peak] / total) * 100) : 0;
    // Bins within a fifth of each other have no peak worth naming.
    if (hist.counts.length > 1 && highest > 0 && lowest >= highest * 0.8) parts.push('spread evenly');
    else parts.push(`the most common bin ${where} with ${about}${share} % of values`);
  }
  parts.push(`median ${about}${formatNumber(numbers.median)}`);
  return `Distribution of ${col.name}: ${parts.join(', ')}.`;
}

/** Everything one column's card says, in order. */
export function columnCard(col) {
  const numbers = col.numbers || null;
  return {
    name: col.name,
    kind: kindWord(col.kind),
    missing: col.kind === 'empty' ? 'all missing' : missingText(col),
    distinct: col.kind === 'empty' ? '' : distinctText(col),
    range: rangeText(col),
    // The mean is exact even when other numbers are estimates (profile_data.rs).
    mean: numbers ? `average ${formatNumber(numbers.mean)}` : '',
    topValues: numbers ? [] : topValueLines(col),
    chart: numbers && isHistogram(numbers.histogram) ? { bars: histogramBars(numbers.histogram), label: histogramDescription(col) } : null,
    estimated: col.estimated === true,
  };
}

/** Rows the preview shows at most (the engine sends up to 10). */
export const PREVIEW_ROWS = 10;
/** Characters a preview cell shows; the whole value is in its tooltip. */
export const PREVIEW_CELL_CHARS = 40;

/**
 * The "First rows" table of a profile: a header cell per column and up to
 * PREVIEW_ROWS rows, one cell per column (a short row is filled out). Each cell
 * is `{ text, title }`: `text` cut to PREVIEW_CELL_CHARS with "…", `title` the
 * whole value when it was cut (else ''). Null when there is nothing to show.
 */
export function firstRowsTable(profile) {
  const columns = Array.isArray(profile && profile.columns) ? profile.columns : [];
  const rows = Array.isArray(profile && profile.first_rows) ? profile.first_rows.filter(Array.isArray).slice(0, PREVIEW_ROWS) : [];
  if (columns.length === 0 || rows.length === 0) return null;
  const total = Number(profile.rows) || rows.length;
  return {
    caption: `First rows (${formatCount(rows.length)} of ${formatCount(total)})`,
    header: columns.map((c, i) => previewCell(c && typeof c.name === 'string' ? c.name : `column_${i + 1}`)),
    rows: rows.map((row) => columns.map((_, i) => previewCell(row[i]))),
  };
}

function previewCell(value) {
  const text = typeof value === 'string' ? value : value === null || value === undefined ? '' : String(value);
  const chars = [...text];
  if (chars.length <= PREVIEW_CELL_CHARS) return { text, title: '' };
  return { text: `${chars.slice(0, PREVIEW_CELL_CHARS - 1).join('')}…`, title: text };
}

/**
 * What the "Sheet" and "Header row" controls of a workbook's profile show:
 * its sheets (in the workbook's order), the sheet and header row this profile
 * read, and a sentence saying so. Null for a file that is not a workbook (or a
 * profile from an engine that did not list the sheets).
 */
export function tableChoiceControls(profile) {
  const sheets = Array.isArray(profile && profile.sheets) ? profile.sheets.filter((s) => typeof s === 'string' && s) : [];
  if (sheets.length === 0) return null;
  const sheet = typeof profile.sheet === 'string' && sheets.includes(profile.sheet) ? profile.sheet : sheets[0];
  const headerRow = Number.isInteger(profile.header_row) && profile.header_row >= 1 ? profile.header_row : null;
  const where = headerRow ? `sheet "${sheet}", column names on row ${headerRow}` : `sheet "${sheet}"`;
  return {
    sheets,
    sheet,
    headerRow,
    used: `Read from ${where}.`,
    others: sheets.length > 1 ? `This workbook has ${sheets.length} sheets.` : '',
  };
}

/** The last row an Excel sheet has. */
const LAST_EXCEL_ROW = 1_048_576;

/**
 * The analyst's choice from the controls: `{ choice: { sheet, headerRow } }`,
 * where an empty header row means "let Sandpiper find it" (null), or
 * `{ error }` in plain words when the row is not a row number.
 */
export function readTableChoice(sheets, sheet, headerRowText) {
  if (!Array.isArray(sheets) || !sheets.includes(sheet)) {
    return { error: 'Choose one of the workbook\'s sheets.' };
  }
  const text = String(headerRowText ?? '').trim();
  if (text === '') return { choice: { sheet, headerRow: null } };
  const row = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(row) || row < 1 || row > LAST_EXCEL_ROW) {
    return { error: 'The header row is a row number, like 1 or 4 (leave it empty to let Sandpiper find it).' };
  }
  return { choice: { sheet, headerRow: row } };
}
