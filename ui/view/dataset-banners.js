// The banners above a reopened session's conversation when one of its
// datasets changed or moved since it used them: what happened, "Locate it…"
// for a moved file (the native open dialog), and a button to close each.
// The words come from ../dataset-banners.js.

import { h } from './dom.js';
import { icon } from './icons.js';
import { datasetBanners } from '../dataset-banners.js';

/** onLocate(name), onDismiss(name). Returns { el, render(session, locating) }. */
export function createDatasetBanners({ onLocate, onDismiss }) {
  const el = h('div', { class: 'dataset-banners', hidden: true });
  let shown = null;

  /** locating: the name of the dataset whose new place is being chosen, or null. */
  function render(session, locating) {
    const banners = datasetBanners(session);
    const key = JSON.stringify([banners, locating]);
    if (key === shown) return;
    shown = key;
    el.hidden = banners.length === 0;
    el.replaceChildren(
      ...banners.map((b) =>
        h(
          'section',
          { class: 'dataset-banner', role: 'status', dataset: { tone: b.tone, dataset: b.name } },
          h('span', { class: 'dataset-banner-icon' }, icon('alert', 'icon--sm')),
          h('p', { class: 'dataset-banner-text', text: b.text }),
          h(
            'div',
            { class: 'dataset-banner-actions' },
            b.locate
              ? h('button', {
                  type: 'button',
                  class: 'btn btn-secondary btn-sm',
                  text: locating === b.name ? 'Locating…' : 'Locate it…',
                  disabled: locating === b.name,
                  onClick: () => onLocate(b.name),
                })
              : null,
            h(
              'button',
              { type: 'button', class: 'btn btn-ghost btn-sm', 'aria-label': `Close the note about ${b.name}`, onClick: () => onDismiss(b.name) },
              icon('close', 'icon--sm'),
            ),
          ),
        ),
      ),
    );
  }

  return { el, render };
}
