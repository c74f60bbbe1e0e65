// One question to the analysis agent: the question, what the agent did (notices
// and each try: "Try N of M", its code behind "Show code", the running try's
// live output, why a failed try failed), the charts and files, the answer with
// unbacked numbers marked, or the give-up with its suggestion, or the error
// with its fix, and the step's tokens. Built from a step of steps.js, the same
// for a live step and a reopened one. Parts are created once and updated in
// place, so an open "Show code" stays open while output streams in.

import { h, setText, show } from './dom.js';
import { icon } from './icons.js';
import { formatBytes } from '../format.js';
import { fixFor } from '../errors.js';
import { describeSent } from '../conversation-text.js';
import { logFromText, keptCount, keptTexts } from '../output-log.js';
import { createOutputLines } from './output-lines.js';
import { tryLabel, tryStatus, tryFiles, canExplain, stepStateText, stepUsageText, visibleTimeline, chartsWithData } from '../steps.js';

const IMAGE_MIMES = new Set(['image/png', 'image/svg+xml', 'image/jpeg', 'image/gif', 'image/webp']);

/**
 * deps: { fileSrc(path), onStopStep(stepId), onAnswerInstall(stepId, questionId, allowed),
 *         onOpenSettings(section), openImage({ src, name }),
 *         onExplainStep(stepId) -> Promise<text> (optional),
 *         saveOutput(name, lines) (optional: a try's "Save output…", every line it printed) }
 * Returns { el, update(item) }.
 */
export function createStepCard(item, deps) {
  const question = h('p', { class: 'question-text' });
  const questionCard = h('div', { class: 'question-card' }, question);
  const badge = h('div', { class: 'card-badge tone-accent' });
  const status = h('h3', { class: 'card-title step-status' });
  const datasets = h('p', { class: 'card-meta' });
  const stopBtn = h(
    'button',
    { type: 'button', class: 'btn btn-secondary btn-sm step-stop', onClick: () => deps.onStopStep(current.stepId) },
    icon('stop', 'icon--sm'),
    h('span', { class: 'btn-label', text: 'Stop' }),
  );
  const timeline = h('ol', { class: 'step-timeline' });
  const installText = h('p', { class: 'install-question-text' });
  installText.id = `install-text-${Math.random().toString(36).slice(2, 10)}`;
  const answerInstall = (allowed) => {
    const asked = current.installQuestion;
    if (asked) deps.onAnswerInstall(current.stepId, asked.questionId, allowed);
  };
  const installYes = h('button', { type: 'button', class: 'btn btn-primary btn-sm install-yes', text: 'Install', onClick: () => answerInstall(true) });
  const installNo = h('button', { type: 'button', class: 'btn btn-secondary btn-sm install-no', text: 'Don\u2019t install', onClick: () => answerInstall(false) });
  const installBox = h(
    'div',
    { class: 'install-question', role: 'alertdialog', 'aria-label': 'Install a package?', tabindex: '-1' },
    installText,
    h('div', { class: 'card-actions' }, installYes, installNo),
  );
  installBox.setAttribute('aria-describedby', installText.id);
  const answer = h('div', { class: 'step-answer', 'aria-live': 'polite' });
  const answerFiles = h('div', { class: 'artifacts' });
  const gaveUp = h('div', { class: 'step-gave-up' });
  const errorTitle = h('strong');
  const errorAdvice = h('p', { class: 'error-advice' });
  const errorFix = h('button', {
    type: 'button',
    class: 'btn btn-secondary btn-sm error-fix',
    onClick: () => deps.onOpenSettings(fixFor(current.error.code).section),
  });
  const errorBox = h('div', { class: 'answer-error step-error', role: 'alert' }, errorTitle, errorAdvice, errorFix);
  const usage = h('p', { class: 'answer-usage step-usage' });
  // "Explain this step": the model says in plain words what the code did.
  // Shown here, not saved: asking again asks the model again.
  const explainLabel = h('span', { class: 'btn-label', text: 'Explain this step' });
  const explainBtn = h(
    'button',
    { type: 'button', class: 'btn btn-secondary btn-sm step-explain', onClick: () => explain() },
    explainLabel,
  );
  const explanation = h('div', { class: 'step-explanation', 'aria-live': 'polite', hidden: true });
  const explainRow = h('div', { class: 'step-explain-row' }, explainBtn, explanation);
  // The questions the answer suggests asking next: one click asks one.
  const followUps = h('div', { class: 'follow-ups', role: 'group', 'aria-label': 'Ask next', hidden: true });
  async function explain() {
    explainBtn.disabled = true;
    setText(explainLabel, 'Explaining…');
    try {
      const text = await deps.onExplainStep(current.stepId);
      explanation.dataset.state = 'done';
      explanation.replaceChildren(
        h('p', { class: 'step-explanation-title', text: 'What this step did' }),
        h('p', { class: 'step-explanation-text', text: String(text ?? '') }),
      );
    } catch (err) {
      explanation.dataset.state = 'failed';
      const e = err && typeof err === 'object' ? err : {};
      explanation.replaceChildren(
        h('p', { class: 'step-explanation-error', text: `${e.title || 'Could not explain this step.'} ${e.advice || ''}`.trim() }),
      );
    }
    explanation.hidden = false;
    explainBtn.disabled = false;
    setText(explainLabel, 'Explain again');
  }
  const card = h(
    'article',
    { class: 'card step-card' },
    h(
      'header',
      { class: 'card-head' },
      badge,
      h('div', { class: 'card-titles' }, status, datasets),
      h('div', { class: 'card-actions' }, stopBtn),
    ),
    timeline,
    installBox,
    answer,
    answerFiles,
    explainRow,
    followUps,
    gaveUp,
    errorBox,
    usage,
  );
  const el = h('section', { class: 'step' }, questionCard, card);

  const entryViews = [];
  let current = null;
  let renderedAnswer = null;
  /** the question shown, and what had focus before it took it */
  let askedShown = null;
  let focusBeforeAsking = null;

  function update(next) {
    const step = next.step;
    const prev = current;
    current = step;
    el.dataset.stepId = step.stepId;
    el.dataset.state = step.ended ? step.ended.state : 'running';
    // While the step waits for the analyst's leave to install a package, the
    // failed import's traceback is not the news: the question is.
    el.toggleAttribute('data-asking', Boolean(!step.ended && step.installQuestion));
    setText(question, step.question);
    setText(datasets, step.datasets.length ? `About ${step.datasets.join(', ')}` : '');
    show(datasets, step.datasets.length > 0);
    setText(status, stepStateText(step));
    const tone = !step.ended
      ? 'tone-accent'
      : { done: 'tone-success', cancelled: 'tone-neutral', gave_up: 'tone-warning' }[step.ended.state] || 'tone-danger';
    const look = step.ended ? step.ended.state : 'running';
    if (badge.dataset.look !== look) {
      badge.dataset.look = look;
      badge.className = `card-badge ${tone}`;
      badge.replaceChildren(
        !step.ended
          ? h('span', { class: 'spinner', 'aria-hidden': 'true' })
          : icon(step.ended.state === 'done' ? 'check' : step.ended.state === 'cancelled' ? 'stop' : 'alert'),
      );
    }
    const asked = step.ended ? null : step.installQuestion;
    show(installBox, Boolean(asked));
    followInstallFocus(asked);
    if (asked) {
      setText(
        installText,
        `The code needs \u201c${asked.package}\u201d (for \u201cimport ${asked.module}\u201d), which is not one of the ` +
          'well-known data packages Sandpiper installs by itself. Install it from PyPI for this session?',
      );
      installYes.disabled = asked.answering;
      installNo.disabled = asked.answering;
    }
    show(stopBtn, !step.ended);
    stopBtn.disabled = step.stopping;
    setText(stopBtn.querySelector('.btn-label'), step.stopping ? 'Stopping…' : 'Stop');

    if (
      !prev ||
      prev.timeline !== step.timeline ||
      prev.answer !== step.answer ||
      Boolean(prev.ended) !== Boolean(step.ended)
    ) {
      const entries = visibleTimeline(step);
      for (const extra of entryViews.splice(entries.length)) extra.el.remove();
      entries.forEach((entry, i) => {
        if (!entryViews[i] || entryViews[i].kind !== entry.kind) {
          const runOwnCode = deps.onRunOwnCode ? (code) => deps.onRunOwnCode(current.stepId, code) : null;
          const view = entry.kind === 'try' ? createTryView({ ...deps, runOwnCode }) : createNoticeView();
          if (entryViews[i]) entryViews[i].el.replaceWith(view.el);
          else timeline.append(view.el);
          entryViews[i] = view;
        }
        entryViews[i].update(entry, Boolean(step.ended), step.answer);
      });
    }

    if (step.answer !== renderedAnswer) {
      renderedAnswer = step.answer;
      answer.replaceChildren();
      answerFiles.replaceChildren();
      if (step.answer) {
        for (const seg of step.answer.segments) {
          answer.append(
            seg.ungrounded
              ? h('mark', { class: 'ungrounded', title: "The code's output does not show this number: check it before you use it." }, seg.text)
              : document.createTextNode(seg.text),
          );
        }
        for (const a of chartsWithData(step.answer.artifacts)) answerFiles.append(artifactView(a, deps));
        if (step.answer.segments.some((s) => s.ungrounded)) {
          answer.append(h('span', { class: 'ungrounded-note', text: ' Marked numbers are not in the code\u2019s output: check them.' }));
        }
      }
      const asks = step.answer && deps.onAsk ? step.answer.followUps || [] : [];
      followUps.replaceChildren(
        ...(asks.length ? [h('span', { class: 'follow-ups-label', text: 'Ask next' })] : []),
        ...asks.map((q) => h('button', { type: 'button', class: 'btn btn-secondary btn-sm follow-up', text: q, onClick: () => deps.onAsk(q) })),
      );
      show(followUps, asks.length > 0);
    }
    show(explainRow, Boolean(deps.onExplainStep) && canExplain(step));
    show(answer, Boolean(step.answer));
    show(answerFiles, Boolean(step.answer && step.answer.artifacts.length));

    show(gaveUp, Boolean(step.gaveUp));
    if (step.gaveUp && (!prev || prev.gaveUp !== step.gaveUp)) {
      gaveUp.replaceChildren(
        h('p', { class: 'gave-up-title', text: 'Sandpiper could not answer this.' }),
        h('ul', {}, step.gaveUp.tries.map((t) => h('li', { text: `Try ${t.tryNumber}: ${t.reason}` }))),
        step.gaveUp.suggestion ? h('p', { class: 'gave-up-suggestion', text: step.gaveUp.suggestion }) : null,
      );
    }

    show(errorBox, Boolean(step.error));
    if (step.error) {
      setText(errorTitle, step.error.title);
      setText(errorAdvice, step.error.advice);
      show(errorAdvice, Boolean(step.error.advice));
    }
    const fix = step.error ? fixFor(step.error.code) : null;
    show(errorFix, Boolean(fix && deps.onOpenSettings));
    if (fix) setText(errorFix, fix.label);

    const usageText = stepUsageText(step.ended);
    setText(usage, usageText);
    show(usage, Boolean(usageText));
  }

  // The question is what the step waits for: the keyboard goes to it (Tab then
  // reaches Install and Don't install; nothing is answered by a stray Enter), and
  // back to where it was once it is answered.
  function followInstallFocus(asked) {
    const id = asked ? asked.questionId : null;
    if (id === askedShown) return;
    if (id && !askedShown) {
      const active = document.activeElement;
      focusBeforeAsking = active && active !== document.body ? active : null;
      askedShown = id;
      installBox.focus();
      return;
    }
    askedShown = id;
    if (id) return;
    const active = document.activeElement;
    const lost = !active || active === document.body || installBox.contains(active);
    // The question box the analyst typed in is disabled while the step runs:
    // focus it and the keyboard lands nowhere. Stop is where they are then.
    const before = focusBeforeAsking;
    const back =
      before && before.isConnected && !before.disabled && !installBox.contains(before) && before.getClientRects().length > 0
        ? before
        : null;
    focusBeforeAsking = null;
    if (!lost) return;
    if (back) back.focus();
    else if (!stopBtn.hidden) stopBtn.focus();
  }

  update(item);
  return { el, update };
}

function createNoticeView() {
  const el = h('li', { class: 'step-notice' });
  return {
    kind: 'notice',
    el,
    update(entry) {
      setText(el, entry.text);
    },
  };
}

function createTryView(deps) {
  const label = h('span', { class: 'try-label' });
  const state = h('span', { class: 'try-state' });
  const reason = h('p', { class: 'try-reason' });
  const codeText = h('pre', { class: 'try-code' });
  // What Python wrote on stderr (the traceback): for whoever wants the detail,
  // next to the code; the reason above says it in words.
  const pythonSaidLabel = h('p', { class: 'sent-note', text: 'What Python reported:' });
  const pythonSaid = h('pre', { class: 'try-code try-stderr' });
  // "Edit and run" (once the step has ended): the code in a text box; Run
  // asks the same question again with it as the first try, no model writing it.
  const editBtn = deps.runOwnCode
    ? h('button', { type: 'button', class: 'btn btn-ghost btn-xs code-edit', onClick: () => openEditor() }, icon('edit', 'icon--xs'), 'Edit and run')
    : null;
  const editInput = h('textarea', {
    class: 'try-code-input',
    spellcheck: 'false',
    autocomplete: 'off',
    'aria-label': 'Your version of the code (Ctrl+Enter runs it)',
  });
  const editError = h('p', { class: 'code-edit-error', role: 'alert', hidden: true });
  const runBtn = h('button', { type: 'button', class: 'btn btn-primary btn-xs code-run', text: 'Run', onClick: () => runEdited() });
  const cancelBtn = h('button', { type: 'button', class: 'btn btn-ghost btn-xs', text: 'Cancel', onClick: () => closeEditor() });
  const editor = h('div', { class: 'code-editor', hidden: true }, editInput, editError, h('div', { class: 'code-editor-actions' }, runBtn, cancelBtn));
  editInput.addEventListener('keydown', (e) => {
    if (e.key === 'Escape') {
      e.preventDefault();
      e.stopPropagation();
      closeEditor();
    } else if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
      e.preventDefault();
      runEdited();
    }
  });
  function openEditor() {
    editInput.value = current && current.code ? current.code : '';
    editInput.rows = Math.min(Math.max(editInput.value.split('\n').length + 1, 4), 24);
    editError.hidden = true;
    show(editor, true);
    show(codeText, false);
    if (editBtn) show(editBtn, false);
    editInput.focus();
  }
  function closeEditor() {
    show(editor, false);
    show(codeText, true);
    if (editBtn) show(editBtn, true);
    if (editBtn) editBtn.focus();
  }
  async function runEdited() {
    runBtn.disabled = true;
    try {
      await deps.runOwnCode(editInput.value);
      closeEditor();
    } catch (err) {
      editError.textContent = [err && err.title, err && err.advice].filter(Boolean).join(' ') || 'Could not run your code.';
      editError.hidden = false;
    } finally {
      runBtn.disabled = false;
    }
  }
  const code = h(
    'details',
    { class: 'sent try-code-box' },
    h('summary', { class: 'sent-summary' }, icon('chevronRight', 'icon--xs sent-chevron'), 'Show code'),
    codeText,
    editor,
    editBtn,
    pythonSaidLabel,
    pythonSaid,
  );
  // Exactly what the model was sent for this try, for whoever wants to check
  // what of their data left the computer.
  const sentNote = h('p', { class: 'sent-note' });
  const sentText = h('pre', { class: 'sent-text' });
  const sent = h(
    'details',
    { class: 'sent try-sent' },
    h('summary', { class: 'sent-summary' }, icon('chevronRight', 'icon--xs sent-chevron'), 'What was sent'),
    sentNote,
    sentText,
  );
  const output = h('pre', { class: 'output try-output' });
  // A long output shows its last lines, with "N earlier lines hidden — Show all".
  const outputLines = createOutputLines({ lines: output, asText: true });
  // "Save output…": every line of the try's output as a .txt, not only those drawn.
  let log = null;
  const saveBtn = deps.saveOutput
    ? h(
        'button',
        {
          type: 'button',
          class: 'btn btn-ghost btn-xs output-save',
          onClick: () => log && deps.saveOutput(current ? `Try ${current.number} output` : 'Output', keptTexts(log)),
        },
        icon('download', 'icon--xs'),
        'Save output…',
      )
    : null;
  const outputActions = h('div', { class: 'try-output-actions', hidden: true }, saveBtn);
  const files = h('div', { class: 'artifacts' });
  const el = h(
    'li',
    { class: 'try' },
    h('div', { class: 'try-head' }, label, state),
    reason,
    h('div', { class: 'try-disclosures' }, code, sent),
    outputLines.note,
    output,
    outputActions,
    files,
  );
  let current = null;
  /** the saved stdout drawn, and its log (split once, not every frame) */
  let savedStdout = null;
  let savedLog = null;
  /** the paths of the files shown, one a line */
  let renderedFiles = '';

  return {
    kind: 'try',
    el,
    update(t, stepEnded, answer) {
      const s = tryStatus(t, stepEnded);
      el.dataset.tone = s.tone;
      setText(label, tryLabel(t));
      setText(state, s.label);
      setText(reason, s.reason);
      show(reason, Boolean(s.reason));
      show(code, t.code !== null);
      // Edited only once the step has ended: a running step owns its container.
      if (editBtn) show(editBtn, stepEnded && t.code !== null && editor.hidden);
      show(sent, Boolean(t.sent));
      if (t.sent && (!current || current.sent !== t.sent)) {
        const { note, text } = describeSent(t.sent);
        setText(sentNote, note);
        setText(sentText, text);
      }
      setText(codeText, t.code || '');
      // While the try runs: what the code prints, as it prints it. After: what
      // it printed, as saved (the live lines are not kept).
      if (t.execution && t.execution.stdout !== savedStdout) {
        savedStdout = t.execution.stdout;
        savedLog = logFromText(savedStdout.trimEnd());
      }
      log = t.execution ? savedLog : t.live.output;
      outputLines.update(log);
      const stderr = t.execution && t.execution.outcome !== 'success' ? t.execution.stderrTail.trim() : '';
      setText(pythonSaid, stderr);
      show(pythonSaid, Boolean(stderr));
      show(pythonSaidLabel, Boolean(stderr));
      show(output, keptCount(log) > 0);
      show(outputActions, Boolean(saveBtn) && keptCount(log) > 0);
      // The answer's charts show under the answer, not a second time here.
      const own = tryFiles(t, answer);
      const key = own.map((a) => a.path).join('\n');
      if (key !== renderedFiles) {
        files.replaceChildren(...chartsWithData(own).map((a) => artifactView(a, deps)));
        renderedFiles = key;
      }
      show(files, own.length > 0);
      current = t;
    },
  };
}

/** A chart inline (the asset protocol serves the session's artifacts folder), another file as a link. */
function artifactView(a, deps) {
  const src = deps.fileSrc(a.path);
  if (IMAGE_MIMES.has(a.mime)) {
    const img = h('img', { src, alt: a.name, loading: 'lazy', decoding: 'async' });
    return h(
      'figure',
      { class: 'figure' },
      h('button', { type: 'button', class: 'figure-open', 'aria-label': `Open ${a.name} larger`, onClick: () => deps.openImage({ src, name: a.name }) }, img),
      h(
        'figcaption',
        {},
        h('span', { class: 'figure-name', text: a.name }),
        a.sizeBytes !== null ? h('span', { class: 'figure-size', text: formatBytes(a.sizeBytes) }) : null,
        // The table the chart was drawn from, saved next to it.
        a.data
          ? h(
              'a',
              { class: 'figure-data', href: deps.fileSrc(a.data.path), download: a.data.name, title: `The data behind ${a.name}` },
              icon('table', 'icon--xs'),
              `Data (${a.data.name})`,
            )
          : null,
      ),
    );
  }
  return h(
    'a',
    { class: 'chip', href: src, download: a.name, title: a.path },
    icon(/csv|tab-separated|excel|spreadsheet/.test(a.mime) ? 'table' : 'file', 'icon--sm'),
    h('span', { class: 'chip-name', text: a.name }),
    a.sizeBytes !== null ? h('span', { class: 'chip-size', text: formatBytes(a.sizeBytes) }) : null,
  );
}
