// A run's output lines as the view state keeps them: an append-only log that is
// cheap to grow inside the pure reducer. A new line is pushed onto the array the
// previous version shares (each version reads only its own [start, end)), so
// appending is O(1) instead of copying every line kept so far; a version that is
// appended to twice branches off with its own copy, so no old state ever changes.
//
// The engine keeps the first 1 MiB of each stream of a run (`output_cap_bytes`)
// and sends those lines; the log keeps up to MAX_KEPT_LINES of them (the latest)
// and the views draw only the last TAIL_LINES until "Show all" is pressed.

/** Lines a log keeps at most; older ones are counted in `dropped`, not stored. */
export const MAX_KEPT_LINES = 200_000;

/** Lines a view draws of a long output until the analyst asks for all of them. */
export const TAIL_LINES = 500;

export function emptyLog() {
  return { items: [], start: 0, end: 0, dropped: 0 };
}

/** The log with one more line ({ stream: 'stdout' | 'stderr', text }). */
export function appendToLog(log, stream, text, maxKept = MAX_KEPT_LINES) {
  let { items, start, end, dropped } = log;
  if (items.length !== end) {
    // Another version already grew the shared array: branch off.
    items = items.slice(start, end);
    end -= start;
    start = 0;
  }
  items.push({ stream, text });
  end += 1;
  if (end - start > maxKept) {
    start += 1;
    dropped += 1;
  }
  if (start >= maxKept) {
    // Let the dropped lines go (amortised: once every maxKept lines).
    items = items.slice(start, end);
    end -= start;
    start = 0;
  }
  return { items, start, end, dropped };
}

/** A log of a saved text (one line per newline), all of it stdout. */
export function logFromText(text, stream = 'stdout') {
  const s = typeof text === 'string' ? text.replace(/\n$/, '') : '';
  const items = s === '' ? [] : s.split('\n').map((t) => ({ stream, text: t }));
  return { items, start: 0, end: items.length, dropped: 0 };
}

/** Lines kept. */
export function keptCount(log) {
  return log.end - log.start;
}

/** Every line the run printed that reached the window (kept or dropped). */
export function totalCount(log) {
  return log.dropped + keptCount(log);
}

/** The kept line at `index` (0 = the oldest kept). */
export function lineAt(log, index) {
  return log.items[log.start + index];
}

/** The kept lines, oldest first (a copy). */
export function keptLines(log) {
  return log.items.slice(log.start, log.end);
}

/** The kept lines' texts, oldest first: what "Save output…" writes, one a line. */
export function keptTexts(log) {
  const out = new Array(log.end - log.start);
  for (let i = log.start; i < log.end; i++) out[i - log.start] = log.items[i].text;
  return out;
}

/** The kept text, one line per line. */
export function logText(log) {
  let out = '';
  for (let i = log.start; i < log.end; i++) out += (i > log.start ? '\n' : '') + log.items[i].text;
  return out;
}

/**
 * What a view draws: all kept lines when `all`, else the last `tail`.
 * `hidden` counts the kept lines not drawn, `dropped` the ones not kept.
 * `from` is the index (among kept lines) of the first line drawn.
 */
export function visibleWindow(log, { all = false, tail = TAIL_LINES } = {}) {
  const kept = keptCount(log);
  const from = all ? 0 : Math.max(0, kept - tail);
  return { from, to: kept, hidden: from, dropped: log.dropped };
}
