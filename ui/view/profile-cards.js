// The Quick profile as cards: per dataset a header (name, rows × columns, size,
// notes) and a responsive grid with one card per column. Histograms are inline
// SVG built with DOM APIs from the numbers (no innerHTML, no inline script).
// The words and the bar geometry come from ../profile.js (unit-tested).

import { h } from './dom.js';
import { columnCard, datasetHeader, firstRowsTable, formatNumber, readTableChoice, tableChoiceControls } from '../profile.js';

const SVG_NS = 'http://www.w3.org/2000/svg';
const CHART = { width: 240, height: 64 };

/**
 * One dataset's section: header and column cards. `describe(columnName)`,
 * when given, makes the element where the analyst describes the column.
 * `chooseTable({ sheet, headerRow })`, when given (a workbook in a session),
 * saves another sheet or header row and profiles the file again; it returns a
 * promise that fails with `{ title, advice }`.
 */
export function profileSection(profile, describe = null, chooseTable = null) {
  const head = datasetHeader(profile);
  const notes = head.notes.length ? h('ul', { class: 'profile-notes' }, head.notes.map((n) => h('li', { text: n }))) : null;
  const estimate = head.estimated
    ? h('p', { class: 'profile-estimate', text: 'Some numbers marked "about" are estimates: this file is large, so Sandpiper counted them from a sample.' })
    : null;
  return h(
    'section',
    { class: 'profile', 'aria-label': `Profile of ${head.title}` },
    h('header', { class: 'profile-head' }, h('h4', { class: 'profile-name', text: head.title }), h('p', { class: 'profile-meta', text: head.meta })),
    notes,
    estimate,
    tableChoiceEl(profile, chooseTable),
    firstRowsEl(profile, head.title),
    h('div', { class: 'profile-grid', role: 'list' }, profile.columns.filter((c) => c && typeof c.name === 'string').map((c) => columnCardEl(c, describe))),
  );
}

/** A workbook's sheet and header row: which were read, and (in a session)
 *  controls to read another sheet or row. */
function tableChoiceEl(profile, chooseTable) {
  const controls = tableChoiceControls(profile);
  if (!controls) return null;
  const used = h('p', { class: 'table-choice-used', text: [controls.used, controls.others].filter(Boolean).join(' ') });
  if (!chooseTable) return h('div', { class: 'table-choice' }, used);
  const sheet = h(
    'select',
    { class: 'table-choice-sheet', name: 'sheet' },
    controls.sheets.map((name) => h('option', { value: name, text: name, selected: name === controls.sheet })),
  );
  const headerRow = h('input', {
    class: 'table-choice-row',
    name: 'header-row',
    // Text, not a number field: what was typed reaches readTableChoice, which
    // says in words what is wrong with it.
    type: 'text',
    inputmode: 'numeric',
    autocomplete: 'off',
    placeholder: 'Found by Sandpiper',
    value: controls.headerRow === null ? '' : String(controls.headerRow),
  });
  // Another sheet has its own header row: let Sandpiper find it unless the analyst says.
  sheet.addEventListener('change', () => {
    headerRow.value = sheet.value === controls.sheet && controls.headerRow !== null ? String(controls.headerRow) : '';
  });
  const error = h('p', { class: 'table-choice-error', role: 'alert', hidden: true });
  const submit = h('button', { type: 'submit', class: 'btn btn-secondary btn-sm', text: 'Read this sheet' });
  const form = h(
    'form',
    { class: 'table-choice table-choice--form', 'aria-label': `Sheet and header row of ${profile.file_name || 'the workbook'}` },
    used,
    h('div', { class: 'table-choice-fields' },
      h('label', { class: 'table-choice-field' }, h('span', { text: 'Sheet' }), sheet),
      h('label', { class: 'table-choice-field' }, h('span', { text: 'Header row' }), headerRow),
      submit,
    ),
    error,
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const read = readTableChoice(controls.sheets, sheet.value, headerRow.value);
    error.hidden = !read.error;
    error.textContent = read.error || '';
    if (read.error) return;
    submit.disabled = true;
    try {
      await chooseTable(read.choice);
    } catch (err) {
      error.textContent = [err && err.title, err && err.advice].filter(Boolean).join(' ') || 'Could not use that sheet.';
      error.hidden = false;
    } finally {
      submit.disabled = false;
    }
  });
  return form;
}

/** The first rows as a compact table that scrolls sideways inside its box, so
 *  a 70-column file never widens the card. */
function firstRowsEl(profile, title) {
  const table = firstRowsTable(profile);
  if (!table) return null;
  const cell = (tag, c) => h(tag, { text: c.text, title: c.title || null, scope: tag === 'th' ? 'col' : null });
  return h(
    'div',
    { class: 'profile-preview', role: 'region', tabindex: '0', 'aria-label': `First rows of ${title}` },
    h(
      'table',
      { class: 'preview-table' },
      h('caption', { text: table.caption }),
      h('thead', {}, h('tr', {}, table.header.map((c) => cell('th', c)))),
      h('tbody', {}, table.rows.map((row) => h('tr', {}, row.map((c) => cell('td', c))))),
    ),
  );
}

function columnCardEl(col, describe) {
  const card = columnCard(col);
  const facts = [card.missing, card.distinct].filter(Boolean);
  return h(
    'article',
    { class: 'profile-card', role: 'listitem', dataset: { kind: col.kind || 'unknown' } },
    h(
      'header',
      { class: 'profile-card-head' },
      h('h5', { class: 'profile-card-name', text: card.name, title: card.name }),
      h('span', { class: 'profile-kind', text: card.kind }),
    ),
    h('p', { class: 'profile-facts', text: facts.join(' · ') }),
    card.chart ? histogram(card.chart) : null,
    card.range ? h('p', { class: 'profile-range' }, h('span', { class: 'profile-label', text: 'Range ' }), card.range) : null,
    card.mean ? h('p', { class: 'profile-mean', text: card.mean }) : null,
    card.topValues.length ? h('p', { class: 'profile-label', text: 'Most common' }) : null,
    card.topValues.length
      ? h(
          'ol',
          { class: 'profile-top', 'aria-label': `Most common values of ${card.name}` },
          card.topValues.map((v) => h('li', {}, h('span', { class: 'profile-top-value', text: v.value, title: v.value }), h('span', { class: 'profile-top-count', text: v.count }))),
        )
      : null,
    describe ? describe(col.name) : null,
  );
}

function svg(tag, attrs) {
  const el = document.createElementNS(SVG_NS, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  return el;
}

function histogram(chart) {
  const root = svg('svg', {
    class: 'profile-histogram',
    viewBox: `0 0 ${CHART.width} ${CHART.height}`,
    preserveAspectRatio: 'none',
    role: 'img',
    'aria-label': chart.label,
  });
  root.append(svg('line', { class: 'profile-axis', x1: 0, y1: CHART.height - 0.5, x2: CHART.width, y2: CHART.height - 0.5 }));
  for (const bar of chart.bars) {
    if (bar.height <= 0) continue;
    const rect = svg('rect', { x: bar.x, y: bar.y, width: bar.width, height: bar.height });
    // A hover tooltip per bar; the chart's aria-label already says it in words.
    const title = svg('title', {});
    title.textContent = `${formatNumber(bar.from)} to ${formatNumber(bar.to)}: ${formatNumber(bar.count)}`;
    rect.append(title);
    root.append(rect);
  }
  return root;
}
