// The command and event contract with the Tauri shell, checked against a fake
// window.__TAURI__ (names and argument shapes must match the Rust commands).
import { test, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { hasTauri, createTauriBackend } from '../tauri.js';

let calls;
let listeners;
let dragHandler;
let failWith;

beforeEach(() => {
  calls = [];
  listeners = {};
  dragHandler = null;
  failWith = null;
  globalThis.window = {
    __TAURI__: {
      core: {
        async invoke(cmd, args) {
          calls.push([cmd, args]);
          if (failWith !== null) throw failWith;
          if (cmd === 'start_quick_profile') return 'run-42';
          if (cmd === 'save_settings') return args.settings;
          return null;
        },
        convertFileSrc: (p) => `asset://localhost/${encodeURIComponent(p)}`,
      },
      event: {
        async listen(name, cb) {
          listeners[name] = cb;
          return () => delete listeners[name];
        },
      },
      webview: {
        getCurrentWebview: () => ({
          async onDragDropEvent(cb) {
            dragHandler = cb;
            return () => {};
          },
        }),
      },
    },
  };
});

afterEach(() => {
  delete globalThis.window;
});

test('hasTauri is false in a plain browser and true in the app', () => {
  assert.equal(hasTauri(), true);
  globalThis.window = {};
  assert.equal(hasTauri(), false);
  delete globalThis.window;
  assert.equal(hasTauri(), false);
});

test('commands are invoked with the exact names and argument shapes', async () => {
  const b = createTauriBackend();
  await b.dockerStatus();
  await b.pickDataset();
  assert.equal(await b.startQuickProfile('/d/sales.csv'), 'run-42');
  await b.startQuickProfile('/d/sales.csv', 'session-1');
  await b.cancelRun('run-42');
  await b.getSettings();
  const settings = { sandbox: { memory_mib: 512 } };
  assert.deepEqual(await b.saveSettings(settings), settings);
  await b.pickCaBundle();
  await b.defaultCaBundle();
  assert.deepEqual(calls, [
    ['docker_status', undefined],
    ['pick_dataset', undefined],
    ['start_quick_profile', { path: '/d/sales.csv', sessionId: null }],
    ['start_quick_profile', { path: '/d/sales.csv', sessionId: 'session-1' }],
    ['cancel_run', { runId: 'run-42' }],
    ['get_settings', undefined],
    ['save_settings', { settings }],
    ['pick_ca_bundle', undefined],
    ['default_ca_bundle', undefined],
  ]);
});

test('the language-model commands are invoked with the names and arguments the shell has', async () => {
  const b = createTauriBackend();
  await b.listModels('ollama', '');
  await b.testConnection('openai-compatible', 'http://127.0.0.1:8000/v1', 'local');
  await b.apiKeyStatus('anthropic');
  await b.saveApiKey('anthropic', 'sk-ant-x');
  await b.forgetApiKey('anthropic');
  assert.deepEqual(calls, [
    ['list_models', { provider: 'ollama', baseUrl: null }],
    ['test_connection', { provider: 'openai-compatible', baseUrl: 'http://127.0.0.1:8000/v1', model: 'local' }],
    ['api_key_status', { provider: 'anthropic' }],
    ['save_api_key', { provider: 'anthropic', key: 'sk-ant-x' }],
    ['forget_api_key', { provider: 'anthropic' }],
  ]);
});

test('the session and analysis commands are invoked with the names and arguments the shell has', async () => {
  const b = createTauriBackend();
  await b.createSession();
  await b.addSessionDatasets('session-1', ['/d/sales.csv']);
  await b.openSession('session-1');
  await b.closeSession('session-1');
  await b.listSessions();
  await b.renameSession('session-1', 'Sales 2025');
  await b.deleteSession('session-1');
  await b.startAnalysis('session-1', 'Which region sold most?');
  await b.stopStep('step-1');
  await b.warmSession('session-1');
  await b.describeColumn('session-1', 'sales.csv', 'amount', 'in euros');
  assert.deepEqual(calls, [
    ['create_session', undefined],
    ['add_session_datasets', { sessionId: 'session-1', paths: ['/d/sales.csv'] }],
    ['open_session', { sessionId: 'session-1' }],
    ['close_session', { sessionId: 'session-1' }],
    ['list_sessions', undefined],
    ['rename_session', { sessionId: 'session-1', title: 'Sales 2025' }],
    ['delete_session', { sessionId: 'session-1' }],
    ['start_analysis', { sessionId: 'session-1', question: 'Which region sold most?' }],
    ['stop_step', { stepId: 'step-1' }],
    ['warm_session', { sessionId: 'session-1' }],
    ['describe_column', { sessionId: 'session-1', dataset: 'sales.csv', column: 'amount', description: 'in euros' }],
  ]);
});

test('command failures reject with { title, advice }', async () => {
  const b = createTauriBackend();
  failWith = { title: 'Not a CSV file', advice: 'Choose a .csv file.' };
  await assert.rejects(b.startQuickProfile('/x.txt'), { title: 'Not a CSV file', advice: 'Choose a .csv file.' });
  failWith = 'command cancel_run not found';
  await assert.rejects(b.cancelRun('r'), { title: 'Could not stop the run', advice: 'command cancel_run not found' });
});

test('engine events arrive on "engine-event" with the payload as is', async () => {
  const b = createTauriBackend();
  const got = [];
  await b.onEngineEvent((e) => got.push(e));
  const payload = { kind: 'stdout', run_id: 'r', line: 'x' };
  listeners['engine-event']({ event: 'engine-event', id: 1, payload });
  assert.deepEqual(got, [payload]);
});

test('drag-and-drop events are passed on as { type, paths }', async () => {
  const b = createTauriBackend();
  const got = [];
  await b.onDragDrop((e) => got.push(e));
  dragHandler({ payload: { type: 'enter', paths: ['/a.csv'], position: { x: 1, y: 2 } } });
  dragHandler({ payload: { type: 'over', position: { x: 3, y: 4 } } });
  dragHandler({ payload: { type: 'drop', paths: ['/a.csv'], position: { x: 3, y: 4 } } });
  dragHandler({ payload: { type: 'leave' } });
  assert.deepEqual(got, [
    { type: 'enter', paths: ['/a.csv'] },
    { type: 'over', paths: [] },
    { type: 'drop', paths: ['/a.csv'] },
    { type: 'leave', paths: [] },
  ]);
});

test('artifact paths go through convertFileSrc', () => {
  assert.equal(createTauriBackend().fileSrc('/tmp/a b.png'), 'asset://localhost/%2Ftmp%2Fa%20b.png');
});

test('the export and containers commands are invoked with the names and arguments the shell has', async () => {
  const b = createTauriBackend();
  await b.exportSession('s-1', 'html');
  await b.listContainers();
  await b.stopContainer('c-1');
  await b.removeContainer('c-1');
  await b.removeUnusedContainers();
  await b.removeSessionEnvironment('s-1');
  await b.explainStep('s-1', 'step-1');
  assert.deepEqual(calls, [
    ['export_session', { sessionId: 's-1', format: 'html' }],
    ['list_containers', undefined],
    ['stop_container', { id: 'c-1' }],
    ['remove_container', { id: 'c-1' }],
    ['remove_unused_containers', undefined],
    ['remove_session_environment', { sessionId: 's-1' }],
    ['explain_step', { sessionId: 's-1', stepId: 'step-1' }],
  ]);
});

test('the capability file grants exactly the commands this window invokes', () => {
  const source = readFileSync(new URL('../tauri.js', import.meta.url), 'utf8');
  const invoked = new Set([...source.matchAll(/call\(\s*'([a-z_]+)'/g)].map((m) => m[1]));
  const capability = JSON.parse(readFileSync(new URL('../../src-tauri/capabilities/default.json', import.meta.url), 'utf8'));
  const granted = capability.permissions
    .filter((p) => p.startsWith('allow-'))
    .map((p) => p.slice('allow-'.length).replaceAll('-', '_'));
  assert.deepEqual([...granted].sort(), [...invoked].sort());
});

test('"Save output…" sends every line to save_output, which answers the file written or null', async () => {
  const b = createTauriBackend();
  const lines = Array.from({ length: 1200 }, (_, i) => `row ${i}`);
  await b.saveOutput('Try 1 output', lines);
  assert.deepEqual(calls, [['save_output', { name: 'Try 1 output', lines }]]);
  failWith = { title: 'Sandpiper could not save the output to /x.txt.', advice: 'Choose a folder you may write to.' };
  await assert.rejects(b.saveOutput('Try 1 output', lines), { title: 'Sandpiper could not save the output to /x.txt.' });
});
