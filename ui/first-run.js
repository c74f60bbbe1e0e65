// Home's "Getting started" guide for someone who has no session yet: Docker
// running, a language model ready (or the Quick profile, which needs none),
// then a file dropped on the window. Pure, so node tests can check it.

import { providerInfo } from './provider-form.js';

/**
 * { dockerStatus, settings, keyStatus, sessions } -> null (nothing to show: the
 * list of sessions is not known yet, or there are some) or
 * [{ id, label, detail, done, action }] with action 'settings-model' or null.
 */
export function firstRunSteps({ dockerStatus, settings, keyStatus, sessions }) {
  if (!Array.isArray(sessions) || sessions.length > 0) return null;
  const dockerReady = Boolean(dockerStatus && dockerStatus.state === 'ready');
  const provider = providerInfo(settings && settings.llm && settings.llm.provider);
  const hasKey = Boolean(keyStatus && (keyStatus.in_keychain || keyStatus.from_environment));
  const modelReady = settings !== null && settings !== undefined && (!provider.needsKey || hasKey);
  return [
    {
      id: 'docker',
      label: 'Docker is running',
      detail: dockerReady
        ? 'Every analysis runs in a private sandbox on this computer.'
        : (dockerStatus && dockerStatus.title) || 'Checking Docker…',
      done: dockerReady,
      action: null,
    },
    {
      id: 'model',
      label: 'A language model to ask questions',
      detail: modelReady
        ? `Questions go to ${provider.name}.`
        : `Add your ${provider.name} API key in Settings, or choose a model on this computer. The Quick profile needs none.`,
      done: modelReady,
      action: modelReady ? null : 'settings-model',
    },
    {
      id: 'file',
      label: 'Drop a file with your data on this window',
      detail: 'Its Quick profile shows at once; then ask your question in plain words.',
      done: false,
      action: null,
    },
  ];
}
