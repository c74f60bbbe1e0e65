import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { EXPORT_FORMATS, canExport, exportedText } from '../export.js';

test('the menu offers the four formats the engine writes, by names its parser takes', () => {
  assert.deepEqual(EXPORT_FORMATS.map((f) => f.format), ['html', 'ipynb', 'py', 'zip']);
  // src/store/export/mod.rs: ExportFormat::from_str.
  const parser = readFileSync(new URL('../../src/store/export/mod.rs', import.meta.url), 'utf8');
  for (const { format } of EXPORT_FORMATS) assert.match(parser, new RegExp(`"${format}"`), format);
  for (const { label, hint } of EXPORT_FORMATS) {
    assert.ok(label && hint, 'every format is said in words');
    assert.doesNotMatch(`${label} ${hint}`, /container/i);
  }
});

test('a session can be exported once it has a question', () => {
  const session = { id: 's', title: 'Sales', datasets: [] };
  assert.equal(canExport({ session: null, items: [] }), false);
  assert.equal(canExport({ session, items: [] }), false);
  assert.equal(canExport({ session, items: [{ type: 'run' }] }), false);
  assert.equal(canExport({ session, items: [{ type: 'step' }] }), true);
});

test('the window says what was saved, by file name', () => {
  assert.equal(exportedText('html', '/home/ana/Documents/Sales.html'), 'HTML report saved as Sales.html.');
  assert.equal(exportedText('zip', 'C:\\Users\\ana\\Sales.zip'), 'Everything (zip) saved as Sales.zip.');
});
