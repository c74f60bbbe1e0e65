// Home's "Getting started" guide (<section id="first-run">), drawn from
// first-run.js's steps: each with a tick when done, what it means, and the
// button that does it ("Choose a model…" opens Settings there).

import { h, show } from './dom.js';
import { icon } from './icons.js';

/** onOpenSettings(section). Returns { render(steps | null) }. */
export function createFirstRunGuide(section, { onOpenSettings }) {
  const list = section.querySelector('.first-run-steps');
  const heading = section.querySelector('.first-run-heading');
  heading.tabIndex = -1;
  let rendered = '';
  return {
    render(steps) {
      show(section, Boolean(steps));
      const key = JSON.stringify(steps);
      if (!steps || key === rendered) return;
      rendered = key;
      // Focus on a step's button (Settings just gave it back) stays on that step's
      // new button, or on the guide when the step needs it no more.
      const active = document.activeElement;
      const focusedStep = list.contains(active) ? active.closest('.first-run-step')?.dataset.step : null;
      list.replaceChildren(
        ...steps.map((step, i) =>
          h(
            'li',
            { class: 'first-run-step', dataset: { step: step.id, done: step.done ? 'yes' : 'no' } },
            h(
              'span',
              { class: 'first-run-mark', 'aria-hidden': 'true' },
              step.done ? icon('check', 'icon--sm') : String(i + 1),
            ),
            h(
              'div',
              { class: 'first-run-text' },
              h(
                'span',
                { class: 'first-run-label' },
                step.label,
                step.done ? h('span', { class: 'visually-hidden', text: ' (done)' }) : null,
              ),
              h('span', { class: 'first-run-detail', text: step.detail }),
            ),
            step.action === 'settings-model'
              ? h('button', {
                  type: 'button',
                  class: 'btn btn-secondary btn-sm first-run-action',
                  text: 'Choose a model…',
                  onClick: () => onOpenSettings('model'),
                })
              : null,
          ),
        ),
      );
      if (focusedStep) (list.querySelector(`[data-step="${focusedStep}"] .first-run-action`) || heading).focus();
    },
  };
}
