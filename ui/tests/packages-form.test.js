// The settings dialog's "Packages" mapping: Settings.packages <-> the fields, the
// allow and deny lists as typed text, empty fields as null, and that saving keeps
// what the dialog does not show (store_volume, keys this window does not know).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { toForm, fromForm, parseList, formatList, PACKAGES_DEFAULTS, SANDBOX_DEFAULTS } from '../settings-form.js';

/** What get_settings returns, with the packages section changed by `packages`. */
function loadedSettings(packages = {}) {
  return {
    docker: { endpoint: null, tls_cert_dir: null },
    sandbox: { ...SANDBOX_DEFAULTS, pids_limit: 256, output_cap_bytes: 1_048_576, artifact_cap_bytes: 52_428_800, workspace_mib: 256 },
    llm: { provider: 'anthropic', model: null, base_url: null, send_sample_rows: true },
    packages: {
      proxy: null,
      ca_bundle: '/etc/ssl/certs/ca-certificates.crt',
      allowlist: [],
      install_without_asking: [],
      denylist: [],
      auto_install: true,
      network: null,
      store_volume: 'sandpiper-packages',
      ...packages,
    },
  };
}

function save(loaded, changes) {
  return fromForm(loaded, { ...toForm(loaded), ...changes });
}

test('toForm shows the packages section as the dialog fields', () => {
  const form = toForm(
    loadedSettings({
      proxy: 'http://proxy.acme.example:3128',
      ca_bundle: '/Users/ana/acme-root.pem',
      allowlist: ['pandas', 'scikit-learn'],
      denylist: ['requests'],
      auto_install: false,
      network: 'corp_net',
    }),
  );
  assert.equal(form.packagesAutoInstall, false);
  assert.equal(form.packagesProxy, 'http://proxy.acme.example:3128');
  assert.equal(form.packagesCaBundle, '/Users/ana/acme-root.pem');
  assert.equal(form.packagesNetwork, 'corp_net');
  assert.equal(form.packagesAllowlist, 'pandas, scikit-learn');
  assert.equal(form.packagesDenylist, 'requests');
});

test('toForm shows missing or null package settings as the engine defaults', () => {
  for (const settings of [{}, null, { packages: null }, { packages: { proxy: null, network: null, ca_bundle: null } }]) {
    const form = toForm(settings);
    assert.equal(form.packagesAutoInstall, PACKAGES_DEFAULTS.auto_install);
    assert.equal(form.packagesProxy, '');
    assert.equal(form.packagesCaBundle, '');
    assert.equal(form.packagesNetwork, '');
    assert.equal(form.packagesAllowlist, '');
    assert.equal(form.packagesDenylist, '');
  }
  // Values of the wrong type are never shown as "[object Object]" or "42".
  const odd = toForm({ packages: { proxy: 42, allowlist: 'pandas', denylist: [1, null, ' x '], network: {} } });
  assert.equal(odd.packagesProxy, '');
  assert.equal(odd.packagesAllowlist, '');
  assert.equal(odd.packagesDenylist, 'x');
  assert.equal(odd.packagesNetwork, '');
});

test('parseList splits at commas and new lines, trims, and drops empty entries and repeats', () => {
  assert.deepEqual(parseList('pandas, scikit-learn'), ['pandas', 'scikit-learn']);
  assert.deepEqual(parseList('pandas\nscikit-learn\r\nrequests'), ['pandas', 'scikit-learn', 'requests']);
  assert.deepEqual(parseList(' pandas ,, \n\n scipy ,\n'), ['pandas', 'scipy']);
  assert.deepEqual(parseList('pandas, numpy, pandas'), ['pandas', 'numpy']);
  assert.deepEqual(parseList('   '), []);
  assert.deepEqual(parseList(''), []);
  assert.deepEqual(parseList(undefined), []);
  // Requirement-like entries are kept as typed; the engine normalises names.
  assert.deepEqual(parseList('Scikit_Learn, tabulate'), ['Scikit_Learn', 'tabulate']);
});

test('formatList writes a list for the text field, and parseList reads it back', () => {
  assert.equal(formatList(['pandas', 'scikit-learn']), 'pandas, scikit-learn');
  assert.equal(formatList([]), '');
  assert.equal(formatList(null), '');
  assert.equal(formatList('pandas'), '');
  for (const list of [[], ['pandas'], ['pandas', 'scikit-learn', 'python-dateutil']]) {
    assert.deepEqual(parseList(formatList(list)), list);
  }
});

test('an empty proxy or network is saved as null, a filled one trimmed', () => {
  const loaded = loadedSettings({ proxy: 'http://old-proxy:3128', network: 'corp_net' });
  for (const empty of ['', '   ', '\n']) {
    const { settings, errors } = save(loaded, { packagesProxy: empty, packagesNetwork: empty });
    assert.deepEqual(errors, {});
    assert.equal(settings.packages.proxy, null);
    assert.equal(settings.packages.network, null);
  }
  const { settings } = save(loaded, { packagesProxy: '  http://proxy.example.com:3128 ', packagesNetwork: ' proxy_only ' });
  assert.equal(settings.packages.proxy, 'http://proxy.example.com:3128');
  assert.equal(settings.packages.network, 'proxy_only');
});

test('the lists, the checkbox and the certificates file are saved as the engine reads them', () => {
  const loaded = loadedSettings();
  const { settings, errors } = save(loaded, {
    packagesAutoInstall: false,
    packagesAllowlist: 'pandas,\nscikit-learn , ',
    packagesInstallWithoutAsking: 'python-slugify',
    packagesDenylist: 'requests',
    packagesCaBundle: '/Users/ana/acme-root.pem',
  });
  assert.deepEqual(errors, {});
  assert.deepEqual(settings.packages, {
    proxy: null,
    ca_bundle: '/Users/ana/acme-root.pem',
    allowlist: ['pandas', 'scikit-learn'],
    install_without_asking: ['python-slugify'],
    denylist: ['requests'],
    auto_install: false,
    network: null,
    store_volume: 'sandpiper-packages',
  });
  // Empty list fields mean no list.
  const cleared = save(loadedSettings({ allowlist: ['pandas'], denylist: ['requests'] }), {
    packagesAllowlist: ' ',
    packagesDenylist: '',
  });
  assert.deepEqual(cleared.settings.packages.allowlist, []);
  assert.deepEqual(cleared.settings.packages.denylist, []);
});

test('no certificates file is saved as null; settings that never had one keep the engine default', () => {
  const { settings } = save(loadedSettings(), { packagesCaBundle: '' });
  assert.equal(settings.packages.ca_bundle, null);
  const old = loadedSettings();
  delete old.packages.ca_bundle;
  const kept = save(old, { packagesCaBundle: '' });
  assert.equal('ca_bundle' in kept.settings.packages, false, 'left out, so the engine fills in this computer\'s');
});

test('store_volume and unknown package keys round-trip untouched', () => {
  const loaded = loadedSettings({ store_volume: 'team-packages', keep_days: 30 });
  const { settings, errors } = save(loaded, { packagesProxy: 'http://proxy.example.com:3128' });
  assert.deepEqual(errors, {});
  assert.equal(settings.packages.store_volume, 'team-packages');
  assert.equal(settings.packages.keep_days, 30);
  assert.deepEqual(settings.llm, loaded.llm);
  assert.deepEqual(settings.docker, loaded.docker);
});

test('package settings round-trip through the form unchanged', () => {
  for (const packages of [
    {},
    { proxy: 'http://proxy.example.com:3128', network: 'corp_net' },
    { ca_bundle: null },
    { ca_bundle: 'C:\\Users\\ana\\acme root.pem', auto_install: false },
    { allowlist: ['pandas', 'scikit-learn'], denylist: ['requests', 'urllib3'], store_volume: 'other-volume' },
    { install_without_asking: ['python-slugify', 'six'] },
  ]) {
    const loaded = loadedSettings(packages);
    const { settings, errors } = fromForm(loaded, toForm(loaded));
    assert.deepEqual(errors, {}, JSON.stringify(packages));
    assert.deepEqual(settings, loaded, JSON.stringify(packages));
  }
});

test('a proxy the engine would refuse is passed on for the engine to explain', () => {
  // PackageSettings::validate says why in plain words; the dialog shows that
  // message, so the form does not invent its own.
  const { settings, errors } = save(loadedSettings(), { packagesProxy: 'proxy.example.com:3128' });
  assert.deepEqual(errors, {});
  assert.equal(settings.packages.proxy, 'proxy.example.com:3128');
});

test('a form without the packages fields leaves the packages section as loaded', () => {
  const loaded = loadedSettings({ proxy: 'http://proxy:3128', store_volume: 'team-packages' });
  const { settings } = fromForm(loaded, { image: 'python:3.11-slim', memoryMib: '512', cpuPercent: '50', timeoutSecs: '120' });
  assert.equal(settings.packages, loaded.packages);
});

test('a sandbox field error keeps the packages from being saved half-way', () => {
  const { settings, errors } = save(loadedSettings(), { memoryMib: '10', packagesProxy: 'http://proxy:3128' });
  assert.equal(settings, null);
  assert.ok(errors.memoryMib);
});
