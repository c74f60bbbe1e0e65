// The "Packages" section of the settings dialog: installing missing packages by
// themselves, the proxy, the trusted certificates file (chosen with the native file
// dialog, or back to this computer's own), the allow and deny lists, and the Docker
// network for installs under "Advanced". The values are checked by the engine when
// the dialog saves; its refusal is shown with the dialog's other save errors.

import { toForm } from '../settings-form.js';
import { toUserError } from '../errors.js';
import { setText, show } from './dom.js';

const CA_HINT_DEFAULT = "This computer's own certificates. Choose another file if your organisation gave you one.";
const CA_HINT_CHOSEN = "Your organisation's certificates, for networks that inspect secure connections.";
const CA_HINT_NONE = "None: installs trust only Python's own certificates. Choose a file if your organisation gave you one.";
const NETWORK_DEFAULT = "Docker's default network";

/**
 * root: the section element; backend: { pickCaBundle, defaultCaBundle } (either may
 * be missing); onError({ title, advice }) when the file chooser cannot open.
 */
export function createPackagesSection({ root, backend, onError }) {
  const auto = root.querySelector('#set-pkg-auto');
  const proxy = root.querySelector('#set-pkg-proxy');
  const ca = root.querySelector('#set-pkg-ca');
  const caHint = root.querySelector('#set-pkg-ca-hint');
  const chooseBtn = root.querySelector('[data-action="choose-ca"]');
  const defaultBtn = root.querySelector('[data-action="default-ca"]');
  const allow = root.querySelector('#set-pkg-allow');
  const trusted = root.querySelector('#set-pkg-trusted');
  const deny = root.querySelector('#set-pkg-deny');
  const advanced = root.querySelector('#settings-packages-advanced');
  const network = root.querySelector('#set-pkg-network');
  const networkStatus = root.querySelector('#set-pkg-network-status');

  // This computer's certificates file: undefined until known, null when there is none.
  let computers;
  // A file chooser or look-up answering after the dialog was filled again is dropped.
  let generation = 0;

  chooseBtn.addEventListener('click', chooseFile);
  defaultBtn.addEventListener('click', useComputers);
  network.addEventListener('input', updateNetworkStatus);
  advanced.addEventListener('toggle', () => {
    if (advanced.open) advanced.scrollIntoView({ block: 'nearest' });
  });

  /** Shows the packages section of `settings`. */
  function fill(settings) {
    generation += 1;
    const form = toForm(settings);
    auto.checked = form.packagesAutoInstall;
    proxy.value = form.packagesProxy;
    setCa(form.packagesCaBundle);
    allow.value = form.packagesAllowlist;
    trusted.value = form.packagesInstallWithoutAsking;
    deny.value = form.packagesDenylist;
    network.value = form.packagesNetwork;
    advanced.open = false;
    updateNetworkStatus();
    if (computers === undefined) lookUpComputers(generation);
  }

  /** The section's fields as settings-form.js's fromForm takes them. */
  function values() {
    return {
      packagesAutoInstall: auto.checked,
      packagesProxy: proxy.value,
      packagesCaBundle: ca.value,
      packagesNetwork: network.value,
      packagesAllowlist: allow.value,
      packagesInstallWithoutAsking: trusted.value,
      packagesDenylist: deny.value,
    };
  }

  async function lookUpComputers(mine) {
    if (!backend || typeof backend.defaultCaBundle !== 'function') return undefined;
    try {
      const path = await backend.defaultCaBundle();
      computers = typeof path === 'string' && path ? path : null;
    } catch {
      return undefined; // Unknown: the hint stays neutral and the button tries again.
    }
    if (mine === generation) setCa(ca.value);
    return computers;
  }

  async function chooseFile() {
    if (!backend || typeof backend.pickCaBundle !== 'function') return;
    const mine = generation;
    try {
      const path = await backend.pickCaBundle();
      if (mine === generation && typeof path === 'string' && path) setCa(path);
    } catch (err) {
      if (mine === generation) onError(toUserError(err, 'Could not open the file chooser'));
    }
  }

  async function useComputers() {
    const mine = generation;
    const path = computers === undefined ? await lookUpComputers(mine) : computers;
    if (mine !== generation || path === undefined) return;
    setCa(path || '');
  }

  function setCa(path) {
    ca.value = path;
    ca.title = path;
    let hint = CA_HINT_CHOSEN;
    if (!path) hint = CA_HINT_NONE;
    else if (computers !== undefined && path === computers) hint = CA_HINT_DEFAULT;
    setText(caHint, hint);
    // Offered only when it would change something, so the path has the room.
    show(defaultBtn, !(computers !== undefined && (computers || '') === path));
  }

  function updateNetworkStatus() {
    const name = network.value.trim();
    setText(networkStatus, name || NETWORK_DEFAULT);
    networkStatus.title = name;
  }

  return { fill, values };
}
