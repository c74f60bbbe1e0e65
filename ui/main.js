// Wires the window: picks a backend (the Tauri app, the dev demo, or none in a
// plain browser), keeps the view state with the pure reducer in state.js, and
// renders it with the modules in view/.
//
// A dropped or chosen file gets its quick profile and joins the open session
// (a new one when none is open); the question box asks the analysis agent in
// that session. With nothing open, Home lists the recent sessions to reopen.
//
// Exposed for end-to-end tests (OS drag-and-drop cannot be scripted):
//   window.sandpiper.openDatasets(paths) -> Promise<(runId | null)[]>
//   window.sandpiper.getState()          -> the current view state

import { hasTauri, createTauriBackend } from './tauri.js';
import { isKnownEvent } from './events.js';
import { initialState, reduce, isDockerReady, activeRuns } from './state.js';
import { sessionUsageText } from './conversation-text.js';
import { toUserError } from './errors.js';
import { basename } from './format.js';
import { icon, logo } from './view/icons.js';
import { show } from './view/dom.js';
import { outcomeStyle } from './view/outcomes.js';
import { createRecentSessions } from './view/recent-sessions.js';
import { createConversation } from './view/conversation.js';
import { renderDockerPill, createDockerPanel } from './view/docker.js';
import { createSettingsDialog } from './view/settings-dialog.js';
import { dockerChanged } from './settings-form.js';
import { themeOf, applyTheme } from './theme.js';
import { createDropOverlay, createLightbox, createToaster, createAnnouncer } from './view/overlays.js';
import { createExportMenu } from './view/export-menu.js';
import { createContainersDialog } from './view/containers-dialog.js';
import { openModal } from './view/modal.js';
import { canExport, exportedText } from './export.js';
import { createFirstRunGuide } from './view/first-run.js';
import { firstRunSteps } from './first-run.js';
import { providerInfo } from './provider-form.js';
import { datasetForProfile, descriptionOf } from './column-notes.js';
import { createColumnNote } from './view/column-note.js';
import { createDatasetBanners } from './view/dataset-banners.js';
import { locatedText } from './dataset-banners.js';

const DOCKER_RECHECK_MS = 5000;
/** While Docker is ready: often enough to notice soon that it quit (Docker
 *  Desktop closed, the daemon stopped), rarely enough to cost nothing. */
const DOCKER_READY_RECHECK_MS = 15000;
const MIN_MANUAL_CHECK_MS = 450;

const $ = (id) => document.getElementById(id);

async function chooseBackend() {
  if (hasTauri()) return createTauriBackend();
  const params = new URLSearchParams(location.search);
  if (params.has('demo')) {
    const { createDemoBackend } = await import('./dev/demo.js');
    return createDemoBackend(params.get('demo') || 'finished');
  }
  return null;
}

async function start() {
  // The system's light or dark until the settings say otherwise.
  applyTheme(document.documentElement, 'system');
  const backend = await chooseBackend();
  const mode = backend ? 'app' : 'browser';

  // --- static decorations -------------------------------------------------
  for (const el of document.querySelectorAll('[data-icon]')) el.replaceChildren(icon(el.dataset.icon));
  for (const el of document.querySelectorAll('[data-logo]')) el.replaceChildren(logo());

  // --- store --------------------------------------------------------------
  let state = initialState();
  let frame = 0;
  let fallback = 0;

  // Renders at most once per frame. Webviews pause animation frames while the
  // window is hidden or occluded, so a timer makes sure updates still land.
  function dispatch(action) {
    const next = reduce(state, action, { now: Date.now() });
    if (next === state) return;
    state = next;
    if (!frame) {
      frame = requestAnimationFrame(flush);
      fallback = setTimeout(flush, 150);
    }
  }

  // --- views --------------------------------------------------------------
  const app = $('app');
  const toaster = createToaster($('toasts'));
  const announcer = createAnnouncer($('announcer'));
  const lightbox = createLightbox($('lightbox'));
  const dropOverlay = createDropOverlay($('drop-overlay'));
  const dockerPanel = createDockerPanel({ onCheckAgain: () => checkDocker({ manual: true }) });
  $('column').prepend(dockerPanel.el);

  const conversation = createConversation({
    scroller: $('scroller'),
    list: $('conversation'),
    jumpButton: $('jump'),
    deps: {
      fileSrc: (path) => (backend ? backend.fileSrc(path) : ''),
      onStop: stopRun,
      onStopStep: stopStep,
      onAnswerInstall: answerInstall,
      onExplainStep: backend && backend.explainStep ? (stepId) => backend.explainStep(state.session.id, stepId) : null,
      // A suggested follow-up question, asked as if typed (ignored while a step runs).
      onAsk: (question) => analyse(question),
      onRunOwnCode: backend && backend.runOwnCode ? runOwnCode : null,
      onDismiss: (key) => dispatch({ kind: 'ui:dismiss', key }),
      // Created below; only reached once the window is up.
      onOpenSettings: (section) => settingsDialog.open(section),
      openImage: (img) => lightbox.open(img),
      copyText,
      saveOutput: backend && backend.saveOutput ? saveOutput : null,
      describeColumn: backend && backend.describeColumn ? columnNote : null,
      chooseTable: backend && backend.chooseDatasetTable ? chooseTable : null,
    },
  });

  /** A workbook's "Read this sheet": the sheet and header row are saved in the
   *  session (every later step reads them), then the file is profiled again. */
  async function chooseTable(run, profile, choice) {
    const session = state.session;
    const dataset = session && datasetForProfile(session.datasets, run.sourcePath, profile.file_name);
    if (!dataset) {
      throw { title: 'This file is not in the session yet.', advice: 'Wait until it is added, then try again.' };
    }
    try {
      await backend.chooseDatasetTable(session.id, dataset, choice.sheet, choice.headerRow);
    } catch (err) {
      throw toUserError(err, 'Could not use that sheet');
    }
    const known = session.datasets.find((d) => d.name === dataset);
    await profileAgain(run.sourcePath || (known && known.path), session.id);
  }

  /** A profile card's description box: saved in the session the file is in. */
  function columnNote(run, profile, column) {
    const datasets = () => (state.session ? state.session.datasets : []);
    const initial = descriptionOf(datasets(), datasetForProfile(datasets(), run.sourcePath, profile.file_name), column);
    return createColumnNote({
      column,
      initial,
      onSave: async (description) => {
        const session = state.session;
        const dataset = session && datasetForProfile(session.datasets, run.sourcePath, profile.file_name);
        if (!dataset) {
          throw { title: 'This file is not in the session yet.', advice: 'Wait until it is added, then save again.' };
        }
        let saved;
        try {
          saved = await backend.describeColumn(session.id, dataset, column, description);
        } catch (err) {
          throw toUserError(err, 'Could not save the description');
        }
        dispatch({ kind: 'ui:column_described', sessionId: session.id, dataset, column, description: saved || '' });
        return saved || '';
      },
    });
  }

  // A reopened session's datasets that changed or moved, above its conversation.
  let locating = null;
  const datasetBanners = createDatasetBanners({
    onLocate: (name) => locateDataset(name),
    onDismiss: (name) => state.session && dispatch({ kind: 'ui:dataset_banner_dismissed', sessionId: state.session.id, name }),
  });
  $('conversation').before(datasetBanners.el);

  const settingsDialog = createSettingsDialog({
    dialog: $('settings-dialog'),
    backend,
    onSaved: (saved, previous) => {
      applyTheme(document.documentElement, themeOf(saved));
      toaster.show('Settings saved. They apply to the next run.', 'success');
      // The Docker address may have changed which daemon is used: ask again, and
      // show the check when it did.
      checkDocker({ manual: dockerChanged(previous, saved), fresh: true });
    },
  });

  const containersDialog = createContainersDialog({ dialog: $('containers-dialog'), backend, toaster });
  $('settings-dialog')
    .querySelector('[data-action="containers"]')
    .addEventListener('click', () => {
      $('settings-dialog').close();
      containersDialog.open();
    });

  const exportMenu = createExportMenu({
    button: $('export-button'),
    menu: $('export-menu'),
    onPick: (format) => exportSession(format),
  });

  // Home's "Getting started", for someone with no session yet: what the
  // settings and the keychain say, read at the start and whenever Settings closes.
  const firstRun = createFirstRunGuide($('first-run'), { onOpenSettings: (section) => settingsDialog.open(section) });
  const guideFacts = { settings: null, keyStatus: null };
  function renderGuide() {
    const steps =
      mode === 'app'
        ? firstRunSteps({ dockerStatus: state.docker.status, ...guideFacts, sessions: state.home.sessions })
        : null;
    firstRun.render(steps);
  }
  async function readGuideFacts() {
    if (!backend || !backend.getSettings) return;
    try {
      const settings = await backend.getSettings();
      const provider = providerInfo(settings && settings.llm && settings.llm.provider);
      guideFacts.keyStatus = provider.needsKey ? await backend.apiKeyStatus(provider.id) : null;
      guideFacts.settings = settings;
      applyTheme(document.documentElement, themeOf(settings));
    } catch {
      // The guide then waits for the settings; Settings itself says what failed.
    }
    renderGuide();
  }
  $('settings-dialog').addEventListener('close', () => readGuideFacts());

  const recent = createRecentSessions($('recent-sessions'), {
    onOpen: (id) => openSession(id),
    onTrash: (id) => trashSession(id),
  });

  let rendered = null;
  function flush() {
    cancelAnimationFrame(frame);
    clearTimeout(fallback);
    frame = 0;
    fallback = 0;
    const prev = rendered;
    rendered = state;
    const empty = state.items.length === 0 && !state.session;
    app.dataset.mode = mode === 'browser' ? 'browser' : empty ? 'empty' : 'conversation';
    show($('browser-state'), mode === 'browser');
    show($('empty-state'), mode === 'app' && empty);
    show($('composer'), mode === 'app' && !empty);
    if (!prev || prev.docker !== state.docker) {
      renderDockerPill($('docker-pill'), mode, state.docker);
      dockerPanel.render(state.docker);
    }
    if (!prev || prev.items !== state.items) conversation.render(state.items);
    if (
      !prev ||
      prev.items !== state.items ||
      prev.runningStep !== state.runningStep ||
      prev.session !== state.session ||
      prev.usage !== state.usage
    ) {
      renderAskBox();
    }
    if (!prev || prev.session !== state.session) datasetBanners.render(state.session, locating);
    if (!prev || prev.home !== state.home) recent.render(state.home);
    if (!prev || prev.home !== state.home || prev.docker !== state.docker) renderGuide();
    show($('home-button'), mode === 'app' && !empty);
    show($('export-wrap'), mode === 'app' && Boolean(backend && backend.exportSession) && canExport(state));
    if (!prev || prev.session !== state.session) {
      $('session-title').textContent = state.session ? state.session.title : '';
      if (!state.session) $('session-title-input').hidden = true;
      show($('session-title'), Boolean(state.session && state.session.title) && $('session-title-input').hidden);
    }
    announceChanges(prev, state);
    updateTicker();
  }

  function announceChanges(prev, next) {
    if (!prev) return;
    const before = prev.docker.status && prev.docker.status.state;
    const after = next.docker.status && next.docker.status.state;
    if (after && after !== before) announcer.say(after === 'ready' ? 'Docker is ready.' : next.docker.status.title);
    if (prev.items === next.items) return;
    for (const item of next.items) {
      if (item.type !== 'run' || !item.finished) continue;
      const old = prev.items.find((x) => x.key === item.key);
      if (old && old.finished) continue;
      announcer.say(`${item.title}: ${outcomeStyle(item.finished.outcome).label}.`);
    }
  }

  // Elapsed time on running cards, once a second while anything runs.
  let ticker = 0;
  function updateTicker() {
    const running = activeRuns(state).length > 0;
    if (running && !ticker) ticker = setInterval(() => conversation.tick(Date.now()), 1000);
    if (!running && ticker) {
      clearInterval(ticker);
      ticker = 0;
    }
  }

  // The question box shows once the session has a dataset; one question at a time.
  function renderAskBox() {
    const datasets = state.session ? state.session.datasets : [];
    show($('ask-form'), mode === 'app' && datasets.length > 0);
    const busy = state.runningStep !== null;
    $('ask-button').disabled = busy;
    $('ask-input').disabled = busy;
    $('ask-button').textContent = busy ? 'Working…' : 'Start Analysis';
    $('ask-hint').textContent = datasets.length
      ? `About ${datasets.map((d) => d.name).join(', ')} · or drop another file on this window`
      : 'or drop a CSV anywhere on this window';
    const usage = sessionUsageText(state.usage);
    $('session-usage').textContent = usage;
    show($('session-usage'), Boolean(usage));
  }

  // --- actions ------------------------------------------------------------
  let requestSeq = 0;

  /** Asks the analysis agent in the open session; its messages arrive as events. */
  async function analyse(question) {
    const text = String(question ?? '').trim();
    if (!backend || !text || !state.session || state.runningStep !== null) return null;
    // Whoever asks wants to see the answer: follow the conversation to its end.
    conversation.scrollToBottom(false);
    dispatch({ kind: 'ui:step_requested' });
    try {
      const stepId = String(await backend.startAnalysis(state.session.id, text));
      dispatch({ kind: 'ui:step_started', stepId });
      return stepId;
    } catch (err) {
      dispatch({ kind: 'ui:step_not_started', error: toUserError(err, 'Could not start the analysis') });
      return null;
    }
  }

  /** "Edit and run": the analyst's version of a step's code becomes the first
   *  try of a new step. Rejects, in plain words, when it cannot start. */
  async function runOwnCode(stepId, code) {
    if (!state.session) return;
    if (state.runningStep !== null) {
      throw { title: 'A question is still being answered.', advice: 'Wait for it to end, or click Stop, then run your code.' };
    }
    conversation.scrollToBottom(false);
    dispatch({ kind: 'ui:step_requested' });
    try {
      const started = String(await backend.runOwnCode(state.session.id, stepId, code));
      dispatch({ kind: 'ui:step_started', stepId: started });
    } catch (err) {
      const error = toUserError(err, 'Could not run your code');
      dispatch({ kind: 'ui:step_not_started', error });
      throw error;
    }
  }

  async function answerInstall(stepId, questionId, allowed) {
    dispatch({ kind: 'ui:install_answering', stepId, questionId });
    try {
      await backend.answerInstallQuestion(questionId, allowed);
    } catch (err) {
      dispatch({ kind: 'ui:error', error: toUserError(err, 'Could not answer the question') });
    }
  }

  async function stopStep(stepId) {
    dispatch({ kind: 'ui:step_stop_requested', stepId });
    try {
      await backend.stopStep(stepId);
    } catch (err) {
      dispatch({ kind: 'ui:error', error: toUserError(err, 'Could not stop the analysis') });
    }
  }

  // The open session, or the one being created for the first dropped file (two
  // files dropped one after the other must land in the same session).
  let creatingSession = null;
  async function sessionForNewFiles() {
    if (state.session) return state.session.id;
    if (!creatingSession) {
      creatingSession = backend
        .createSession()
        .then((session) => {
          dispatch({ kind: 'ui:session_opened', session, replace: false });
          return session.id;
        })
        .finally(() => {
          creatingSession = null;
        });
    }
    return creatingSession;
  }

  /** Adds the files to the session (made now if none is open); returns its id,
   *  or null when there is none to add them to. */
  async function addToSession(paths) {
    // The dev demo (dev/demo.js) plays profiles only: it has no sessions.
    if (!backend.createSession) return null;
    try {
      const sessionId = await sessionForNewFiles();
      const datasets = await backend.addSessionDatasets(sessionId, paths);
      dispatch({ kind: 'ui:session_datasets', sessionId, datasets });
      return sessionId;
    } catch (err) {
      dispatch({ kind: 'ui:error', error: toUserError(err, 'Could not add the file to the session') });
      return null;
    }
  }

  /** Gets the session's container ready while the analyst types. A failure is
   *  not shown here: the question asked next meets it again and its step says
   *  what went wrong, in words, with the fix. */
  function warm(sessionId) {
    backend.warmSession(sessionId).catch(() => {});
  }

  /** Home → a recent session: its saved conversation, drawn as it was shown live. */
  async function openSession(sessionId) {
    if (!backend) return false;
    try {
      if (state.session && state.session.id !== sessionId) await leaveSession();
      const session = await backend.openSession(sessionId);
      dispatch({ kind: 'ui:session_opened', session, replace: true });
      if (session.datasets.length) warm(session.id);
      conversation.scrollToBottom(false);
      return true;
    } catch (err) {
      toaster.show(`${toUserError(err, 'Could not open the session').title}`, 'warning');
      dispatch({ kind: 'ui:home_failed', error: toUserError(err, 'Could not open the session') });
      return false;
    }
  }

  /** A moved dataset's banner → "Locate it…": the native open dialog asks where
   *  the file is now, and the engine records its new place. */
  async function locateDataset(name) {
    const open = state.session;
    if (!open || locating || !backend.locateDataset) return;
    locating = name;
    datasetBanners.render(state.session, locating);
    try {
      const located = await backend.locateDataset(open.id, name);
      if (located && located.dataset) {
        dispatch({ kind: 'ui:dataset_located', sessionId: open.id, dataset: located.dataset });
        toaster.show(locatedText(name, located.dataset.path, located.same_content === true), located.same_content ? 'success' : 'warning', 8000);
        warm(open.id);
      }
    } catch (err) {
      const e = toUserError(err, 'Could not use that file');
      toaster.show(`${e.title} ${e.advice}`.trim(), 'warning', 8000);
    } finally {
      locating = null;
      datasetBanners.render(state.session, null);
    }
  }

  /** Lets go of the open session (another window may open it) and shows Home.
   *  A session with files, and no step running, first asks whether to keep its
   *  environment (its container) for next time; Escape stays in the session. */
  async function leaveSession() {
    const open = state.session;
    let keep = true;
    if (open && open.datasets.length > 0 && state.runningStep === null && backend.removeSessionEnvironment) {
      const answer = await askKeepEnvironment();
      if (answer === null) return;
      keep = answer;
    }
    dispatch({ kind: 'ui:session_closed' });
    if (open) {
      try {
        await backend.closeSession(open.id);
      } catch {
        // Closing only releases the lock; quitting releases it too.
      }
      if (!keep) {
        try {
          await backend.removeSessionEnvironment(open.id);
          toaster.show('Removed. The session and its answers are kept.', 'success');
        } catch (err) {
          const e = toUserError(err, "Could not remove the session's environment");
          toaster.show(`${e.title} ${e.advice}`.trim(), 'warning');
        }
      }
    }
    await loadRecentSessions();
    // The Home button that asked went with the session: the keyboard goes on
    // from the session just left, in Home's list (drawn now, not next frame).
    flush();
    const active = document.activeElement;
    if (open && (!active || active === document.body || active.getClientRects().length === 0)) {
      const left = [...document.querySelectorAll('#recent-sessions .recent-item')].find((b) => b.dataset.sessionId === open.id);
      if (left) left.focus();
    }
  }

  /** true: keep it; false: remove it; null: the analyst pressed Escape (stay). */
  function askKeepEnvironment() {
    const dialog = $('keep-dialog');
    return new Promise((resolve) => {
      dialog.returnValue = '';
      dialog.addEventListener(
        'close',
        () => resolve(dialog.returnValue === 'keep' ? true : dialog.returnValue === 'remove' ? false : null),
        { once: true },
      );
      openModal(dialog);
    });
  }

  /** Export menu → a format: the native save dialog asks where, the engine writes it. */
  async function exportSession(format) {
    const open = state.session;
    if (!open) return;
    exportMenu.setBusy(true);
    try {
      const path = await backend.exportSession(open.id, format);
      if (typeof path === 'string' && path) toaster.show(exportedText(format, path), 'success', 6000);
    } catch (err) {
      const e = toUserError(err, 'Could not export the session');
      toaster.show(`${e.title} ${e.advice}`.trim(), 'warning', 8000);
    } finally {
      exportMenu.setBusy(false);
    }
  }

  async function renameSession(title) {
    const open = state.session;
    if (!open) return;
    try {
      await backend.renameSession(open.id, title);
      titleInput.hidden = true;
      await loadRecentSessions();
    } catch (err) {
      const e = toUserError(err, 'Could not rename the session');
      toaster.show(`${e.title} ${e.advice}`.trim(), 'warning');
      titleInput.focus();
    }
    show($('session-title'), Boolean(state.session));
  }

  /** Home → Move to trash: the session's folder goes to the OS trash, never for good. */
  async function trashSession(sessionId) {
    try {
      await backend.deleteSession(sessionId);
      toaster.show('Moved to the trash. You can restore it from there.', 'success');
    } catch (err) {
      const e = toUserError(err, 'Could not move the session to the trash');
      toaster.show(`${e.title} ${e.advice}`.trim(), 'warning');
    }
    await loadRecentSessions();
  }

  async function loadRecentSessions() {
    if (!backend || !backend.listSessions) return;
    try {
      const list = await backend.listSessions();
      dispatch({ kind: 'ui:home_loaded', sessions: list.sessions });
    } catch (err) {
      dispatch({ kind: 'ui:home_failed', error: toUserError(err, 'Could not list your sessions') });
    }
  }

  /** The one way files get opened: drop, file chooser, and end-to-end tests. */
  async function openDatasets(paths) {
    const list = (Array.isArray(paths) ? paths : [paths]).filter((p) => typeof p === 'string' && p.trim() !== '');
    if (!backend || list.length === 0) return [];
    const requests = list.map((path) => ({ path, requestId: ++requestSeq }));
    conversation.scrollToBottom(false);
    for (const r of requests) dispatch({ kind: 'ui:open_requested', ...r });
    // In the session first: the profiles then run in the session's container
    // (made now, with these files), which answers the questions after them.
    const sessionId = await addToSession(list);
    const runIds = await Promise.all(
      requests.map(async ({ path, requestId }) => {
        try {
          const runId = String(await backend.startQuickProfile(path, sessionId));
          dispatch({ kind: 'ui:open_started', requestId, runId });
          return runId;
        } catch (err) {
          dispatch({ kind: 'ui:open_failed', requestId, error: toUserError(err, 'Could not start the quick profile') });
          return null;
        }
      }),
    );
    // After the profiles are on their way: describing the files waits its turn
    // in the same container rather than going first.
    if (sessionId) warm(sessionId);
    return runIds;
  }

  /** A session's file profiled again (another sheet chosen): a new profile
   *  card, and the session described again for the next question. */
  async function profileAgain(path, sessionId) {
    if (!path) return;
    const requestId = ++requestSeq;
    dispatch({ kind: 'ui:open_requested', path, requestId });
    conversation.scrollToBottom(false);
    try {
      const runId = String(await backend.startQuickProfile(path, sessionId));
      dispatch({ kind: 'ui:open_started', requestId, runId });
    } catch (err) {
      dispatch({ kind: 'ui:open_failed', requestId, error: toUserError(err, 'Could not start the quick profile') });
    }
    warm(sessionId);
  }

  async function chooseFile() {
    if (!backend) return;
    try {
      const path = await backend.pickDataset();
      if (typeof path === 'string' && path) await openDatasets([path]);
    } catch (err) {
      dispatch({ kind: 'ui:error', error: toUserError(err, 'Could not open the file chooser') });
    }
  }

  async function stopRun(runId) {
    dispatch({ kind: 'ui:stop_requested', runId });
    try {
      const stopped = await backend.cancelRun(runId);
      if (stopped === false) dispatch({ kind: 'ui:stop_not_needed', runId });
    } catch (err) {
      dispatch({ kind: 'ui:stop_failed', runId, error: toUserError(err, 'Could not stop the run') });
    }
  }

  /** "Save output…": the native save dialog asks where, the engine writes every line. */
  async function saveOutput(name, lines) {
    try {
      const path = await backend.saveOutput(name, lines);
      if (typeof path === 'string' && path) toaster.show(`Output saved as ${basename(path)}.`, 'success', 6000);
    } catch (err) {
      const e = toUserError(err, 'Could not save the output');
      toaster.show(`${e.title} ${e.advice}`.trim(), 'warning', 8000);
    }
  }

  async function copyText(text) {
    try {
      await navigator.clipboard.writeText(text);
      toaster.show('Output copied');
    } catch {
      toaster.show('Could not copy the output', 'warning');
    }
  }

  // Docker: check on open, every 5 s while not ready (every 15 s while ready, to
  // notice it quitting), on focus, after a run that Docker could not run, and
  // after the settings are saved. `fresh`: an answer
  // already on its way may predate new settings, so ask again once it is in.
  let dockerTimer = 0;
  let dockerCheck = null;
  function checkDocker({ manual = false, fresh = false } = {}) {
    if (!backend) return Promise.resolve();
    if (dockerCheck) {
      if (manual) dispatch({ kind: 'ui:docker_checking', manual });
      return fresh ? dockerCheck.then(() => checkDocker({ manual })) : dockerCheck;
    }
    clearTimeout(dockerTimer);
    dispatch({ kind: 'ui:docker_checking', manual });
    const began = Date.now();
    dockerCheck = (async () => {
      let action;
      try {
        action = { kind: 'ui:docker_status', status: await backend.dockerStatus() };
      } catch (err) {
        action = { kind: 'ui:docker_status_failed', error: toUserError(err, 'Could not check Docker') };
      }
      // A manual check shows "Checking…" long enough to be seen.
      const wait = manual ? MIN_MANUAL_CHECK_MS - (Date.now() - began) : 0;
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      dispatch(action);
      dockerCheck = null;
      dockerTimer = setTimeout(checkDocker, isDockerReady(state) ? DOCKER_READY_RECHECK_MS : DOCKER_RECHECK_MS);
    })();
    return dockerCheck;
  }

  // --- wiring -------------------------------------------------------------
  const askInput = $('ask-input');
  $('ask-form').addEventListener('submit', (e) => {
    e.preventDefault();
    const question = askInput.value;
    if (!question.trim()) return;
    askInput.value = '';
    analyse(question);
  });
  // Enter asks; Shift+Enter starts a new line.
  askInput.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
      e.preventDefault();
      $('ask-form').requestSubmit();
    }
  });
  $('choose-empty').addEventListener('click', chooseFile);
  $('choose-footer').addEventListener('click', chooseFile);
  $('settings-button').addEventListener('click', () => settingsDialog.open());
  $('home-button').addEventListener('click', () => leaveSession());
  // The session's name in the top bar: click to rename, Enter saves, Escape
  // (or leaving the field) keeps the old one.
  const titleInput = $('session-title-input');
  function editTitle(editing) {
    show($('session-title'), !editing && Boolean(state.session));
    show(titleInput, editing);
  }
  $('session-title').addEventListener('click', () => {
    if (!state.session) return;
    titleInput.value = state.session.title;
    editTitle(true);
    titleInput.focus();
    titleInput.select();
  });
  titleInput.addEventListener('keydown', (e) => {
    if (e.key === 'Escape') {
      e.preventDefault();
      editTitle(false);
    } else if (e.key === 'Enter' && !e.isComposing) {
      e.preventDefault();
      renameSession(titleInput.value);
    }
  });
  titleInput.addEventListener('blur', () => {
    if (!titleInput.hidden) editTitle(false);
  });
  $('docker-pill').addEventListener('click', () => checkDocker({ manual: true }));
  $('settings-button').disabled = !backend;
  $('choose-empty').disabled = !backend;

  window.addEventListener('keydown', (e) => {
    if (!(e.metaKey || e.ctrlKey) || e.altKey || !backend) return;
    if (document.querySelector('dialog[open]')) return;
    if (e.key === 'o' || e.key === 'O') {
      e.preventDefault();
      chooseFile();
    } else if (e.key === ',') {
      e.preventDefault();
      settingsDialog.open();
    }
  });

  // In a plain browser a dropped file would replace the page; never let it.
  for (const type of ['dragover', 'drop']) document.addEventListener(type, (e) => e.preventDefault());

  window.sandpiper = Object.freeze({
    openDatasets,
    openSession,
    getState: () => state,
    checkDocker: () => checkDocker({ manual: true }),
  });

  flush();
  if (!backend) return;
  // The theme chosen in Settings (until it is read, the system's, set above), and what
  // the getting-started guide needs to know.
  readGuideFacts();

  window.addEventListener('focus', () => {
    if (!dockerCheck) checkDocker();
  });

  await backend.onEngineEvent((payload) => {
    let event = payload;
    if (typeof event === 'string') {
      try {
        event = JSON.parse(event);
      } catch {
        return;
      }
    }
    if (!isKnownEvent(event)) return;
    dispatch(event);
    // A session's first question gives it its title: read it back with the list.
    if (event.kind === 'conversation' && event.message && event.message.type === 'step_ended') loadRecentSessions();
    if (event.kind === 'run_finished' && event.outcome === 'docker_failure') checkDocker();
  });

  if (backend.onStepFailed) await backend.onStepFailed((payload) => {
    if (!payload || typeof payload !== 'object') return;
    dispatch({ kind: 'ui:step_failed', stepId: payload.step_id, error: payload.error });
  });

  await backend.onDragDrop(({ type, paths }) => {
    if (type === 'enter' || type === 'over') dropOverlay.show(paths);
    else if (type === 'leave') dropOverlay.hide();
    else if (type === 'drop') {
      dropOverlay.hide();
      openDatasets(paths);
    }
  });

  await loadRecentSessions();
  await checkDocker();
  if (backend.ready) backend.ready({ openDatasets });
}

start().catch((err) => {
  // Last resort: never a blank window.
  console.error(err);
  const app = document.getElementById('app');
  if (app) app.dataset.mode = 'broken';
  document.body.append(
    Object.assign(document.createElement('p'), {
      className: 'fatal',
      textContent: 'Sandpiper could not start its window. Restart the app; if it happens again, reinstall it.',
    }),
  );
});
