// The settings dialog's mapping: the "Advanced: Docker" fields, their checks, and
// that saving never drops parts of Settings the dialog does not show.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  toForm,
  fromForm,
  usesTls,
  checkDockerEndpoint,
  checkCertDir,
  dockerChanged,
  DOCKER_SCHEMES,
  SANDBOX_DEFAULTS,
} from '../settings-form.js';

/** What get_settings returns (src/settings.rs, serialized), with an llm section. */
function loadedSettings(docker = { endpoint: null, tls_cert_dir: null }) {
  return {
    docker,
    sandbox: {
      ...SANDBOX_DEFAULTS,
      pids_limit: 256,
      output_cap_bytes: 1_048_576,
      artifact_cap_bytes: 52_428_800,
      workspace_mib: 256,
    },
    llm: {
      provider: 'ollama',
      model: 'llama3.1',
      base_url: 'http://localhost:11434/v1',
      send_sample_rows: false,
      connect_timeout_secs: 10,
      first_token_timeout_secs: 60,
      total_timeout_secs: 300,
      max_attempts: 4,
    },
    packages: loadedPackages(),
  };
}

/** The packages section as get_settings returns it (PackageSettings, serialized). */
function loadedPackages(changes = {}) {
  return {
    proxy: null,
    ca_bundle: '/etc/ssl/certs/ca-certificates.crt',
    allowlist: [],
    install_without_asking: [],
    denylist: [],
    auto_install: true,
    network: null,
    store_volume: 'sandpiper-packages',
    ...changes,
  };
}

/** The dialog's values for `settings`, with some fields changed. */
function formFor(settings, changes = {}) {
  return { ...toForm(settings), ...changes };
}

test('toForm shows null Docker settings as empty fields', () => {
  const form = toForm(loadedSettings());
  assert.equal(form.dockerEndpoint, '');
  assert.equal(form.dockerCertDir, '');
  assert.equal(toForm({}).dockerEndpoint, '');
  assert.equal(toForm(null).dockerCertDir, '');
  assert.equal(toForm({ docker: null }).dockerEndpoint, '');
  assert.equal(toForm({ docker: { endpoint: 42 } }).dockerEndpoint, '');
});

test('toForm shows a team server and its certificate folder', () => {
  const form = toForm(loadedSettings({ endpoint: 'tcp://build-server:2376', tls_cert_dir: '/Users/ana/.docker/team' }));
  assert.equal(form.dockerEndpoint, 'tcp://build-server:2376');
  assert.equal(form.dockerCertDir, '/Users/ana/.docker/team');
});

test('empty Docker fields are saved as null (automatic)', () => {
  const loaded = loadedSettings({ endpoint: 'unix:///tmp/docker.sock', tls_cert_dir: null });
  const { settings, errors } = fromForm(loaded, formFor(loaded, { dockerEndpoint: '   ', dockerCertDir: '' }));
  assert.deepEqual(errors, {});
  assert.deepEqual(settings.docker, { endpoint: null, tls_cert_dir: null });
});

test('Docker settings round-trip through the form unchanged', () => {
  for (const docker of [
    { endpoint: null, tls_cert_dir: null },
    { endpoint: 'unix:///Users/ana/.colima/default/docker.sock', tls_cert_dir: null },
    { endpoint: 'npipe:////./pipe/docker_engine', tls_cert_dir: null },
    { endpoint: 'tcp://build-server:2376', tls_cert_dir: '/Users/ana/.docker/team' },
    { endpoint: 'https://docker.example.com:2376', tls_cert_dir: 'C:\\Users\\ana\\certs' },
    { endpoint: 'tcp://10.0.0.5:2375', tls_cert_dir: null },
    { endpoint: 'ssh://ana@build-server', tls_cert_dir: null },
  ]) {
    const loaded = loadedSettings(docker);
    const { settings, errors } = fromForm(loaded, toForm(loaded));
    assert.deepEqual(errors, {}, JSON.stringify(docker));
    assert.deepEqual(settings, loaded, JSON.stringify(docker));
  }
});

test('saving keeps the llm section, other sandbox fields and unknown keys', () => {
  const loaded = {
    ...loadedSettings({ endpoint: null, tls_cert_dir: null, future_docker_key: 'kept' }),
    a_section_from_a_newer_engine: { anything: [1, 2, 3] },
  };
  loaded.sandbox.some_new_limit = 7;
  const before = structuredClone(loaded);
  const { settings, errors } = fromForm(
    loaded,
    formFor(loaded, { memoryMib: '2048', dockerEndpoint: 'tcp://server:2376', dockerCertDir: '/certs' }),
  );
  assert.deepEqual(errors, {});
  assert.deepEqual(settings.llm, before.llm);
  assert.deepEqual(settings.a_section_from_a_newer_engine, { anything: [1, 2, 3] });
  assert.equal(settings.sandbox.pids_limit, 256);
  assert.equal(settings.sandbox.workspace_mib, 256);
  assert.equal(settings.sandbox.output_cap_bytes, 1_048_576);
  assert.equal(settings.sandbox.artifact_cap_bytes, 52_428_800);
  assert.equal(settings.sandbox.some_new_limit, 7);
  assert.equal(settings.sandbox.memory_mib, 2048);
  assert.deepEqual(settings.docker, { endpoint: 'tcp://server:2376', tls_cert_dir: '/certs', future_docker_key: 'kept' });
  // the loaded object itself is not changed
  assert.deepEqual(loaded, before);
});

test('a form without Docker fields leaves the docker section as loaded', () => {
  const loaded = loadedSettings({ endpoint: 'tcp://server:2376', tls_cert_dir: '/certs' });
  const { image, memoryMib, cpuPercent, timeoutSecs } = toForm(loaded);
  const { settings } = fromForm(loaded, { image, memoryMib, cpuPercent, timeoutSecs });
  assert.deepEqual(settings.docker, loaded.docker);
});

test('a Docker address is accepted with any of the engine\'s schemes', () => {
  assert.deepEqual(DOCKER_SCHEMES, ['unix', 'npipe', 'tcp', 'http', 'https', 'ssh']);
  for (const address of [
    'unix:///var/run/docker.sock',
    'npipe:////./pipe/docker_engine',
    'tcp://server:2376',
    'http://127.0.0.1:2375',
    'https://docker.example.com:2376',
    'ssh://ana@server',
  ]) {
    assert.deepEqual(checkDockerEndpoint(address), { endpoint: address, error: null }, address);
    assert.deepEqual(checkDockerEndpoint(`  ${address}\n`), { endpoint: address, error: null }, address);
  }
  assert.deepEqual(checkDockerEndpoint(''), { endpoint: null, error: null });
  assert.deepEqual(checkDockerEndpoint(undefined), { endpoint: null, error: null });
  // the scheme is written the way the engine compares it
  assert.equal(checkDockerEndpoint('TCP://Server:2376').endpoint, 'tcp://Server:2376');
});

test('a wrong Docker address gets a field error in plain words', () => {
  const cases = [
    ['ftp://server', /cannot use an address that starts with ftp:\/\//],
    ['tcp://', /after tcp:\/\/, like this: tcp:\/\/server:2376/],
    ['unix://', /unix:\/\/\/var\/run\/docker\.sock/],
    ['/var/run/docker.sock', /Put unix:\/\/ in front of a socket, like this: unix:\/\/\/var\/run\/docker\.sock/],
    ['build-server:2376', /Put tcp:\/\/ in front .* tcp:\/\/build-server:2376/],
    ['\\\\.\\pipe\\docker_engine', /npipe:\/\/\/\/\.\/pipe\/docker_engine/],
    ['tcp://my server:2376', /cannot contain spaces/],
    ['docker', /Start the address with unix:\/\/, npipe:\/\/, tcp:\/\/, http:\/\/, https:\/\/ or ssh:\/\/, or leave it empty/],
  ];
  for (const [address, message] of cases) {
    const { endpoint, error } = checkDockerEndpoint(address);
    assert.equal(endpoint, null, address);
    assert.match(error, message, address);
    assert.ok(!/undefined|null|\{/.test(error), error);
  }
  const loaded = loadedSettings();
  const { settings, errors } = fromForm(loaded, formFor(loaded, { dockerEndpoint: 'docker.example.com' }));
  assert.equal(settings, null);
  assert.deepEqual(Object.keys(errors), ['dockerEndpoint']);
});

test('the certificate folder only counts for tcp:// and https://', () => {
  assert.equal(usesTls('tcp://server:2376'), true);
  assert.equal(usesTls(' HTTPS://server:2376'), true);
  for (const address of ['', null, 'unix:///var/run/docker.sock', 'npipe:////./pipe/docker_engine', 'http://server:2375', 'ssh://ana@server']) {
    assert.equal(usesTls(address), false, String(address));
  }
  const loaded = loadedSettings({ endpoint: 'tcp://server:2376', tls_cert_dir: '/certs' });
  // switching to a local socket drops the certificates rather than saving unused ones
  const local = fromForm(loaded, formFor(loaded, { dockerEndpoint: 'unix:///var/run/docker.sock' }));
  assert.deepEqual(local.settings.docker, { endpoint: 'unix:///var/run/docker.sock', tls_cert_dir: null });
  const automatic = fromForm(loaded, formFor(loaded, { dockerEndpoint: '' }));
  assert.deepEqual(automatic.settings.docker, { endpoint: null, tls_cert_dir: null });
  // and a file name in a field that does not count is no error
  assert.deepEqual(checkCertDir('/certs/ca.pem', 'ssh://ana@server'), { certDir: null, error: null });
});

test('the certificate folder is cleaned up and checked', () => {
  assert.deepEqual(checkCertDir('  /Users/ana/certs  ', 'tcp://server:2376'), { certDir: '/Users/ana/certs', error: null });
  assert.deepEqual(checkCertDir('"C:\\Users\\ana\\certs"', 'https://server:2376'), { certDir: 'C:\\Users\\ana\\certs', error: null });
  assert.deepEqual(checkCertDir('', 'tcp://server:2376'), { certDir: null, error: null });
  const file = checkCertDir('/Users/ana/certs/ca.pem', 'tcp://server:2376');
  assert.equal(file.certDir, null);
  assert.match(file.error, /folder that holds ca\.pem, cert\.pem and key\.pem, not one of the files/);

  const loaded = loadedSettings();
  const { settings, errors } = fromForm(
    loaded,
    formFor(loaded, { dockerEndpoint: 'tcp://server:2376', dockerCertDir: '/certs/key.pem', memoryMib: '10' }),
  );
  assert.equal(settings, null);
  assert.deepEqual(Object.keys(errors).sort(), ['dockerCertDir', 'memoryMib']);
});

test('dockerChanged tells when the window should check Docker again visibly', () => {
  const a = loadedSettings();
  assert.equal(dockerChanged(a, structuredClone(a)), false);
  assert.equal(dockerChanged({}, a), false); // missing and null are the same: automatic
  assert.equal(dockerChanged(a, loadedSettings({ endpoint: 'tcp://s:2376', tls_cert_dir: null })), true);
  assert.equal(
    dockerChanged(
      loadedSettings({ endpoint: 'tcp://s:2376', tls_cert_dir: '/a' }),
      loadedSettings({ endpoint: 'tcp://s:2376', tls_cert_dir: '/b' }),
    ),
    true,
  );
  const other = structuredClone(a);
  other.sandbox.memory_mib = 4096;
  assert.equal(dockerChanged(a, other), false);
});
