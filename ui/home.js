// Home's words for the recent sessions. Pure, so node tests can check them.

import { formatCount } from './format.js';

/** At most this many sessions are listed on Home, newest first. */
export const RECENT_LIMIT = 12;

/** [{ id, title, meta }] with meta like "sales.csv · 2 questions · 5 min ago". */
export function recentSessionLines(sessions, now) {
  return sessions.slice(0, RECENT_LIMIT).map((s) => {
    const parts = [];
    const datasets = Array.isArray(s.datasets) ? s.datasets : [];
    if (datasets.length) parts.push(datasets.join(', '));
    const steps = typeof s.steps === 'number' ? s.steps : 0;
    parts.push(steps === 0 ? 'no questions yet' : `${formatCount(steps)} ${steps === 1 ? 'question' : 'questions'}`);
    const when = ago(s.updated_at, now);
    if (when) parts.push(when);
    return { id: s.id, title: s.title || 'Untitled session', meta: parts.join(' · ') };
  });
}

/** "just now", "5 min ago", "3 h ago", "2 days ago", or a date for older ones. */
export function ago(at, now) {
  if (typeof at !== 'number' || !(at > 0)) return '';
  const seconds = Math.max(0, Math.round((now - at) / 1000));
  if (seconds < 60) return 'just now';
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `${minutes} min ago`;
  const hours = Math.round(minutes / 60);
  if (hours < 24) return `${hours} h ago`;
  const days = Math.round(hours / 24);
  if (days < 14) return `${days} ${days === 1 ? 'day' : 'days'} ago`;
  return new Date(at).toISOString().slice(0, 10);
}
