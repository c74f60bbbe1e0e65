// Home's list of recent sessions: title, datasets and when it was last used;
// a click reopens one with its whole conversation.

import { h, show } from './dom.js';
import { icon } from './icons.js';
import { recentSessionLines } from '../home.js';

/** onOpen(sessionId). Returns { render(home) } for `state.home`. */
export function createRecentSessions(section, { onOpen }) {
  const list = section.querySelector('.recent-list');
  const error = section.querySelector('.recent-error');
  let rendered = null;

  function render(home) {
    const lines = recentSessionLines(home.sessions || [], Date.now());
    show(section, lines.length > 0 || Boolean(home.error));
    show(error, Boolean(home.error));
    if (home.error) error.textContent = `${home.error.title} ${home.error.advice}`.trim();
    if (rendered === home.sessions) return;
    rendered = home.sessions;
    list.replaceChildren(
      ...lines.map((line) =>
        h(
          'li',
          {},
          h(
            'button',
            { type: 'button', class: 'recent-item', dataset: { sessionId: line.id }, onClick: () => onOpen(line.id) },
            icon('table', 'icon--sm'),
            h('span', { class: 'recent-title', text: line.title }),
            h('span', { class: 'recent-meta', text: line.meta }),
          ),
        ),
      ),
    );
  }

  return { render };
}
