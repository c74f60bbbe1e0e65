// The session view's Export menu: the formats the engine writes (`ExportFormat`
// in src/store/export, by the names its parser takes), in words for people who
// do not know the file types, and what the window says once one is saved. Pure.

import { basename } from './format.js';

export const EXPORT_FORMATS = Object.freeze([
  { format: 'html', label: 'HTML report', hint: 'A page to read or share, with the answers and charts' },
  { format: 'ipynb', label: 'Notebook', hint: 'For Jupyter: each answer with the code behind it' },
  { format: 'py', label: 'Python script', hint: 'The code that produced the answers, to run again' },
  { format: 'zip', label: 'Everything (zip)', hint: 'The session with its files, to open on another computer' },
]);

/** Whether the open session has something to export: at least one question. */
export function canExport(state) {
  return Boolean(state && state.session && state.items.some((item) => item.type === 'step'));
}

/** The toast once an export is written: "HTML report saved as Sales.html." */
export function exportedText(format, path) {
  const known = EXPORT_FORMATS.find((f) => f.format === format);
  return `${known ? known.label : 'Export'} saved as ${basename(path)}.`;
}
