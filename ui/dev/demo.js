// Dev-only stand-in for tauri.js, loaded when the page is opened in a plain
// browser with ?demo in the address. It plays scripted engine events through the
// real code paths, so the UI can be looked at and screenshotted without the app.
//
//   ?demo / ?demo=finished   a one-time image download, then a finished profile
//   ?demo=running            a finished profile and a second one still running
//   ?demo=errors             a file that is not a CSV, a run out of memory
//   ?demo=docker             Docker not running (ready after two checks)
//   ?demo=pull               an image download in progress
//   ?demo=empty              Docker ready, nothing opened yet
//   ?demo=drag               two files dragged over the window
//   ?demo=long               12,000 lines of output, past the 500 drawn
//   ?demo=settings           the settings dialog
//   ?demo=settings-error     the settings dialog refusing a save
//   ?demo=settings-docker    the settings dialog with a team server in "Advanced: Docker"
//   ?demo=settings-packages  the settings dialog refusing a proxy in "Packages"

import { HISTOGRAM_PNG } from './demo-assets.js';
import { basename } from '../format.js';

const IMAGE = 'python:3.11-slim';

const MISSING_SVG =
  'data:image/svg+xml,' +
  encodeURIComponent(`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 640 360" font-family="-apple-system,Segoe UI,sans-serif" font-size="14">
<rect width="640" height="360" fill="#fff"/>
<text x="24" y="36" font-size="16" font-weight="600" fill="#1f2937">Missing values per column</text>
${[
  ['order_id', 0],
  ['order_date', 0],
  ['region', 1.2],
  ['customer', 3.8],
  ['product', 0.4],
  ['quantity', 0],
  ['unit_price', 0.9],
  ['discount', 12.6],
  ['notes', 71.3],
]
  .map(([name, pct], i) => {
    const y = 62 + i * 31;
    const w = Math.max(2, (pct / 80) * 420);
    return `<text x="130" y="${y + 15}" text-anchor="end" fill="#4b5563">${name}</text><rect x="142" y="${y + 3}" width="${w}" height="17" rx="3" fill="${pct > 50 ? '#f59e0b' : '#3b82f6'}"/><text x="${148 + w}" y="${y + 16}" fill="#6b7280">${pct}%</text>`;
  })
  .join('')}
</svg>`);

function profileScript(name) {
  const out = (line) => ['stdout', line];
  const err = (line) => ['stderr', line];
  return [
    out(`Reading ${name} …`),
    out('Rows: 12,480    Columns: 9    Size in memory: 3.1 MB'),
    out(''),
    out('Column        Type       Missing   Unique   Example'),
    out('------------  ---------  --------  -------  ----------------'),
    out('order_id      integer         0    12480    100231'),
    out('order_date    date            0      731    2023-04-17'),
    out('region        text          150        5    North'),
    out('customer      text          474     3012    Acme Ltd'),
    out('product       text           50      212    Desk lamp'),
    out('quantity      integer         0       48    3'),
    out('unit_price    decimal       112     1893    24.90'),
    out('discount      decimal      1572       11    0.10'),
    out('notes         text         8898      602    "gift wrap"'),
    err("DtypeWarning: Columns (8) have mixed types. Specify dtype option on import or set low_memory=False."),
    out(''),
    out('Numbers'),
    out('              mean      median    min      max'),
    out('quantity      3.4       2         1        120'),
    out('unit_price    31.72     24.90     0.99     1,249.00'),
    out('discount      0.08      0.05      0.00     0.50'),
    out(''),
    out('Dates: 2023-01-02 to 2024-12-31 (731 days, no gaps longer than 3 days)'),
    out('Possible duplicates: 14 rows repeat another row exactly.'),
    out('Saved: hist_unit_price.png, missing_values.svg, column_summary.csv'),
  ];
}

const COMPUTERS_CA_BUNDLE = '/etc/ssl/cert.pem';

export function createDemoBackend(scenario) {
  const listeners = new Set();
  const runs = new Map(); // runId -> { timers, finished }
  let runSeq = 0;
  let dockerChecks = 0;
  let dragHandler = null;
  let imagePresent = scenario !== 'finished' && scenario !== 'pull';
  let settings = {
    docker:
      scenario === 'settings-docker'
        ? { endpoint: 'tcp://build-server.lan:2376', tls_cert_dir: '/Users/ana/.docker/team-certs' }
        : { endpoint: null, tls_cert_dir: null },
    sandbox: {
      image: IMAGE,
      memory_mib: 512,
      cpu_quota_us: 50_000,
      cpu_period_us: 100_000,
      pids_limit: 256,
      timeout_secs: 120,
      output_cap_bytes: 1_048_576,
      artifact_cap_bytes: 52_428_800,
    },
    packages: {
      proxy: null,
      ca_bundle: COMPUTERS_CA_BUNDLE,
      allowlist: [],
      denylist: ['requests'],
      auto_install: true,
      network: null,
      store_volume: 'sandpiper-packages',
    },
  };

  const emit = (event) => {
    for (const fn of listeners) fn(event);
  };
  const later = (ms, fn) => new Promise((resolve) => setTimeout(() => resolve(fn && fn()), ms));

  async function pullImage({ stopAt = null } = {}) {
    emit({ kind: 'image_pull_started', image: IMAGE });
    const layers = [
      ['a1f0', 29_150_000],
      ['b2e1', 3_510_000],
      ['c3d2', 12_880_000],
      ['d4c3', 245],
    ];
    const progress = (layer, status, current = null, total = null) =>
      emit({ kind: 'image_pull_progress', image: IMAGE, layer, status, current_bytes: current, total_bytes: total });
    emit({ kind: 'image_pull_progress', image: IMAGE, layer: null, status: 'Pulling from library/python', current_bytes: null, total_bytes: null });
    progress('0e9f', 'Already exists');
    for (const [id] of layers) progress(id, 'Pulling fs layer');
    for (let step = 1; step <= 10; step++) {
      await later(60);
      for (const [id, total] of layers) progress(id, 'Downloading', Math.round((total * step) / 10), total);
      if (stopAt !== null && step / 10 >= stopAt) return;
    }
    for (const [id] of layers) progress(id, 'Pull complete');
    await later(40);
    emit({ kind: 'image_ready', image: IMAGE });
    imagePresent = true;
  }

  async function playRun(runId, path, { failWith = null, endless = false } = {}) {
    const name = basename(path);
    const run = { finished: false };
    runs.set(runId, run);
    if (!imagePresent) await pullImage();
    if (run.finished) return;
    const startedAt = Date.now();
    emit({ kind: 'run_started', run_id: runId, session_id: null, title: `Quick profile of ${name}`, image: IMAGE });
    const script = profileScript(name);
    const upTo = failWith === 'out_of_memory' ? 4 : endless ? 15 : script.length;
    for (const [stream, line] of script.slice(0, upTo)) {
      await later(25);
      if (run.finished) return;
      emit({ kind: stream, run_id: runId, line });
    }
    if (endless) return; // until the user presses Stop
    if (failWith === 'out_of_memory') {
      await later(120);
      finish(runId, {
        outcome: 'out_of_memory',
        exit_code: 137,
        summary:
          'The profile needed more than the 512 MiB memory limit, so it was stopped. Raise the memory limit in Settings, or try a smaller file.',
        duration_ms: Date.now() - startedAt + 5200,
      });
      return;
    }
    await later(30);
    emit({ kind: 'dataset_profiled', run_id: runId, profile: demoProfile(name) });
    emit({ kind: 'artifact', run_id: runId, artifact: { name: 'hist_unit_price.png', path: HISTOGRAM_PNG, mime: 'image/png', size_bytes: 18_432 } });
    emit({ kind: 'artifact', run_id: runId, artifact: { name: 'missing_values.svg', path: MISSING_SVG, mime: 'image/svg+xml', size_bytes: 6_210 } });
    emit({ kind: 'artifact', run_id: runId, artifact: { name: 'column_summary.csv', path: '/tmp/sandpiper/column_summary.csv', mime: 'text/csv', size_bytes: 2_304 } });
    await later(30);
    finish(runId, {
      outcome: 'success',
      exit_code: 0,
      summary: `${name} has 12,480 rows and 9 columns. Most columns are complete; "notes" is mostly empty and "discount" is missing in 13% of rows.`,
      duration_ms: 4_200,
    });
  }

  async function playLong() {
    const runId = `run-demo${++runSeq}`;
    runs.set(runId, { finished: false });
    emit({ kind: 'run_started', run_id: runId, session_id: null, title: 'Quick profile of events_2024.csv', image: IMAGE });
    for (let batch = 0; batch < 24; batch++) {
      await later(16);
      for (let i = 0; i < 500; i++) {
        const n = batch * 500 + i + 1;
        emit({ kind: n % 1000 === 0 ? 'stderr' : 'stdout', run_id: runId, line: `row ${String(n).padStart(5)}: checked ${n * 3} values` });
      }
    }
    finish(runId, { outcome: 'success', exit_code: 0, summary: 'Checked 12,000 rows.', duration_ms: 61_000 });
  }

  function finish(runId, { outcome, exit_code, summary, duration_ms }) {
    const run = runs.get(runId);
    if (!run || run.finished) return;
    run.finished = true;
    emit({ kind: 'run_finished', run_id: runId, outcome, exit_code, duration_ms, summary, output_truncated: false, error: null });
  }

  let demoKeySaved = false;

  const backend = {
    kind: 'demo',

    async dockerStatus() {
      dockerChecks += 1;
      await later(120);
      if (scenario === 'docker' && dockerChecks < 3) {
        return {
          state: 'not_running',
          title: 'Docker Desktop is not running',
          advice: 'Open Docker Desktop from your Applications folder and wait until it says "Engine running". Sandpiper will notice on its own.',
          version: null,
          endpoint: null,
        };
      }
      const endpoint = (settings.docker && settings.docker.endpoint) || 'unix:///var/run/docker.sock';
      return { state: 'ready', title: 'Docker is ready', advice: '', version: '27.3.1', endpoint };
    },

    async pickDataset() {
      await later(80);
      return '/Users/ana/Desktop/sales.csv';
    },

    async startQuickProfile(path) {
      await later(150);
      if (!/\.(csv|tsv)$/i.test(path)) {
        throw {
          title: `${basename(path)} is not a CSV file`,
          advice: 'Sandpiper can profile CSV files. In Excel or Numbers, use File › Export › CSV, then drop the new file here.',
        };
      }
      const runId = `run-demo${++runSeq}`;
      playRun(runId, path, { failWith: /big/i.test(path) ? 'out_of_memory' : null, endless: /live/i.test(path) });
      return runId;
    },

    async cancelRun(runId) {
      await later(200);
      finish(runId, {
        outcome: 'cancelled',
        exit_code: null,
        summary: 'You stopped this run. Nothing was changed.',
        duration_ms: 6_900,
      });
    },

    async getSettings() {
      await later(100);
      return structuredClone(settings);
    },

    async saveSettings(next) {
      await later(250);
      if (next.sandbox.memory_mib > 65_536) {
        throw { title: 'That memory limit is more than this computer has', advice: 'Docker can use up to 7.7 GiB here. Enter 7800 MiB or less.' };
      }
      const proxy = next.packages && next.packages.proxy;
      if (proxy && !/^https?:\/\/[^/\s]+/i.test(proxy)) {
        throw {
          title: "These settings can't be used.",
          advice: `The proxy "${proxy}" is not an address Sandpiper can use. Write it like http://proxy.example.com:3128.`,
        };
      }
      settings = structuredClone(next);
      return structuredClone(settings);
    },

    async pickCaBundle() {
      await later(200);
      return '/Users/ana/Documents/acme-root-ca.pem';
    },

    async defaultCaBundle() {
      return COMPUTERS_CA_BUNDLE;
    },

    // The language model, scripted: one model, a key in the "keychain", a reply in pieces.
    async listModels() {
      await later(150);
      return { models: [{ id: 'claude-sonnet-4-5', display_name: 'Claude Sonnet 4.5', input_token_limit: null }], default_model: 'claude-sonnet-4-5' };
    },
    async testConnection() {
      await later(400);
      return { message: 'Connected to Claude (Anthropic): 1 model available, including claude-sonnet-4-5.', models: [{ id: 'claude-sonnet-4-5' }], model: 'claude-sonnet-4-5' };
    },
    async apiKeyStatus() {
      return { in_keychain: demoKeySaved, from_environment: null };
    },
    async saveApiKey() {
      demoKeySaved = true;
      return { in_keychain: true, from_environment: null };
    },
    async forgetApiKey() {
      demoKeySaved = false;
      return { in_keychain: false, from_environment: null };
    },
    onEngineEvent(handler) {
      listeners.add(handler);
      return Promise.resolve(() => listeners.delete(handler));
    },

    onDragDrop(handler) {
      dragHandler = handler;
      return Promise.resolve(() => {
        dragHandler = null;
      });
    },

    fileSrc(path) {
      return path; // demo artifacts carry data: URLs
    },

    /** Called by main.js once everything is wired. */
    ready({ openDatasets }) {
      if (scenario === 'finished') openDatasets(['/Users/ana/Desktop/sales.csv']);
      if (scenario === 'running') {
        openDatasets(['/Users/ana/Desktop/sales.csv']).then(() => later(900, () => openDatasets(['/Users/ana/Desktop/live_orders.csv'])));
      }
      if (scenario === 'errors') {
        openDatasets(['/Users/ana/Desktop/Budget 2024.xlsx']).then(() =>
          later(300, () => openDatasets(['/Users/ana/Desktop/big_transactions.csv'])),
        );
      }
      if (scenario === 'long') playLong();
      if (scenario === 'drag' && dragHandler) {
        dragHandler({ type: 'enter', paths: ['/Users/ana/Desktop/sales.csv', '/Users/ana/Desktop/costs.csv'] });
        dragHandler({ type: 'over', paths: [] });
      }
      if (scenario === 'settings-packages') {
        window.dispatchEvent(new KeyboardEvent('keydown', { key: ',', ctrlKey: true }));
        later(400, () => {
          document.getElementById('set-pkg-proxy').value = 'proxy.example.com:3128';
          document.getElementById('settings-packages').scrollIntoView({ block: 'start' });
          document.querySelector('#settings-dialog [data-action="save"]').click();
        });
      }
      if (scenario === 'settings' || scenario === 'settings-error' || scenario === 'settings-docker') {
        window.dispatchEvent(new KeyboardEvent('keydown', { key: ',', ctrlKey: true }));
        if (scenario === 'settings-docker') later(300, () => (document.getElementById('settings-docker').open = true));
        if (scenario === 'settings-error') {
          later(400, () => {
            document.getElementById('set-memory').value = '99999';
            document.getElementById('set-cpu').value = '0';
            document.querySelector('#settings-dialog [data-action="save"]').click();
            document.getElementById('set-cpu').value = '150';
            document.querySelector('#settings-dialog [data-action="save"]').click();
          });
        }
      }
      if (scenario === 'pull') {
        imagePresent = true; // the pull below is the one shown
        pullImage({ stopAt: 0.6 });
      }
    },
  };
  return backend;
}

/** A Quick profile's typed numbers (src/profile_data.rs) for the demo's cards. */
function demoProfile(name) {
  const column = (over) => ({
    count: 12_480, missing: 0, missing_share: 0, distinct_at_least: false, estimated: false,
    numbers: null, top_values: [], date_range: null, ...over,
  });
  return {
    file_name: name, size_bytes: 1_048_576, rows: 12_480, engine: 'standard_library', estimated: false,
    delimiter: '","', format: null, notes: ['Read as UTF-8.'],
    columns: [
      column({ name: 'order_id', kind: 'integer', distinct: 12_480,
        numbers: { mean: 6240.5, std: 3602.8, min: 1, q25: 3120.75, median: 6240.5, q75: 9360.25, max: 12_480,
          histogram: { edges: Array.from({ length: 21 }, (_, i) => 1 + i * 623.95), counts: Array(20).fill(624) } } }),
      column({ name: 'unit_price', kind: 'decimal', distinct: 3_912,
        numbers: { mean: 42.37, std: 18.2, min: 0.99, q25: 29.5, median: 39.99, q75: 52.0, max: 199.0,
          histogram: { edges: Array.from({ length: 21 }, (_, i) => 0.99 + i * 9.9), counts: [210, 980, 2100, 2890, 2400, 1700, 980, 520, 300, 160, 90, 60, 35, 25, 12, 8, 5, 3, 1, 1] } } }),
      column({ name: 'units', kind: 'integer', distinct: 6,
        numbers: { mean: 2.4, std: 1.3, min: 1, q25: 1, median: 2, q75: 3, max: 6,
          histogram: { edges: [0.5, 1.5, 2.5, 3.5, 4.5, 5.5, 6.5], counts: [4100, 3600, 2300, 1400, 700, 380] } } }),
      column({ name: 'region', kind: 'text', distinct: 4,
        top_values: [{ value: 'North', count: 4210 }, { value: 'South', count: 3988 }, { value: 'East', count: 2301 }, { value: 'West', count: 1981 }] }),
      column({ name: 'order_date', kind: 'date', distinct: 366,
        date_range: { earliest: '2024-01-01', latest: '2024-12-31' }, top_values: [{ value: '2024-11-29', count: 112 }] }),
      column({ name: 'returned', kind: 'true_false', distinct: 2,
        top_values: [{ value: 'no', count: 11_870 }, { value: 'yes', count: 610 }] }),
      column({ name: 'discount', kind: 'decimal', count: 10_858, missing: 1622, missing_share: 0.13, distinct: 9,
        numbers: { mean: 0.08, std: 0.05, min: 0, q25: 0.05, median: 0.1, q75: 0.1, max: 0.3,
          histogram: { edges: [0, 0.03, 0.06, 0.09, 0.12, 0.15, 0.18, 0.21, 0.24, 0.27, 0.3], counts: [2100, 3000, 3900, 800, 600, 300, 100, 40, 10, 8] } } }),
      column({ name: 'notes', kind: 'empty', count: 0, missing: 12_480, missing_share: 1, distinct: 0 }),
    ],
  };
}
