// Docker readiness: the pill in the header and, when Docker is not ready, the
// panel that says what to do about it.

import { h, setText, show } from './dom.js';
import { icon } from './icons.js';

const PILL = {
  ready: { tone: 'success', label: 'Docker is ready' },
  not_running: { tone: 'warning', label: 'Docker is not running' },
  no_permission: { tone: 'warning', label: 'No access to Docker' },
  not_installed: { tone: 'danger', label: 'Docker is not installed' },
  error: { tone: 'danger', label: 'Docker has a problem' },
};

/** mode: 'app' | 'browser'. docker: state.docker. */
export function renderDockerPill(pill, mode, docker) {
  const label = pill.querySelector('.pill-label');
  let tone = 'neutral';
  let text = 'Checking Docker…';
  let tip = 'Checking whether Docker is ready';
  if (mode === 'browser') {
    text = 'Not connected';
    tip = 'This page only works inside the Sandpiper app';
  } else if (docker.status) {
    const s = PILL[docker.status.state] || PILL.error;
    tone = s.tone;
    text = s.label;
    const details = [docker.status.version && `Docker ${docker.status.version}`, docker.status.endpoint].filter(Boolean);
    tip = docker.status.state === 'ready' ? details.join(' · ') || text : `${docker.status.title || text}. Click to check again.`;
  }
  pill.dataset.tone = tone;
  pill.dataset.mode = mode;
  pill.disabled = mode === 'browser';
  setText(label, text);
  pill.title = tip;
  pill.setAttribute('aria-label', `${text}. ${mode === 'browser' ? '' : 'Check again.'}`.trim());
}

export function createDockerPanel({ onCheckAgain }) {
  const badge = h('div', { class: 'panel-badge' });
  const title = h('h2', { class: 'panel-title' });
  const advice = h('p', { class: 'panel-advice' });
  const btnLabel = h('span', { text: 'Check again' });
  const btnIcon = h('span', { class: 'btn-icon' }, icon('refresh', 'icon--sm'));
  const button = h('button', { type: 'button', class: 'btn btn-primary', onClick: onCheckAgain }, btnIcon, btnLabel);
  const auto = h('p', { class: 'panel-hint', text: 'Sandpiper checks again every 5 seconds on its own.' });
  const el = h(
    'section',
    { class: 'docker-panel', hidden: true, 'aria-labelledby': 'docker-panel-title' },
    badge,
    h('div', { class: 'panel-body' }, title, advice, h('div', { class: 'panel-actions' }, button, auto)),
  );
  title.id = 'docker-panel-title';

  function render(docker) {
    const status = docker.status;
    const visible = Boolean(status && status.state !== 'ready');
    show(el, visible);
    if (!visible) return;
    const tone = (PILL[status.state] || PILL.error).tone;
    el.dataset.tone = tone;
    badge.className = `panel-badge tone-${tone}`;
    if (badge.dataset.state !== status.state) {
      badge.dataset.state = status.state;
      badge.replaceChildren(icon(status.state === 'not_installed' ? 'box' : 'alert'));
    }
    setText(title, status.title || (PILL[status.state] || PILL.error).label);
    setText(advice, status.advice);
    show(advice, Boolean(status.advice));
    const busy = docker.checking && docker.manualCheck;
    button.disabled = busy;
    button.setAttribute('aria-busy', String(busy));
    setText(btnLabel, busy ? 'Checking…' : 'Check again');
    btnIcon.classList.toggle('spin', busy);
  }

  return { el, render };
}
