// Maps the Settings JSON (src/settings.rs) to the fields the settings dialog shows,
// and back. Pure; the dialog itself lives in view/settings-dialog.js.
//
// The CPU limit is shown as a percentage of one core: 50 % <-> cpu_quota_us 50_000
// with cpu_period_us 100_000 (the period is always written as 100_000).
//
// Docker (Settings.docker): an empty address means "find Docker on this computer"
// and is stored as null; so is an empty certificate folder. The certificate folder
// only matters for a tcp:// or https:// address and is stored as null otherwise.
//
// Packages (Settings.packages): an empty proxy or network is stored as null (no
// proxy; Docker's default network). The allow and deny lists are typed as names
// separated by commas or new lines. The certificates file is chosen with the native
// file dialog, never typed; null means Python's own certificates. `store_volume`
// and any key the dialog does not know are kept as loaded.

export const CPU_PERIOD_US = 100_000;

/** The defaults of SandboxSettings in settings.rs, for the "Restore defaults" button. */
export const SANDBOX_DEFAULTS = Object.freeze({
  image: 'python:3.11-slim',
  memory_mib: 512,
  cpu_quota_us: 50_000,
  cpu_period_us: CPU_PERIOD_US,
  timeout_secs: 120,
});

/** The address schemes the engine understands (src/docker/connect.rs). */
export const DOCKER_SCHEMES = Object.freeze(['unix', 'npipe', 'tcp', 'http', 'https', 'ssh']);

const SCHEME_EXAMPLES = {
  unix: 'unix:///var/run/docker.sock',
  npipe: 'npipe:////./pipe/docker_engine',
  tcp: 'tcp://server:2376',
  http: 'http://server:2375',
  https: 'https://server:2376',
  ssh: 'ssh://user@server',
};

/** The defaults of PackageSettings in settings.rs that the dialog shows (ca_bundle
 * depends on the computer: the shell's default_ca_bundle command tells it). */
export const PACKAGES_DEFAULTS = Object.freeze({
  proxy: null,
  allowlist: [],
  install_without_asking: [],
  denylist: [],
  auto_install: true,
  network: null,
});

/**
 * Settings JSON -> { image, memoryMib, cpuPercent, timeoutSecs, dockerEndpoint,
 * dockerCertDir, packagesAutoInstall, packagesProxy, packagesCaBundle,
 * packagesNetwork, packagesAllowlist, packagesInstallWithoutAsking, packagesDenylist } as strings for inputs
 * (packagesAutoInstall as a boolean for the checkbox).
 */
export function toForm(settings) {
  const sb = { ...SANDBOX_DEFAULTS, ...((settings && settings.sandbox) || {}) };
  const docker = (settings && settings.docker) || {};
  const packages = { ...PACKAGES_DEFAULTS, ...((settings && settings.packages) || {}) };
  const text = (value) => (typeof value === 'string' ? value : '');
  const period = sb.cpu_period_us > 0 ? sb.cpu_period_us : CPU_PERIOD_US;
  const percent = Math.round((sb.cpu_quota_us / period) * 1000) / 10;
  return {
    image: String(sb.image ?? ''),
    memoryMib: String(sb.memory_mib),
    cpuPercent: String(percent),
    timeoutSecs: String(sb.timeout_secs),
    dockerEndpoint: typeof docker.endpoint === 'string' ? docker.endpoint : '',
    dockerCertDir: typeof docker.tls_cert_dir === 'string' ? docker.tls_cert_dir : '',
    packagesAutoInstall: packages.auto_install !== false,
    packagesProxy: text(packages.proxy),
    packagesCaBundle: text(packages.ca_bundle),
    packagesNetwork: text(packages.network),
    packagesAllowlist: formatList(packages.allowlist),
    packagesInstallWithoutAsking: formatList(packages.install_without_asking),
    packagesDenylist: formatList(packages.denylist),
  };
}

/**
 * "pandas, scikit-learn\nrequests" -> ['pandas', 'scikit-learn', 'requests']:
 * split at commas and new lines, trimmed, empty entries and repeats dropped.
 */
export function parseList(value) {
  const seen = new Set();
  const names = [];
  for (const part of String(value ?? '').split(/[,\n\r]+/)) {
    const name = part.trim();
    if (!name || seen.has(name)) continue;
    seen.add(name);
    names.push(name);
  }
  return names;
}

/** ['pandas', 'requests'] -> "pandas, requests"; anything but a list of strings -> "". */
export function formatList(list) {
  if (!Array.isArray(list)) return '';
  return list.filter((name) => typeof name === 'string' && name.trim()).map((name) => name.trim()).join(', ');
}

/** A trimmed text field, or null when it is empty. */
function orNull(value) {
  const text = String(value ?? '').trim();
  return text ? text : null;
}

/** Whether a Docker address is one that can use TLS certificates (tcp:// or https://). */
export function usesTls(endpoint) {
  return /^(tcp|https):\/\//i.test(String(endpoint ?? '').trim());
}

/**
 * Checks the "Docker address" field. Returns { endpoint, error }: `endpoint` is the
 * value to store (null for empty = automatic, the scheme lower-cased), `error` a
 * plain-words message or null.
 */
export function checkDockerEndpoint(value) {
  const text = String(value ?? '').trim();
  if (!text) return { endpoint: null, error: null };
  const fail = (error) => ({ endpoint: null, error });
  if (/\s/.test(text)) return fail('A Docker address cannot contain spaces.');
  const match = /^([a-z][a-z0-9+.-]*):\/\/(.*)$/i.exec(text);
  if (match) {
    const scheme = match[1].toLowerCase();
    if (!DOCKER_SCHEMES.includes(scheme)) {
      return fail(
        `Sandpiper cannot use an address that starts with ${match[1]}://. Use unix://, npipe://, tcp://, http://, https:// or ssh://, or leave it empty.`,
      );
    }
    if (!match[2]) return fail(`Add where Docker is after ${scheme}://, like this: ${SCHEME_EXAMPLES[scheme]}`);
    return { endpoint: `${scheme}://${match[2]}`, error: null };
  }
  const pipe = /^\\\\\.\\pipe\\(.+)$/i.exec(text);
  if (pipe) return fail(`Put npipe:// in front of a named pipe and use forward slashes, like this: npipe:////./pipe/${pipe[1].replace(/\\/g, '/')}`);
  if (text.startsWith('/')) return fail(`Put unix:// in front of a socket, like this: unix://${text}`);
  if (/^[\w.-]+:\d+$/.test(text)) return fail(`Put tcp:// in front of a server's address, like this: tcp://${text}`);
  return fail(
    'Start the address with unix://, npipe://, tcp://, http://, https:// or ssh://, or leave it empty to use Docker on this computer.',
  );
}

/**
 * Checks the "Certificate folder (TLS)" field for a given (valid) address. Returns
 * { certDir, error }; `certDir` is null when empty or when the address uses no TLS.
 */
export function checkCertDir(value, endpoint) {
  if (!usesTls(endpoint)) return { certDir: null, error: null };
  // "Copy as path" on Windows wraps the path in quotes.
  const text = String(value ?? '').trim().replace(/^"(.*)"$/, '$1').trim();
  if (!text) return { certDir: null, error: null };
  if (/\.pem$/i.test(text)) {
    return { certDir: null, error: 'Enter the folder that holds ca.pem, cert.pem and key.pem, not one of the files.' };
  }
  return { certDir: text, error: null };
}

/** Whether two Settings point at a different Docker (address or certificates). */
export function dockerChanged(before, after) {
  const docker = (s) => (s && typeof s.docker === 'object' && s.docker) || {};
  const a = docker(before);
  const b = docker(after);
  return (a.endpoint ?? null) !== (b.endpoint ?? null) || (a.tls_cert_dir ?? null) !== (b.tls_cert_dir ?? null);
}

/**
 * Form values -> { settings, errors }. `settings` keeps every field the dialog does
 * not show (pids limit, caps, the llm section, keys this window does not know…) as
 * it was loaded. Without `dockerEndpoint` in the form, the docker section is kept as
 * loaded too; without `packagesProxy`, the packages section. The packages fields
 * are checked by the engine when saving (PackageSettings::validate), whose
 * plain-words refusal the dialog shows. `errors` maps a field name to a plain-words message; when it is not
 * empty, `settings` is null.
 */
export function fromForm(loaded, form) {
  const errors = {};
  const image = String(form.image ?? '').trim();
  if (!image) errors.image = 'Enter the name of a Python image. The default is python:3.11-slim.';
  else if (/\s/.test(image)) errors.image = 'An image name cannot contain spaces.';

  const memory = parseNumber(form.memoryMib);
  if (memory === null || !Number.isInteger(memory)) errors.memoryMib = 'Enter a whole number of MiB, for example 512.';
  else if (memory < 64) errors.memoryMib = 'The memory limit must be at least 64 MiB.';

  const cpu = parseNumber(form.cpuPercent);
  if (cpu === null) errors.cpuPercent = 'Enter a percentage, for example 50 for half a core.';
  else if (cpu < 1) errors.cpuPercent = 'The CPU limit must be at least 1% of one core.';
  else if (cpu > 6400) errors.cpuPercent = 'That is more than 64 cores. Enter 100 for one full core.';

  const timeout = parseNumber(form.timeoutSecs);
  if (timeout === null || !Number.isInteger(timeout)) errors.timeoutSecs = 'Enter a whole number of seconds, for example 120.';
  else if (timeout < 1) errors.timeoutSecs = 'The time limit must be at least one second.';

  const editsDocker = form.dockerEndpoint !== undefined;
  const { endpoint, error: endpointError } = checkDockerEndpoint(form.dockerEndpoint);
  if (endpointError) errors.dockerEndpoint = endpointError;
  const { certDir, error: certError } = checkCertDir(form.dockerCertDir, endpoint);
  if (certError) errors.dockerCertDir = certError;

  if (Object.keys(errors).length > 0) return { settings: null, errors };

  const base = loaded && typeof loaded === 'object' ? loaded : {};
  const section = (value) => (value && typeof value === 'object' && !Array.isArray(value) ? value : {});
  const settings = {
    ...base,
    sandbox: {
      ...section(base.sandbox),
      image,
      memory_mib: memory,
      cpu_quota_us: Math.round((cpu / 100) * CPU_PERIOD_US),
      cpu_period_us: CPU_PERIOD_US,
      timeout_secs: timeout,
    },
  };
  if (editsDocker) settings.docker = { ...section(base.docker), endpoint, tls_cert_dir: certDir };
  if (form.packagesProxy !== undefined) {
    const loadedPackages = section(base.packages);
    const packages = {
      ...loadedPackages,
      auto_install: form.packagesAutoInstall !== false,
      proxy: orNull(form.packagesProxy),
      ca_bundle: orNull(form.packagesCaBundle),
      network: orNull(form.packagesNetwork),
      allowlist: parseList(form.packagesAllowlist),
      install_without_asking: parseList(form.packagesInstallWithoutAsking),
      denylist: parseList(form.packagesDenylist),
    };
    // Settings saved before there was a certificates setting have none: leaving it
    // out lets the engine use this computer's (its default) instead of none.
    if (packages.ca_bundle === null && !('ca_bundle' in loadedPackages)) delete packages.ca_bundle;
    settings.packages = packages;
  }
  return { settings, errors };
}

function parseNumber(value) {
  const text = String(value ?? '').trim().replace(',', '.');
  if (!/^\d+(\.\d+)?$/.test(text)) return null;
  const n = Number(text);
  return Number.isFinite(n) ? n : null;
}
