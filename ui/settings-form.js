// Maps the Settings JSON (src/settings.rs) to the fields the settings dialog shows,
// and back. Pure; the dialog itself lives in view/settings-dialog.js.
//
// The CPU limit is shown as a percentage of one core: 50 % <-> cpu_quota_us 50_000
// with cpu_period_us 100_000 (the period is always written as 100_000).

export const CPU_PERIOD_US = 100_000;

/** The defaults of SandboxSettings in settings.rs, for the "Restore defaults" button. */
export const SANDBOX_DEFAULTS = Object.freeze({
  image: 'python:3.11-slim',
  memory_mib: 512,
  cpu_quota_us: 50_000,
  cpu_period_us: CPU_PERIOD_US,
  timeout_secs: 120,
});

/** Settings JSON -> { image, memoryMib, cpuPercent, timeoutSecs } as strings for inputs. */
export function toForm(settings) {
  const sb = { ...SANDBOX_DEFAULTS, ...((settings && settings.sandbox) || {}) };
  const period = sb.cpu_period_us > 0 ? sb.cpu_period_us : CPU_PERIOD_US;
  const percent = Math.round((sb.cpu_quota_us / period) * 1000) / 10;
  return {
    image: String(sb.image ?? ''),
    memoryMib: String(sb.memory_mib),
    cpuPercent: String(percent),
    timeoutSecs: String(sb.timeout_secs),
  };
}

/**
 * Form values -> { settings, errors }. `settings` keeps every field the dialog does
 * not show (docker endpoint, pids limit, caps…) as it was loaded. `errors` maps a
 * field name to a plain-words message; when it is not empty, `settings` is null.
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

  if (Object.keys(errors).length > 0) return { settings: null, errors };

  const base = loaded && typeof loaded === 'object' ? loaded : {};
  const settings = {
    ...base,
    sandbox: {
      ...(base.sandbox || {}),
      image,
      memory_mib: memory,
      cpu_quota_us: Math.round((cpu / 100) * CPU_PERIOD_US),
      cpu_period_us: CPU_PERIOD_US,
      timeout_secs: timeout,
    },
  };
  return { settings, errors };
}

function parseNumber(value) {
  const text = String(value ?? '').trim().replace(',', '.');
  if (!/^\d+(\.\d+)?$/.test(text)) return null;
  const n = Number(text);
  return Number.isFinite(n) ? n : null;
}
