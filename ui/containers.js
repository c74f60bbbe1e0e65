// The containers panel's words: one line per Sandpiper container (which
// session it is for, its image, running or stopped, how old, how big, what was
// installed in it) and the panel's summary. Pure, so node tests can check them.

import { formatBytes, formatCount } from './format.js';
import { ago } from './home.js';

/**
 * list_containers' answer -> [{ id, sessionId, title, image, state, running, age, size, packages }].
 * `now` in milliseconds; `created_at` comes in seconds, as Docker says it.
 */
export function containerRows(list, now) {
  const rows = (Array.isArray(list) ? list : [])
    .filter((c) => c && typeof c.id === 'string' && c.id)
    .map((c) => {
      // pip, setuptools and wheel come with every Python: only what analyses added.
      const packages = (Array.isArray(c.packages) ? c.packages : []).filter(
        (p) => typeof p === 'string' && !PYTHONS_OWN.has(p.toLowerCase().split(/[=<>~!]/)[0]),
      );
      return {
        id: c.id,
        sessionId: typeof c.session_id === 'string' ? c.session_id : null,
        title: containerTitle(c),
        image: imageName(c.image),
        running: c.running === true,
        state: c.running === true ? 'Running' : 'Stopped',
        age: typeof c.created_at === 'number' ? ago(c.created_at * 1000, now).replace(/ ago$/, ' old').replace('just now', 'new') : '',
        size: typeof c.size_bytes === 'number' ? formatBytes(c.size_bytes) : '',
        packages: packages.length ? `Installed: ${packages.join(', ')}` : '',
        createdAt: typeof c.created_at === 'number' ? c.created_at : 0,
        saved: typeof c.session_title === 'string' && c.session_title !== '',
      };
    });
  // The analyst's own sessions first, then running before stopped, newest first.
  return rows
    .sort((a, b) => Number(b.saved) - Number(a.saved) || Number(b.running) - Number(a.running) || b.createdAt - a.createdAt)
    .map(({ createdAt, saved, ...row }) => row);
}

const PYTHONS_OWN = new Set(['pip', 'setuptools', 'wheel']);

/** An image by its name; one built here without a name by the start of its id. */
function imageName(image) {
  if (typeof image !== 'string') return '';
  const id = /^sha256:([0-9a-f]{12})[0-9a-f]*$/.exec(image);
  return id ? `image ${id[1]} (built on this computer)` : image;
}

function containerTitle(c) {
  if (typeof c.session_title === 'string' && c.session_title) return c.session_title;
  if (typeof c.session_id === 'string' && c.session_id) return 'A session that is no longer saved';
  // A run's own container is removed when the run ends: a stopped one was left
  // behind by a run that crashed.
  return c.running === true ? 'A single run' : 'A single run (left behind)';
}

/** "2 containers, 1 running, 45 MB in all" or "No containers". */
export function containersSummary(rows) {
  if (!rows.length) return 'Sandpiper has no containers on this computer right now.';
  const running = rows.filter((r) => r.running).length;
  const parts = [`${formatCount(rows.length)} ${rows.length === 1 ? 'container' : 'containers'}`, `${formatCount(running)} running`];
  return `${parts.join(', ')}.`;
}
