import { test } from 'node:test';
import assert from 'node:assert/strict';
import { initialState, reduce, findRun, activeRuns, pullProgress, isDockerReady, MAX_LINES_PER_RUN } from '../state.js';
import { keptLines, keptCount } from '../output-log.js';
import { SAMPLES, stdout, stderr, started, finished, artifact, progress } from './fixtures.js';

const run = (events, ctx) => events.reduce((s, e) => reduce(s, e, ctx), initialState());
const texts = (r) => keptLines(r.output).map((l) => `${l.stream}:${l.text}`);

test('initial state is empty and docker unknown', () => {
  const s = initialState();
  assert.deepEqual(s.items, []);
  assert.equal(s.docker.status, null);
  assert.equal(isDockerReady(s), false);
});

test('run_started creates a running card with its title', () => {
  const s = run([SAMPLES.run_started], { now: 1000 });
  const r = findRun(s, 'run-1');
  assert.equal(r.title, 'Quick profile of sales.csv');
  assert.equal(r.image, 'python:3.11-slim');
  assert.equal(r.phase, 'running');
  assert.equal(r.startedAt, 1000);
  assert.equal(s.items.length, 1);
});

test('stdout and stderr keep their interleaved order within a run', () => {
  const s = run([started('a'), stdout('a', 'one'), stderr('a', 'warn'), stdout('a', 'two'), stderr('a', 'trace'), stdout('a', '')]);
  assert.deepEqual(texts(findRun(s, 'a')), ['stdout:one', 'stderr:warn', 'stdout:two', 'stderr:trace', 'stdout:']);
});

test('two interleaved runs keep their output apart', () => {
  const s = run([
    started('a', 'A'),
    started('b', 'B'),
    stdout('a', 'a1'),
    stdout('b', 'b1'),
    stderr('b', 'b2'),
    stdout('a', 'a2'),
    finished('b', 'failed'),
    stdout('a', 'a3'),
    finished('a'),
  ]);
  assert.deepEqual(s.items.map((i) => i.key), ['run:a', 'run:b']);
  assert.deepEqual(texts(findRun(s, 'a')), ['stdout:a1', 'stdout:a2', 'stdout:a3']);
  assert.deepEqual(texts(findRun(s, 'b')), ['stdout:b1', 'stderr:b2']);
  assert.equal(findRun(s, 'a').finished.outcome, 'success');
  assert.equal(findRun(s, 'b').finished.outcome, 'failed');
});

test('artifacts attach to the run they name', () => {
  const s = run([
    started('a'),
    started('b'),
    artifact('a', 'hist.png'),
    artifact('b', 'summary.csv', 'text/csv', 2048),
    artifact('a', 'missing.svg', 'image/svg+xml'),
  ]);
  assert.deepEqual(findRun(s, 'a').artifacts.map((x) => x.name), ['hist.png', 'missing.svg']);
  assert.deepEqual(findRun(s, 'b').artifacts, [
    { name: 'summary.csv', path: '/out/b/summary.csv', mime: 'text/csv', sizeBytes: 2048 },
  ]);
});

test('the same artifact path sent twice is shown once', () => {
  const s = run([started('a'), artifact('a', 'hist.png', 'image/png', 1), artifact('a', 'hist.png', 'image/png', 2)]);
  assert.deepEqual(findRun(s, 'a').artifacts.map((x) => x.sizeBytes), [2]);
});

test('run_finished records outcome, summary, duration and truncation', () => {
  const s = run([started('a'), finished('a', 'out_of_memory', { exit_code: 137, duration_ms: 9000, summary: 'It ran out of memory.', output_truncated: true })]);
  const r = findRun(s, 'a');
  assert.equal(r.phase, 'finished');
  assert.deepEqual(r.finished, {
    outcome: 'out_of_memory',
    exitCode: 137,
    durationMs: 9000,
    summary: 'It ran out of memory.',
    outputTruncated: true,
    error: null,
  });
  assert.deepEqual(activeRuns(s), []);
});

test('only the first run_finished of a run counts', () => {
  const s = run([started('a'), finished('a', 'cancelled'), finished('a', 'success')]);
  assert.equal(findRun(s, 'a').finished.outcome, 'cancelled');
});

test('a run that finishes without ever starting still gets a card', () => {
  const s = run([finished('x', 'docker_failure', { exit_code: null, summary: 'Docker is not running.' })]);
  const r = findRun(s, 'x');
  assert.equal(r.phase, 'finished');
  assert.equal(r.finished.outcome, 'docker_failure');
  assert.equal(r.finished.exitCode, null);
});

test('past the cap, the latest lines are kept and the older ones counted', () => {
  const events = [started('a')];
  for (let i = 0; i < MAX_LINES_PER_RUN + 7; i++) events.push(i % 2 ? stderr('a', `line ${i}`) : stdout('a', `line ${i}`));
  const r = findRun(run(events), 'a');
  const lines = keptLines(r.output);
  assert.equal(lines.length, MAX_LINES_PER_RUN);
  assert.equal(r.output.dropped, 7);
  assert.deepEqual(lines[0], { stream: 'stderr', text: 'line 7' });
  assert.deepEqual(lines.at(-1), { stream: 'stdout', text: `line ${MAX_LINES_PER_RUN + 6}` });
});

test('unchanged parts keep their identity, so views can skip them', () => {
  const s1 = run([started('a'), started('b'), stdout('a', 'x')]);
  const s2 = reduce(s1, stdout('b', 'y'));
  assert.notEqual(s2, s1);
  assert.equal(s2.items[0], s1.items[0]);
  assert.notEqual(s2.items[1], s1.items[1]);
  assert.equal(keptCount(s1.items[1].output), 0, 'the old state is not mutated');
});

test('unknown kinds and malformed events are ignored', () => {
  const s = run([started('a')]);
  for (const junk of [
    null,
    undefined,
    42,
    'stdout',
    {},
    { kind: 'chat_message', text: 'hi' },
    { kind: 'toString' },
    { kind: '__proto__' },
    { kind: 'hasOwnProperty' },
    { kind: 'stdout' },
    { kind: 'stdout', run_id: 5, line: 'x' },
    { kind: 'artifact', run_id: 'a', artifact: null },
    { kind: 'run_started', run_id: '' },
    { kind: 'image_pull_progress', image: null },
  ]) {
    assert.equal(reduce(s, junk), s, JSON.stringify(junk));
  }
});

test('image pull progress aggregates bytes over layers', () => {
  const s = run([
    { kind: 'image_pull_started', image: 'python:3.11-slim' },
    progress(null, 'Pulling from library/python'),
    progress('l1', 'Pulling fs layer'),
    progress('l2', 'Pulling fs layer'),
    progress('l3', 'Already exists'),
    progress('l2', 'Downloading', 1000, 3000),
    progress('l1', 'Downloading', 500, 1000),
  ]);
  assert.equal(s.items.length, 1);
  const pull = s.items[0];
  assert.equal(pull.type, 'pull');
  assert.equal(pull.status, 'pulling');
  assert.equal(pull.progress.totalBytes, 4000);
  assert.equal(pull.progress.currentBytes, 1500);
  assert.equal(pull.progress.fraction, 1500 / 4000);
  assert.equal(pull.progress.layerCount, 3);
  assert.equal(pull.progress.layersDone, 1);
});

test('extracting a layer counts it as downloaded, and the bar never goes back', () => {
  let s = run([
    { kind: 'image_pull_started', image: 'img' },
    progress('l1', 'Downloading', 900, 1000, 'img'),
    progress('l1', 'Download complete', null, null, 'img'),
    progress('l1', 'Extracting', 10, 50000, 'img'),
  ]);
  assert.equal(s.items[0].progress.fraction, 1);
  // a new, larger layer appears: the real fraction drops, the shown one does not
  s = reduce(s, progress('l2', 'Downloading', 0, 9000, 'img'));
  assert.equal(s.items[0].progress.fraction, 1);
  assert.equal(s.items[0].progress.totalBytes, 10000);
  s = reduce(s, progress('l1', 'Pull complete', null, null, 'img'));
  assert.equal(s.items[0].progress.layersDone, 1);
});

test('image_ready completes the pull card; a later pull gets a new card', () => {
  let s = run([{ kind: 'image_pull_started', image: 'img' }, progress('l1', 'Downloading', 1, 2, 'img'), { kind: 'image_ready', image: 'img' }]);
  assert.equal(s.items[0].status, 'ready');
  assert.equal(s.items[0].progress.fraction, 1);
  assert.deepEqual(s.activePulls, {});
  s = reduce(s, { kind: 'image_pull_started', image: 'img' });
  assert.equal(s.items.length, 2);
  assert.equal(s.items[1].status, 'pulling');
});

test('image_ready for an image that was already there shows nothing', () => {
  const s0 = initialState();
  assert.equal(reduce(s0, SAMPLES.image_ready), s0);
});

test('progress without a start event still opens a pull card', () => {
  const s = run([progress('l1', 'Downloading', 5, 10, 'img')]);
  assert.equal(s.items.length, 1);
  assert.equal(s.items[0].progress.fraction, 0.5);
});

test('pullProgress handles layers of unknown size', () => {
  assert.deepEqual(pullProgress({ a: { total: null, downloaded: 0, done: false, cached: false } }), {
    currentBytes: 0,
    totalBytes: 0,
    fraction: null,
    layerCount: 1,
    layersDone: 0,
  });
});

test('opening a file: pending card becomes the run card in place', () => {
  let s = run([
    { kind: 'ui:open_requested', requestId: 1, path: '/data/sales.csv' },
    { kind: 'ui:open_requested', requestId: 2, path: 'C:\\data\\costs.csv' },
  ]);
  assert.deepEqual(s.items.map((i) => [i.type, i.name]), [['pending', 'sales.csv'], ['pending', 'costs.csv']]);
  s = reduce(s, { kind: 'ui:open_started', requestId: 1, runId: 'r1' }, { now: 5 });
  assert.deepEqual(s.items.map((i) => i.key), ['run:r1', 'req:2']);
  assert.equal(findRun(s, 'r1').title, 'Quick profile of sales.csv');
  assert.equal(findRun(s, 'r1').phase, 'starting');
  s = reduce(s, started('r1', 'Quick profile of sales.csv (9 columns)'), { now: 10 });
  assert.equal(findRun(s, 'r1').title, 'Quick profile of sales.csv (9 columns)');
  assert.equal(findRun(s, 'r1').startedAt, 10);
});

test('opening files: run events that beat the command reply are neither duplicated nor reordered', () => {
  let s = run([
    { kind: 'ui:open_requested', requestId: 1, path: '/d/a.csv' },
    { kind: 'ui:open_requested', requestId: 2, path: '/d/b.csv' },
    started('r2'),
    stdout('r2', 'b first'),
    started('r1'),
    stdout('r1', 'hi'),
  ]);
  assert.deepEqual(s.items.map((i) => i.key), ['req:1', 'req:2', 'run:r2', 'run:r1']);
  s = reduce(s, { kind: 'ui:open_started', requestId: 2, runId: 'r2' });
  s = reduce(s, { kind: 'ui:open_started', requestId: 1, runId: 'r1' });
  assert.deepEqual(s.items.map((i) => i.key), ['run:r1', 'run:r2']);
  assert.deepEqual(texts(findRun(s, 'r1')), ['stdout:hi']);
  assert.equal(findRun(s, 'r1').sourcePath, '/d/a.csv');
  assert.equal(findRun(s, 'r1').title, 'Run r1', 'the title from run_started wins');
});

test('a failed open turns its pending card into an error card', () => {
  let s = run([{ kind: 'ui:open_requested', requestId: 1, path: '/d/notes.txt' }]);
  s = reduce(s, { kind: 'ui:open_failed', requestId: 1, error: { title: 'This is not a CSV file', advice: 'Choose a .csv file.' } });
  assert.equal(s.items.length, 1);
  assert.deepEqual(
    { type: s.items[0].type, title: s.items[0].title, advice: s.items[0].advice, context: s.items[0].context },
    { type: 'error', title: 'This is not a CSV file', advice: 'Choose a .csv file.', context: 'notes.txt' },
  );
  s = reduce(s, { kind: 'ui:dismiss', key: s.items[0].key });
  assert.deepEqual(s.items, []);
});

test('stop: requested, then finished as cancelled; a failed stop shows an error', () => {
  let s = run([started('a'), { kind: 'ui:stop_requested', runId: 'a' }]);
  assert.equal(findRun(s, 'a').stopping, true);
  s = reduce(s, finished('a', 'cancelled'));
  assert.equal(findRun(s, 'a').stopping, false);
  let t = run([started('b'), { kind: 'ui:stop_requested', runId: 'b' }, { kind: 'ui:stop_failed', runId: 'b', error: { title: 'Could not stop', advice: 'Try again.' } }]);
  assert.equal(findRun(t, 'b').stopping, false);
  assert.equal(t.items.at(-1).type, 'error');
  assert.equal(t.items.at(-1).title, 'Could not stop');
  // cancel_run said the run had already ended: the button comes back, no error card
  const v = run([started('d'), { kind: 'ui:stop_requested', runId: 'd' }, { kind: 'ui:stop_not_needed', runId: 'd' }]);
  assert.equal(findRun(v, 'd').stopping, false);
  assert.equal(v.items.length, 1);
  // stopping a finished run does nothing
  const u = run([started('c'), finished('c')]);
  assert.equal(reduce(u, { kind: 'ui:stop_requested', runId: 'c' }), u);
});

test('docker status: checking, ready, not running, and a failed check', () => {
  let s = reduce(initialState(), { kind: 'ui:docker_checking' });
  assert.equal(s.docker.checking, true);
  s = reduce(s, { kind: 'ui:docker_status', status: { state: 'ready', title: 'Docker is ready', advice: '', version: '27.1', endpoint: 'unix:///var/run/docker.sock' } });
  assert.equal(s.docker.checking, false);
  assert.equal(isDockerReady(s), true);
  s = reduce(s, { kind: 'ui:docker_status', status: { state: 'not_running', title: 'Docker is not running', advice: 'Start Docker Desktop.', version: null, endpoint: null } });
  assert.equal(isDockerReady(s), false);
  assert.equal(s.docker.status.advice, 'Start Docker Desktop.');
  s = reduce(s, { kind: 'ui:docker_status_failed', error: { title: 'Could not check Docker', advice: 'Restart Sandpiper.' } });
  assert.equal(s.docker.status.state, 'error');
  assert.equal(s.docker.status.title, 'Could not check Docker');
});

test('error cards from other commands append with unique keys', () => {
  const s = run([
    { kind: 'ui:error', error: { title: 'One', advice: '' } },
    { kind: 'ui:error', error: { code: 'llm.missing_key', title: 'Two', advice: 'x' }, context: 'Settings' },
  ]);
  assert.deepEqual(s.items.map((i) => i.title), ['One', 'Two']);
  assert.deepEqual(s.items.map((i) => i.code), ['', 'llm.missing_key']);
  assert.notEqual(s.items[0].key, s.items[1].key);
  assert.equal(s.items[1].context, 'Settings');
});

test('a download that starts while a file is opening shows above it', () => {
  let s = run([
    started('done'),
    finished('done'),
    { kind: 'ui:open_requested', requestId: 1, path: '/d/a.csv' },
    { kind: 'image_pull_started', image: 'img' },
  ]);
  assert.deepEqual(s.items.map((i) => i.type), ['run', 'pull', 'pending']);
  s = reduce(s, { kind: 'ui:open_started', requestId: 1, runId: 'r1' });
  assert.deepEqual(s.items.map((i) => i.key), ['run:done', 'pull:1', 'run:r1']);
  // with nothing waiting, it goes at the end
  const t = run([started('x'), { kind: 'image_pull_started', image: 'img' }]);
  assert.deepEqual(t.items.map((i) => i.type), ['run', 'pull']);
});

test('a python error report is kept with the finished run', () => {
  const error = { type: 'KeyError', message: "'price'", line: 4, context: '->   4 | df["price"]' };
  const s = run([started('a'), finished('a', 'failed', { error })]);
  assert.deepEqual(findRun(s, 'a').finished.error, error);
  const t = run([started('b'), finished('b', 'failed', { error: 'garbage' })]);
  assert.equal(findRun(t, 'b').finished.error, null);
});
