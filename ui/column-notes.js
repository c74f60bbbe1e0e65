// Pure: the analyst's description of a column ("amount is in euros, excluding
// VAT"), written on its profile card and sent to the model with the column.
// The editor is a small state machine (no DOM here, so it is unit-tested);
// view/column-note.js draws it.
//
//   let note = noteEditor('in euros');          // { mode: 'view', saved, draft, error }
//   note = reduceNote(note, { kind: 'edit' });   // mode 'editing', draft = saved
//   note = reduceNote(note, { kind: 'type', text });
//   note = reduceNote(note, { kind: 'save' });   // mode 'saving' (send note.sending)
//   note = reduceNote(note, { kind: 'saved', text });  // or { kind: 'failed', error }

/** As the engine allows it (src/store/meta.rs: MAX_COLUMN_DESCRIPTION_CHARS). */
export const MAX_DESCRIPTION_CHARS = 500;

/** On one line, without surrounding spaces, as the engine saves it. */
export function cleanDescription(text) {
  return String(text ?? '').split(/\s+/).filter(Boolean).join(' ');
}

export function noteEditor(saved) {
  return { mode: 'view', saved: cleanDescription(saved), draft: '', sending: null, error: null };
}

export function reduceNote(note, action) {
  switch (action && action.kind) {
    case 'edit':
      if (note.mode !== 'view') return note;
      return { ...note, mode: 'editing', draft: note.saved, error: null };
    case 'type':
      if (note.mode !== 'editing') return note;
      return { ...note, draft: String(action.text ?? ''), error: null };
    case 'cancel':
      if (note.mode !== 'editing') return note;
      return { ...note, mode: 'view', draft: '', error: null };
    case 'save': {
      if (note.mode !== 'editing') return note;
      const text = cleanDescription(note.draft);
      if (text.length > MAX_DESCRIPTION_CHARS) {
        return { ...note, error: `Keep it to a sentence or two: at most ${MAX_DESCRIPTION_CHARS} characters (this is ${text.length}).` };
      }
      // Nothing changed: nothing to save.
      if (text === note.saved) return { ...note, mode: 'view', draft: '', error: null };
      return { ...note, mode: 'saving', sending: text, error: null };
    }
    case 'saved':
      if (note.mode !== 'saving') return note;
      return { mode: 'view', saved: cleanDescription(action.text), draft: '', sending: null, error: null };
    case 'failed': {
      if (note.mode !== 'saving') return note;
      const e = action.error || {};
      const error = [e.title, e.advice].filter((x) => typeof x === 'string' && x).join(' ') || 'The description was not saved.';
      // Back to the text as typed, so nothing written is lost.
      return { ...note, mode: 'editing', sending: null, error };
    }
    default:
      return note;
  }
}

/** What the card shows under the column's facts. */
export function noteView(note, column) {
  return {
    text: note.saved,
    button: note.saved ? 'Edit description' : 'Describe this column',
    buttonLabel: note.saved ? `Edit the description of ${column}` : `Describe ${column} for the model`,
    editing: note.mode === 'editing' || note.mode === 'saving',
    busy: note.mode === 'saving',
    error: note.error,
    count: `${cleanDescription(note.draft).length} / ${MAX_DESCRIPTION_CHARS}`,
  };
}

/**
 * The session's name of the dataset a profile is of: the one added from the
 * same file (the run's source path), else the one of the same file name.
 * null while the file is not (yet) in the session.
 */
export function datasetForProfile(datasets, sourcePath, fileName) {
  const list = Array.isArray(datasets) ? datasets : [];
  const byPath = sourcePath ? list.filter((d) => d.path === sourcePath) : [];
  if (byPath.length) return byPath[byPath.length - 1].name;
  const byName = list.find((d) => d.name === fileName);
  return byName ? byName.name : null;
}

/** The saved description of a column of a session's dataset ('' for none). */
export function descriptionOf(datasets, datasetName, column) {
  const dataset = (Array.isArray(datasets) ? datasets : []).find((d) => d.name === datasetName);
  const notes = dataset && dataset.columnDescriptions;
  return notes && Object.hasOwn(notes, column) ? notes[column] : '';
}
