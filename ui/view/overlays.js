// Window-level overlays: the drop target shown while files are dragged over the
// window, the image lightbox, transient toasts, and a screen-reader announcer.

import { basename } from '../format.js';
import { h, setText } from './dom.js';
import { openModal } from './modal.js';

export function createDropOverlay(el) {
  const files = el.querySelector('#drop-files');
  let lastPaths = [];
  return {
    /** paths: the dragged files (known on 'enter'; 'over' repeats the last ones). */
    show(paths) {
      if (Array.isArray(paths) && paths.length) lastPaths = paths;
      const names = lastPaths.map(basename);
      const text =
        names.length === 0 ? '' : names.length <= 3 ? names.join(', ') : `${names.slice(0, 2).join(', ')} and ${names.length - 2} more`;
      setText(files, text);
      if (el.hidden) el.hidden = false;
      document.documentElement.classList.add('is-dragging');
    },
    hide() {
      el.hidden = true;
      lastPaths = [];
      document.documentElement.classList.remove('is-dragging');
    },
  };
}

export function createLightbox(dialog) {
  const img = dialog.querySelector('#lightbox-img');
  const name = dialog.querySelector('#lightbox-name');
  dialog.querySelector('[data-action="close"]').addEventListener('click', () => dialog.close());
  // A click on the backdrop (the dialog box itself, outside the figure) closes it.
  dialog.addEventListener('click', (e) => {
    if (e.target === dialog) dialog.close();
  });
  dialog.addEventListener('close', () => img.removeAttribute('src'));
  return {
    open({ src, name: title }) {
      img.src = src;
      img.alt = title;
      setText(name, title);
      openModal(dialog);
    },
  };
}

export function createToaster(container) {
  return {
    show(message, tone = 'neutral', ms = 3200) {
      const toast = h('div', { class: `toast tone-${tone}` }, message);
      container.append(toast);
      requestAnimationFrame(() => toast.classList.add('toast--in'));
      setTimeout(() => {
        toast.classList.remove('toast--in');
        setTimeout(() => toast.remove(), 250);
      }, ms);
    },
  };
}

export function createAnnouncer(el) {
  return {
    say(message) {
      el.textContent = '';
      // A separate task, so screen readers notice the change even for repeats.
      setTimeout(() => {
        el.textContent = message;
      }, 50);
    },
  };
}
