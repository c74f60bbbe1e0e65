import { test } from 'node:test';
import assert from 'node:assert/strict';
import { basename, formatBytes, formatDuration, formatElapsed } from '../format.js';
import { toUserError, fixFor } from '../errors.js';
import { toForm, fromForm, SANDBOX_DEFAULTS } from '../settings-form.js';

test('basename works for POSIX and Windows paths', () => {
  assert.equal(basename('/Users/ana/Desktop/sales.csv'), 'sales.csv');
  assert.equal(basename('C:\\Users\\ana\\costs 2024.csv'), 'costs 2024.csv');
  assert.equal(basename('plain.csv'), 'plain.csv');
  assert.equal(basename(null), '');
});

test('formatBytes', () => {
  assert.equal(formatBytes(0), '0 bytes');
  assert.equal(formatBytes(1), '1 byte');
  assert.equal(formatBytes(1500), '1.5 KB');
  assert.equal(formatBytes(20480), '20.5 KB');
  assert.equal(formatBytes(123_456_789), '123 MB');
  assert.equal(formatBytes(null), '');
});

test('formatDuration and formatElapsed', () => {
  assert.equal(formatDuration(840), '0.8 s');
  assert.equal(formatDuration(4200), '4.2 s');
  assert.equal(formatDuration(42_000), '42 s');
  assert.equal(formatDuration(125_000), '2 min 5 s');
  assert.equal(formatDuration(3_780_000), '1 h 3 min');
  assert.equal(formatElapsed(7_400), '0:07');
  assert.equal(formatElapsed(754_000), '12:34');
  assert.equal(formatElapsed(3_723_000), '1:02:03');
});

test('toUserError never leaks raw objects', () => {
  assert.deepEqual(toUserError({ title: 'No file', advice: 'Pick one.' }), { code: '', title: 'No file', advice: 'Pick one.' });
  assert.deepEqual(toUserError('disk full'), { code: '', title: 'Something went wrong', advice: 'disk full' });
  assert.deepEqual(toUserError(new Error('boom'), 'Could not save'), { code: '', title: 'Could not save', advice: 'boom' });
  const generic = toUserError({ code: 17 });
  assert.equal(generic.title, 'Something went wrong');
  assert.ok(!generic.advice.includes('{'));
  assert.equal(toUserError(undefined).title, 'Something went wrong');
});

test('an error keeps its code, and the code alone decides the fix offered', () => {
  const err = toUserError({ code: 'llm.missing_key', title: 'No key', advice: 'Add one.' });
  assert.equal(err.code, 'llm.missing_key');
  assert.deepEqual(fixFor(err.code), { label: 'Open Settings', section: 'model' });
  assert.deepEqual(fixFor('packages.index_untrusted'), { label: 'Open Settings', section: 'packages' });
  assert.deepEqual(fixFor('docker.endpoint_invalid'), { label: 'Open Settings', section: 'docker' });
  // Words that look like a settings problem get no button without the code.
  assert.equal(fixFor(toUserError({ title: 'Add your key in Settings' }).code), null);
  assert.equal(fixFor('run.program_too_large'), null);
  assert.equal(fixFor('toString'), null);
  assert.equal(fixFor(undefined), null);
});

test('settings form: CPU percent maps to quota over a 100 000 µs period', () => {
  const loaded = {
    docker: { endpoint: 'tcp://127.0.0.1:2375' },
    sandbox: { ...SANDBOX_DEFAULTS, pids_limit: 256, output_cap_bytes: 1048576, artifact_cap_bytes: 52428800 },
  };
  assert.deepEqual(toForm(loaded), {
    image: 'python:3.11-slim',
    memoryMib: '512',
    cpuPercent: '50',
    timeoutSecs: '120',
    dockerEndpoint: 'tcp://127.0.0.1:2375',
    dockerCertDir: '',
    packagesAutoInstall: true,
    packagesProxy: '',
    packagesCaBundle: '',
    packagesNetwork: '',
    packagesAllowlist: '',
    packagesInstallWithoutAsking: '',
    packagesDenylist: '',
  });
  const { settings, errors } = fromForm(loaded, { image: ' python:3.12-slim ', memoryMib: '1024', cpuPercent: '150', timeoutSecs: '300' });
  assert.deepEqual(errors, {});
  assert.deepEqual(settings, {
    docker: { endpoint: 'tcp://127.0.0.1:2375' },
    sandbox: {
      image: 'python:3.12-slim',
      memory_mib: 1024,
      cpu_quota_us: 150_000,
      cpu_period_us: 100_000,
      timeout_secs: 300,
      pids_limit: 256,
      output_cap_bytes: 1048576,
      artifact_cap_bytes: 52428800,
    },
  });
  // a quota stored over another period is shown as a percentage of a core
  assert.equal(toForm({ sandbox: { cpu_quota_us: 25_000, cpu_period_us: 50_000 } }).cpuPercent, '50');
});

test('settings form refuses nonsense in plain words', () => {
  const { settings, errors } = fromForm({}, { image: '', memoryMib: '32', cpuPercent: '0.5', timeoutSecs: 'abc' });
  assert.equal(settings, null);
  assert.match(errors.image, /python:3.11-slim/);
  assert.match(errors.memoryMib, /at least 64 MiB/);
  assert.match(errors.cpuPercent, /at least 1%/);
  assert.match(errors.timeoutSecs, /whole number of seconds/);
});

test('every outcome has a label, a tone and an icon', async () => {
  const { OUTCOMES } = await import('../events.js');
  const { OUTCOME_STYLE, outcomeStyle } = await import('../view/outcomes.js');
  for (const outcome of OUTCOMES) {
    const style = OUTCOME_STYLE[outcome];
    assert.ok(style && style.label && style.tone && style.icon, outcome);
  }
  assert.equal(outcomeStyle('exploded').label, 'Finished');
  assert.equal(outcomeStyle('constructor').label, 'Finished');
});
