// A long output drawn cheaply: the last TAIL_LINES lines of a log (output-log.js),
// one element per line, updated incrementally; above them "N earlier lines
// hidden" with "Show all". Showing all draws the kept lines in blocks of up to
// BLOCK_LINES same-stream lines (one text node each), so 100,000 lines are a few
// hundred elements, not 100,000. Used by the run card and a step's tries.

import { h, setText, show } from './dom.js';
import { formatCount } from '../format.js';
import { visibleWindow, lineAt, keptCount, TAIL_LINES } from '../output-log.js';

const BLOCK_LINES = 200;

/**
 * lines: the element the lines go into (its children are owned here).
 * lineClass: the class of one line's element ('line' in a run card).
 * asText: draw the lines as one text (a <pre> whose text is exactly the lines
 *   shown), for a step's tries, which show no stderr lines of their own.
 * onRedraw(): after "Show all" / "Show only the latest" redrew the lines.
 * Returns { note, update(log), renderedLines() }: `note` is the "hidden" bar to
 * place above `lines`.
 */
export function createOutputLines({ lines, lineClass = 'line', asText = false, onRedraw = () => {} }) {
  const noteText = h('span', { class: 'output-note-text' });
  const allBtn = h('button', {
    type: 'button',
    class: 'btn btn-ghost btn-xs output-show-all',
    'aria-expanded': 'false',
    onClick: () => {
      all = !all;
      if (log) draw(log, true);
      onRedraw();
    },
  });
  if (lines.id) allBtn.setAttribute('aria-controls', lines.id);
  const note = h('p', { class: 'output-note output-note--top output-hidden-note', hidden: true }, noteText, ' ', allBtn);

  let log = null;
  let all = false;
  /** absolute line numbers (dropped + index) drawn: [drawnFrom, drawnTo) */
  let drawnFrom = 0;
  let drawnTo = 0;
  let drawnAll = false;
  let drawnCount = 0;

  function lineEl(line, text) {
    const el = document.createElement('div');
    el.className = line.stream === 'stderr' ? `${lineClass} ${lineClass}--stderr` : lineClass;
    el.textContent = text;
    return el;
  }

  /** Appends kept lines [from, to) of `next`: one element each, or in blocks. */
  function appendRange(next, from, to, blocks) {
    const frag = document.createDocumentFragment();
    let i = from;
    while (i < to) {
      const first = lineAt(next, i);
      if (!blocks) {
        frag.append(lineEl(first, first.text));
        i += 1;
        continue;
      }
      let text = first.text;
      let j = i + 1;
      while (j < to && j - i < BLOCK_LINES && lineAt(next, j).stream === first.stream) {
        text += `\n${lineAt(next, j).text}`;
        j += 1;
      }
      frag.append(lineEl(first, text));
      i = j;
    }
    lines.append(frag);
  }

  function draw(next, force = false) {
    const win = visibleWindow(next, { all });
    const absFrom = next.dropped + win.from;
    const absTo = next.dropped + win.to;
    if (asText) {
      let text = '';
      for (let i = win.from; i < win.to; i++) text += (i > win.from ? '\n' : '') + lineAt(next, i).text;
      setText(lines, text);
    }
    const fresh =
      asText ||
      force || all !== drawnAll || absFrom < drawnFrom || absTo < drawnTo || (all && absFrom !== drawnFrom) || absFrom >= drawnTo;
    if (asText) {
      drawnCount = win.to - win.from;
    } else if (fresh) {
      lines.replaceChildren();
      appendRange(next, win.from, win.to, all);
      drawnCount = win.to - win.from;
    } else {
      // Tail: the new lines go at the end, as many of the oldest leave the front.
      for (let drop = absFrom - drawnFrom; drop > 0; drop--) lines.firstElementChild.remove();
      appendRange(next, drawnTo - next.dropped, win.to, all);
      drawnCount = win.to - win.from;
    }
    drawnFrom = absFrom;
    drawnTo = absTo;
    drawnAll = all;

    const longEnough = keptCount(next) > TAIL_LINES;
    show(note, longEnough || next.dropped > 0);
    const parts = [];
    if (win.hidden > 0) parts.push(`${formatCount(win.hidden)} earlier ${win.hidden === 1 ? 'line' : 'lines'} hidden.`);
    if (next.dropped > 0) parts.push(`The first ${formatCount(next.dropped)} ${next.dropped === 1 ? 'line was' : 'lines were'} not kept.`);
    if (all && longEnough) parts.push(`Showing all ${formatCount(keptCount(next))} kept lines.`);
    setText(noteText, parts.join(' '));
    show(allBtn, longEnough);
    allBtn.setAttribute('aria-expanded', String(all));
    setText(allBtn, all ? `Show only the latest ${formatCount(TAIL_LINES)}` : `Show all ${formatCount(keptCount(next))} lines`);
  }

  return {
    note,
    update(next) {
      if (next === log) return;
      log = next;
      draw(next);
    },
    /** How many lines are drawn now. */
    renderedLines: () => drawnCount,
  };
}
