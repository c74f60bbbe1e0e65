// The containers panel (<dialog id="containers-dialog">), opened from Settings:
// Sandpiper's containers with their session, image, state, age, size and
// packages; Stop, Remove (asked twice, like Move to trash), Remove all unused.
// Every action lists the containers again, so what is shown is what Docker says.

import { h, setText, show } from './dom.js';
import { openModal } from './modal.js';
import { containerRows, containersSummary } from '../containers.js';
import { toUserError } from '../errors.js';

/** backend: { listContainers, stopContainer, removeContainer, removeUnusedContainers }. */
export function createContainersDialog({ dialog, backend, toaster }) {
  const list = dialog.querySelector('#containers-list');
  const summary = dialog.querySelector('#containers-summary');
  const errorBox = dialog.querySelector('#containers-error');
  const pruneBtn = dialog.querySelector('[data-action="prune"]');
  let busy = false;

  for (const btn of dialog.querySelectorAll('[data-action="close"]')) btn.addEventListener('click', () => dialog.close());

  function showError(err) {
    show(errorBox, Boolean(err));
    if (!err) return;
    setText(errorBox.querySelector('.form-error-title'), err.title);
    setText(errorBox.querySelector('.form-error-advice'), err.advice);
  }

  async function refresh() {
    try {
      const rows = containerRows(await backend.listContainers(), Date.now());
      showError(null);
      setText(summary, containersSummary(rows));
      list.replaceChildren(...rows.map(rowView));
      dialog.dataset.loaded = 'yes';
    } catch (err) {
      setText(summary, '');
      list.replaceChildren();
      showError(toUserError(err, "Could not list Sandpiper's containers"));
    }
  }

  /** Runs one action, then lists again; a failure says why in the dialog. */
  async function act(what, fallback) {
    if (busy) return;
    busy = true;
    pruneBtn.disabled = true;
    for (const b of list.querySelectorAll('button')) b.disabled = true;
    try {
      const done = await what();
      if (done) toaster.show(done, 'success');
    } catch (err) {
      showError(toUserError(err, fallback));
      busy = false;
      pruneBtn.disabled = false;
      for (const b of list.querySelectorAll('button')) b.disabled = false;
      return;
    }
    busy = false;
    pruneBtn.disabled = false;
    await refresh();
    // The row whose button had focus was drawn anew (or is gone): keep the
    // keyboard in the dialog.
    if (dialog.open && !dialog.contains(document.activeElement)) pruneBtn.focus();
  }

  function rowView(row) {
    const removeLabel = h('span', { class: 'btn-label', text: 'Remove' });
    const remove = h(
      'button',
      {
        type: 'button',
        class: 'btn btn-ghost btn-xs container-remove',
        'aria-label': `Remove ${row.title}`,
        onClick: () => {
          if (remove.dataset.confirm !== 'yes') {
            remove.dataset.confirm = 'yes';
            removeLabel.textContent = 'Remove? Click again';
            remove.setAttribute('aria-label', `Remove ${row.title}? Press again to remove it`);
            return;
          }
          act(async () => {
            await backend.removeContainer(row.id);
            return 'Container removed.';
          }, 'Could not remove the container');
        },
        onBlur: () => {
          delete remove.dataset.confirm;
          removeLabel.textContent = 'Remove';
          remove.setAttribute('aria-label', `Remove ${row.title}`);
        },
      },
      removeLabel,
    );
    const stop = row.running
      ? h('button', {
          type: 'button',
          class: 'btn btn-ghost btn-xs container-stop',
          text: 'Stop',
          'aria-label': `Stop ${row.title}`,
          onClick: () =>
            act(async () => {
              await backend.stopContainer(row.id);
              return 'Container stopped.';
            }, 'Could not stop the container'),
        })
      : null;
    const facts = [row.image, row.age, row.size].filter(Boolean).join(' · ');
    return h(
      'li',
      {
        class: 'container-line',
        dataset: { containerId: row.id, sessionId: row.sessionId || '', state: row.running ? 'running' : 'stopped' },
      },
      h(
        'div',
        { class: 'container-text' },
        h('span', { class: 'container-title', text: row.title }),
        h('span', { class: 'container-meta', text: facts }),
        row.packages ? h('span', { class: 'container-meta', text: row.packages }) : null,
      ),
      h('span', { class: `container-state tone-${row.running ? 'success' : 'neutral'}`, text: row.state }),
      h('div', { class: 'container-actions' }, stop, remove),
    );
  }

  pruneBtn.addEventListener('click', () =>
    act(async () => {
      const removed = await backend.removeUnusedContainers();
      return removed > 0 ? 'Removed what no session uses.' : 'Nothing was unused.';
    }, 'Could not remove the unused containers'),
  );

  return {
    async open() {
      delete dialog.dataset.loaded;
      showError(null);
      setText(summary, 'Looking for containers…');
      list.replaceChildren();
      openModal(dialog);
      await refresh();
    },
  };
}
