// Pure: the banners of a reopened session whose datasets changed or moved
// since it used them (the engine checks each original against its fingerprint
// when the session opens). No DOM here; view/dataset-banners.js draws them.

import { basename } from './format.js';

/**
 * One banner per changed or missing dataset the analyst has not dismissed:
 * { name, tone: 'warning', text, locate } where `locate` offers "Locate it…".
 * `session.datasets` are as state.js keeps them ({ name, path, state, keptCopy }).
 */
export function datasetBanners(session) {
  if (!session || !Array.isArray(session.datasets)) return [];
  const dismissed = session.dismissedBanners || {};
  return session.datasets
    .filter((d) => (d.state === 'changed' || d.state === 'missing') && !Object.hasOwn(dismissed, d.name))
    .map((d) => (d.state === 'changed' ? changed(d) : missing(d)));
}

function changed(d) {
  const text = d.keptCopy
    ? `${d.name} has changed since this session used it: answers may differ from the file as it is now. This session goes on with the copy it kept.`
    : `${d.name} has changed since this session used it: answers may differ from the earlier ones.`;
  return { name: d.name, tone: 'warning', text, locate: false };
}

function missing(d) {
  const where = d.path || 'where it was';
  const text = d.keptCopy
    ? `${d.name} is no longer at ${where}. This session goes on with the copy it kept; locate the file to use it again.`
    : `${d.name} is no longer at ${where}. Locate it to go on with this session.`;
  return { name: d.name, tone: 'warning', text, locate: true };
}

/** The toast once the analyst pointed to the file's new place. */
export function locatedText(name, path, sameContent) {
  const file = basename(path) || path;
  return sameContent
    ? `${name}: found at ${path}. This session uses it from there.`
    : `${name}: ${file} at ${path} is not the same as the file this session used, so answers may differ. This session uses it from now on.`;
}
