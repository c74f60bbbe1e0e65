// One run in the conversation: title, live status with elapsed time, the output
// lines (appended incrementally), charts and files, and the final summary.

import { h, setText, show } from './dom.js';
import { icon } from './icons.js';
import { outcomeStyle } from './outcomes.js';
import { formatBytes, formatCount, formatDuration, formatElapsed } from '../format.js';
import { logText, keptTexts, totalCount } from '../output-log.js';
import { createOutputLines } from './output-lines.js';
import { profileSection } from './profile-cards.js';

/** Output longer than this shows only its last 24 lines' height until "Show more" is pressed. */
const COLLAPSED_LINES = 40;

const IMAGE_MIMES = new Set(['image/png', 'image/svg+xml', 'image/jpeg', 'image/gif', 'image/webp']);

/** The Quick profile's pixel-font histogram pictures: once the cards draw the
 *  numbers, these are offered as files only, not shown as the main view. */
const PROFILE_PICTURE = /^hist_.*\.png$/i;

/**
 * deps: { fileSrc(path), onStop(runId), openImage({ src, name }), copyText(text),
 *         saveOutput(name, lines) (optional: "Save output…", every line, not only those drawn),
 *         describeColumn(run, profile, column) -> the column's description element (optional),
 *         chooseTable(run, profile, { sheet, headerRow }) -> a promise: another sheet or header
 *           row of a workbook saved and profiled again (optional) }
 * Returns { el, update(run), tick(now) }.
 */
export function createRunCard(run, deps) {
  const titleEl = h('h3', { class: 'card-title' });
  const statusIcon = h('span', { class: 'run-status-icon' });
  const statusText = h('span', { class: 'run-status-text' });
  const elapsedEl = h('span', { class: 'run-elapsed' });
  const imageEl = h('span', { class: 'run-image' });
  const stopBtn = h(
    'button',
    { type: 'button', class: 'btn btn-secondary btn-sm', onClick: () => deps.onStop(current.runId) },
    icon('stop', 'icon--sm'),
    h('span', { class: 'btn-label', text: 'Stop' }),
  );
  const stopLabel = stopBtn.querySelector('.btn-label');

  const head = h(
    'header',
    { class: 'card-head' },
    statusIcon,
    h(
      'div',
      { class: 'card-titles' },
      titleEl,
      h('p', { class: 'card-meta' }, statusText, elapsedEl, imageEl),
    ),
    h('div', { class: 'card-actions' }, stopBtn),
  );

  // Output: the latest lines (output-lines.js draws at most TAIL_LINES of them
  // until "Show all"), collapsed to their last few (where progress, results and
  // tracebacks are) until expanded.
  const lineCount = h('span', { class: 'output-count' });
  const expandBtn = h('button', {
    type: 'button',
    class: 'btn btn-ghost btn-xs',
    'aria-expanded': 'false',
    hidden: true,
    onClick: () => setExpanded(!expanded),
  });
  const copyBtn = h(
    'button',
    { type: 'button', class: 'btn btn-ghost btn-xs', onClick: () => deps.copyText(outputText()) },
    icon('copy', 'icon--xs'),
    'Copy',
  );
  const saveBtn = deps.saveOutput
    ? h(
        'button',
        {
          type: 'button',
          class: 'btn btn-ghost btn-xs output-save',
          onClick: () => current && deps.saveOutput(`${current.title} output`, keptTexts(current.output)),
        },
        icon('download', 'icon--xs'),
        'Save output…',
      )
    : null;
  const lines = h('div', { class: 'output', tabindex: '0', role: 'region', 'aria-label': 'Output' });
  lines.id = `output-${Math.random().toString(36).slice(2, 10)}`;
  expandBtn.setAttribute('aria-controls', lines.id);
  const outputLines = createOutputLines({ lines, onRedraw: () => updateCollapse() });
  const truncatedNote = h('p', { class: 'output-note', hidden: true });
  const outputSection = h(
    'section',
    { class: 'output-wrap', hidden: true },
    h('div', { class: 'output-bar' }, h('span', { class: 'output-label', text: 'Output' }), lineCount, h('span', { class: 'spacer' }), copyBtn, saveBtn, expandBtn),
    outputLines.note,
    lines,
    truncatedNote,
  );

  // The Quick profile's cards (typed numbers); with them, the text report waits
  // behind "Show the full text" (some people copy it).
  const profilesEl = h('div', { class: 'profiles', hidden: true });
  outputSection.id = `text-${lines.id}`;
  const textToggle = h('button', {
    type: 'button',
    class: 'btn btn-ghost btn-sm profile-text-toggle',
    'aria-expanded': 'false',
    'aria-controls': outputSection.id,
    hidden: true,
    onClick: () => {
      textShown = !textShown;
      if (current) update(current);
    },
  });

  const gallery = h('div', { class: 'gallery', hidden: true });
  const chips = h('div', { class: 'chips', hidden: true });

  const summaryIcon = h('span', { class: 'summary-icon' });
  const summaryTitle = h('strong', { class: 'summary-title' });
  const summaryText = h('p', { class: 'summary-text' });
  // The lines around a Python error in the code, the failing one marked "->".
  const summaryContext = h('pre', { class: 'summary-context', hidden: true });
  const summary = h(
    'div',
    { class: 'summary', hidden: true, role: 'status' },
    summaryIcon,
    h('div', { class: 'summary-body' }, summaryTitle, summaryText, summaryContext),
  );

  const el = h('article', { class: 'card run-card' }, head, profilesEl, textToggle, outputSection, gallery, chips, summary);

  let current = null;
  let renderedArtifacts = 0;
  let expanded = false;
  let textShown = false;
  let renderedProfiles = null;
  let artifactsWithProfiles = false;

  function outputText() {
    return current ? logText(current.output) : '';
  }

  function setExpanded(value) {
    expanded = value;
    updateCollapse();
  }

  function updateCollapse() {
    const shown = outputLines.renderedLines();
    const long = shown > COLLAPSED_LINES;
    show(expandBtn, long);
    lines.classList.toggle('output--collapsed', long && !expanded);
    expandBtn.setAttribute('aria-expanded', String(expanded));
    const label = expanded ? 'Show less' : 'Show more';
    if (expandBtn.dataset.label !== label) {
      expandBtn.dataset.label = label;
      expandBtn.replaceChildren(icon(expanded ? 'collapse' : 'expand', 'icon--xs'), label);
    }
  }

  function appendArtifacts(run) {
    const withProfiles = hasProfiles(run);
    if (
      withProfiles !== artifactsWithProfiles ||
      run.artifacts.length < renderedArtifacts ||
      run.artifacts.some((a, i) => i < renderedArtifacts && a !== current?.artifacts[i])
    ) {
      gallery.replaceChildren();
      chips.replaceChildren();
      renderedArtifacts = 0;
    }
    for (let i = renderedArtifacts; i < run.artifacts.length; i++) {
      const a = run.artifacts[i];
      if (withProfiles && PROFILE_PICTURE.test(a.name)) chips.append(pictureChip(a, deps));
      else if (IMAGE_MIMES.has(a.mime)) gallery.append(imageFigure(a, deps));
      else chips.append(fileChip(a));
    }
    renderedArtifacts = run.artifacts.length;
    artifactsWithProfiles = withProfiles;
    show(gallery, gallery.childElementCount > 0);
    show(chips, chips.childElementCount > 0);
  }

  function update(run) {
    const prev = current;
    if (!prev || prev.output !== run.output) {
      outputLines.update(run.output);
      updateCollapse();
    }
    if (!prev || prev.artifacts !== run.artifacts || hasProfiles(prev) !== hasProfiles(run)) appendArtifacts(run);
    current = run;

    const profiles = hasProfiles(run) ? run.profiles : null;
    if (profiles !== renderedProfiles) {
      profilesEl.replaceChildren(
        ...(profiles || []).map((p) =>
          profileSection(
            p,
            deps.describeColumn ? (column) => deps.describeColumn(run, p, column) : null,
            deps.chooseTable ? (choice) => deps.chooseTable(run, p, choice) : null,
          ),
        ),
      );
      renderedProfiles = profiles;
    }
    show(profilesEl, Boolean(profiles));

    setText(titleEl, run.title);
    setText(imageEl, run.image || '');
    show(imageEl, Boolean(run.image));

    const total = totalCount(run.output);
    show(outputSection, total > 0 && (!profiles || textShown));
    show(textToggle, Boolean(profiles) && total > 0);
    textToggle.setAttribute('aria-expanded', String(textShown));
    const toggleLabel = textShown ? 'Hide the full text' : 'Show the full text';
    if (textToggle.dataset.label !== toggleLabel) {
      textToggle.dataset.label = toggleLabel;
      textToggle.replaceChildren(icon(textShown ? 'collapse' : 'expand', 'icon--xs'), toggleLabel);
    }
    setText(lineCount, `${formatCount(total)} ${total === 1 ? 'line' : 'lines'}`);
    const truncated = Boolean(run.finished && run.finished.outputTruncated);
    show(truncatedNote, truncated);
    if (truncated) setText(truncatedNote, 'The output was very long, so Sandpiper kept only the first part of it.');

    const finished = run.phase === 'finished' && run.finished;
    el.dataset.phase = run.phase;
    show(stopBtn, !finished);
    stopBtn.disabled = Boolean(run.stopping);
    setText(stopLabel, run.stopping ? 'Stopping…' : 'Stop');
    stopBtn.setAttribute('aria-label', run.stopping ? `Stopping ${run.title}` : `Stop ${run.title}`);

    if (finished) {
      const style = outcomeStyle(run.finished.outcome);
      el.dataset.tone = style.tone;
      statusIcon.replaceChildren(icon(style.icon));
      statusIcon.className = `run-status-icon tone-${style.tone}`;
      setText(statusText, style.label);
      const duration = formatDuration(run.finished.durationMs);
      setText(elapsedEl, duration);
      show(elapsedEl, Boolean(duration));

      summary.className = `summary tone-${style.tone}`;
      summaryIcon.replaceChildren(icon(style.icon));
      setText(summaryTitle, duration ? `${style.label} · ${duration}` : style.label);
      setText(summaryText, run.finished.summary);
      show(summaryText, Boolean(run.finished.summary));
      const context = run.finished.error && run.finished.error.context;
      setText(summaryContext, context || '');
      show(summaryContext, Boolean(context));
      show(summary, true);
    } else {
      delete el.dataset.tone;
      if (!statusIcon.querySelector('.spinner')) statusIcon.replaceChildren(h('span', { class: 'spinner', 'aria-hidden': 'true' }));
      statusIcon.className = 'run-status-icon tone-accent';
      setText(statusText, run.stopping ? 'Stopping' : run.phase === 'starting' ? 'Preparing the sandbox' : 'Running');
      show(elapsedEl, run.phase === 'running' && run.startedAt !== null);
      show(summary, false);
      tick(Date.now());
    }
  }

  function tick(now) {
    if (!current || current.phase !== 'running' || current.startedAt === null) return;
    setText(elapsedEl, formatElapsed(now - current.startedAt));
  }

  update(run);
  return { el, update, tick };
}

function imageFigure(a, deps) {
  const src = deps.fileSrc(a.path);
  const img = h('img', { src, alt: a.name, loading: 'lazy', decoding: 'async' });
  const caption = h(
    'figcaption',
    {},
    h('span', { class: 'figure-name', text: a.name }),
    a.sizeBytes !== null ? h('span', { class: 'figure-size', text: formatBytes(a.sizeBytes) }) : null,
  );
  const open = h(
    'button',
    { type: 'button', class: 'figure-open', 'aria-label': `Open ${a.name} larger`, onClick: () => deps.openImage({ src, name: a.name }) },
    img,
  );
  return h('figure', { class: 'figure' }, open, caption);
}

function hasProfiles(run) {
  return Array.isArray(run.profiles) && run.profiles.length > 0;
}

/** A profile histogram picture kept as a file: opens larger (and can be saved from there). */
function pictureChip(a, deps) {
  return h(
    'button',
    {
      type: 'button',
      class: 'chip chip--button',
      title: a.path,
      'aria-label': `Open the picture ${a.name}`,
      onClick: () => deps.openImage({ src: deps.fileSrc(a.path), name: a.name }),
    },
    icon('file', 'icon--sm'),
    h('span', { class: 'chip-name', text: a.name }),
    a.sizeBytes !== null ? h('span', { class: 'chip-size', text: formatBytes(a.sizeBytes) }) : null,
  );
}

function fileChip(a) {
  const kind = /csv|tab-separated|excel|spreadsheet/.test(a.mime) ? 'table' : 'file';
  return h(
    'span',
    { class: 'chip', title: a.path },
    icon(kind, 'icon--sm'),
    h('span', { class: 'chip-name', text: a.name }),
    a.sizeBytes !== null ? h('span', { class: 'chip-size', text: formatBytes(a.sizeBytes) }) : null,
  );
}
