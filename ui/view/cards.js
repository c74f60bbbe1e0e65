// The smaller conversation cards: image download progress, a file being opened,
// and a command that failed.

import { h, setText, show } from './dom.js';
import { icon } from './icons.js';
import { formatBytes } from '../format.js';
import { fixFor } from '../errors.js';

/** The sandbox image being downloaded (first run only). */
export function createPullCard(pull) {
  const badge = h('div', { class: 'card-badge tone-accent' }, icon('cloud'));
  const title = h('h3', { class: 'card-title' });
  const meta = h('p', { class: 'card-meta' });
  const fill = h('div', { class: 'progress-fill' });
  const bar = h('div', { class: 'progress', role: 'progressbar', 'aria-label': 'Download progress', 'aria-valuemin': '0', 'aria-valuemax': '100' }, fill);
  const note = h('p', {
    class: 'card-note',
    text: 'Sandpiper needs this once. Later runs start straight away, even offline.',
  });
  const el = h(
    'article',
    { class: 'card pull-card' },
    h('header', { class: 'card-head' }, badge, h('div', { class: 'card-titles' }, title, meta)),
    bar,
    note,
  );

  function update(p) {
    const ready = p.status === 'ready';
    const { fraction, currentBytes, totalBytes, layerCount, layersDone } = p.progress;
    el.dataset.status = p.status;
    setText(title, ready ? 'The Python environment is ready' : 'Downloading the Python environment (one time)…');
    const parts = [p.image];
    if (!ready && totalBytes > 0) parts.push(`${formatBytes(currentBytes)} of ${formatBytes(totalBytes)}`);
    if (!ready && layerCount > 0) parts.push(`${layersDone} of ${layerCount} parts`);
    setText(meta, parts.join(' · '));
    badge.className = `card-badge ${ready ? 'tone-success' : 'tone-accent'}`;
    badge.replaceChildren(icon(ready ? 'check' : 'cloud'));
    const indeterminate = !ready && fraction === null;
    bar.classList.toggle('progress--indeterminate', indeterminate);
    if (indeterminate) {
      bar.removeAttribute('aria-valuenow');
      fill.style.width = '';
    } else {
      const pct = Math.round((ready ? 1 : fraction) * 100);
      bar.setAttribute('aria-valuenow', String(pct));
      fill.style.width = `${pct}%`;
    }
    show(note, !ready);
    show(bar, !ready);
  }

  update(pull);
  return { el, update };
}

/** A file we asked the engine to open, until it answers with a run id or an error. */
export function createPendingCard(item) {
  const label = h('span');
  const el = h('article', { class: 'card pending-card' }, h('span', { class: 'spinner', 'aria-hidden': 'true' }), label);
  function update(p) {
    setText(label, `Opening ${p.name}…`);
  }
  update(item);
  return { el, update };
}

/** A command that failed: title and advice in plain words, the fix when there is
 *  one ("Open Settings"), dismissible. */
export function createErrorCard(item, { onDismiss, onOpenSettings }) {
  const title = h('h3', { class: 'card-title' });
  const context = h('p', { class: 'card-meta' });
  const advice = h('p', { class: 'error-advice' });
  const fixButton = h('button', {
    type: 'button',
    class: 'btn btn-secondary btn-sm error-fix',
    onClick: () => onOpenSettings(fixFor(current.code).section),
  });
  const dismiss = h(
    'button',
    { type: 'button', class: 'icon-btn', 'aria-label': 'Dismiss', title: 'Dismiss', onClick: () => onDismiss(current.key) },
    icon('close', 'icon--sm'),
  );
  const el = h(
    'article',
    { class: 'card error-card', role: 'alert' },
    h(
      'header',
      { class: 'card-head' },
      h('div', { class: 'card-badge tone-danger' }, icon('alert')),
      h('div', { class: 'card-titles' }, title, context),
      h('div', { class: 'card-actions' }, dismiss),
    ),
    advice,
    fixButton,
  );
  let current = item;
  function update(e) {
    current = e;
    const fix = fixFor(e.code);
    show(fixButton, Boolean(fix && onOpenSettings));
    if (fix) setText(fixButton, fix.label);
    setText(title, e.title);
    setText(context, e.context || '');
    show(context, Boolean(e.context));
    setText(advice, e.advice);
    show(advice, Boolean(e.advice));
  }
  update(item);
  return { el, update };
}
