// Home's list of recent sessions: title, datasets and when it was last used;
// a click reopens one with its whole conversation. Each can be moved to the
// trash, asked twice (the first click only turns the button into a question),
// so a slip of the mouse loses nothing.

import { h, show } from './dom.js';
import { icon } from './icons.js';
import { recentSessionLines } from '../home.js';

/** onOpen(sessionId), onTrash(sessionId). Returns { render(home) } for `state.home`. */
export function createRecentSessions(section, { onOpen, onTrash }) {
  const list = section.querySelector('.recent-list');
  const error = section.querySelector('.recent-error');
  let rendered = null;

  function trashButton(id) {
    const label = h('span', { class: 'btn-label', text: 'Move to trash' });
    const button = h(
      'button',
      {
        type: 'button',
        class: 'btn btn-ghost btn-xs recent-trash',
        dataset: { sessionId: id },
        onClick: () => {
          if (button.dataset.confirm === 'yes') {
            button.disabled = true;
            onTrash(id);
            return;
          }
          button.dataset.confirm = 'yes';
          label.textContent = 'Move to trash? Click again';
        },
        onBlur: () => {
          delete button.dataset.confirm;
          label.textContent = 'Move to trash';
        },
      },
      label,
    );
    return button;
  }

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
          { class: 'recent-line' },
          h(
            'button',
            { type: 'button', class: 'recent-item', dataset: { sessionId: line.id }, onClick: () => onOpen(line.id) },
            icon('table', 'icon--sm'),
            h('span', { class: 'recent-title', text: line.title }),
            h('span', { class: 'recent-meta', text: line.meta }),
          ),
          trashButton(line.id),
        ),
      ),
    );
  }

  return { render };
}
