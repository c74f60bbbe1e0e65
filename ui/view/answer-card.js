// A question the analyst asked, and the model's answer: the reply streaming in,
// "Trying again" while the provider is busy, the call's tokens, what went wrong in
// plain words, and a "What was sent" disclosure with exactly the text sent.

import { h, setText, show } from './dom.js';
import { icon } from './icons.js';
import { formatDuration } from '../format.js';
import { describeSent, callUsageText } from '../conversation-text.js';
import { fixFor } from '../errors.js';

export function createQuestionCard(item) {
  const text = h('p', { class: 'question-text' });
  const el = h('article', { class: 'question-card' }, text);
  function update(q) {
    setText(text, q.text);
  }
  update(item);
  return { el, update };
}

/** deps: { onStopAnswer(callId), onOpenSettings(section) }. Returns { el, update(answer) }. */
export function createAnswerCard(answer, deps) {
  const badge = h('div', { class: 'card-badge tone-accent' }, icon('info'));
  const title = h('h3', { class: 'card-title' });
  const status = h('span', { class: 'answer-status' });
  const modelEl = h('span', { class: 'answer-model' });
  const stopBtn = h(
    'button',
    { type: 'button', class: 'btn btn-secondary btn-sm', onClick: () => deps.onStopAnswer(current.callId) },
    icon('stop', 'icon--sm'),
    h('span', { class: 'btn-label', text: 'Stop' }),
  );
  const reply = h('div', { class: 'answer-text', 'aria-live': 'polite' });
  const retry = h('p', { class: 'answer-retry', role: 'status' });
  const errorTitle = h('strong');
  const errorAdvice = h('p', { class: 'error-advice' });
  const errorFix = h('button', {
    type: 'button',
    class: 'btn btn-secondary btn-sm error-fix',
    onClick: () => deps.onOpenSettings(fixFor(current.error.code).section),
  });
  const errorBox = h('div', { class: 'answer-error', role: 'alert' }, errorTitle, errorAdvice, errorFix);
  const usage = h('p', { class: 'answer-usage' });
  const sentNote = h('p', { class: 'sent-note' });
  const sentText = h('pre', { class: 'sent-text' });
  const sent = h(
    'details',
    { class: 'sent' },
    h('summary', { class: 'sent-summary' }, icon('chevronRight', 'icon--xs sent-chevron'), 'What was sent'),
    sentNote,
    sentText,
  );
  const el = h(
    'article',
    { class: 'card answer-card' },
    h(
      'header',
      { class: 'card-head' },
      badge,
      h('div', { class: 'card-titles' }, title, h('p', { class: 'card-meta' }, status, modelEl)),
      h('div', { class: 'card-actions' }, stopBtn),
    ),
    retry,
    reply,
    errorBox,
    usage,
    sent,
  );

  let current = answer;
  function update(a) {
    current = a;
    el.dataset.phase = a.phase;
    const failed = Boolean(a.error);
    setText(title, failed ? 'No answer' : 'Answer');
    badge.className = `card-badge ${failed ? 'tone-danger' : a.phase === 'finished' ? 'tone-success' : 'tone-accent'}`;
    setText(status, statusText(a));
    setText(modelEl, a.model || '');
    show(modelEl, Boolean(a.model));
    // Only a window that can stop a model call offers Stop.
    show(stopBtn, a.phase !== 'finished' && typeof deps.onStopAnswer === 'function');
    stopBtn.disabled = a.stopping;
    setText(stopBtn.querySelector('.btn-label'), a.stopping ? 'Stopping…' : 'Stop');

    setText(reply, a.text);
    show(reply, a.text.length > 0);
    show(retry, Boolean(a.retrying));
    if (a.retrying) {
      const r = a.retrying;
      const of = r.maxAttempts ? ` of ${r.maxAttempts}` : '';
      setText(retry, `${r.reason} Trying again in ${formatDuration(r.waitMs)} (try ${r.attempt + 1}${of}).`);
    }
    show(errorBox, failed);
    if (failed) {
      setText(errorTitle, a.error.title);
      setText(errorAdvice, a.error.advice);
      show(errorAdvice, Boolean(a.error.advice));
    }
    const fix = failed ? fixFor(a.error.code) : null;
    show(errorFix, Boolean(fix && deps.onOpenSettings));
    if (fix) setText(errorFix, fix.label);
    const usageText = callUsageText(a);
    setText(usage, usageText);
    show(usage, Boolean(usageText));

    show(sent, Boolean(a.sent));
    if (a.sent) {
      const { note, text } = describeSent(a.sent);
      setText(sentNote, note);
      setText(sentText, text);
    }
  }

  update(answer);
  return { el, update };
}

function statusText(a) {
  if (a.phase === 'finished') {
    if (a.error) return 'Stopped';
    return a.durationMs !== null ? `Answered in ${formatDuration(a.durationMs)}` : 'Answered';
  }
  if (a.retrying) return 'Waiting for the provider';
  if (a.phase === 'streaming') return 'Writing…';
  return 'Asking…';
}
