// The window's light and dark looks: which one the settings ask for, how it is
// put on the page, and the contrast check the unit tests run on the colours of
// both (styles.css). Pure except `applyTheme`, which sets an attribute and
// follows the system's preference while "system" is chosen.

/** Settings → Appearance → theme, as the engine's `Theme` spells them (src/settings.rs). */
export const THEMES = Object.freeze(['system', 'light', 'dark']);

/** The theme the settings ask for; anything unknown is the system's. */
export function themeOf(settings) {
  const theme = settings && settings.appearance && settings.appearance.theme;
  return THEMES.includes(theme) ? theme : 'system';
}

/** The settings with `theme` chosen, everything else as it was. */
export function withTheme(settings, theme) {
  const base = settings && typeof settings === 'object' ? settings : {};
  const appearance = base.appearance && typeof base.appearance === 'object' ? base.appearance : {};
  return { ...base, appearance: { ...appearance, theme: THEMES.includes(theme) ? theme : 'system' } };
}

/** The look to show for `theme`: "system" is the operating system's (`prefersDark`). */
export function resolveTheme(theme, prefersDark) {
  if (theme === 'light' || theme === 'dark') return theme;
  return prefersDark ? 'dark' : 'light';
}

const DARK_QUERY = '(prefers-color-scheme: dark)';

/** Each page root's chosen theme, for the one listener that follows the system. */
const chosenThemes = new WeakMap();

/**
 * Light or dark on <html data-theme>, the only switch styles.css knows. For
 * "system" it asks the operating system (`media`: matchMedia of the dark
 * preference) and follows it while "system" stays chosen.
 */
export function applyTheme(root, theme, media = darkPreference()) {
  const chosen = THEMES.includes(theme) ? theme : 'system';
  root.dataset.theme = resolveTheme(chosen, Boolean(media && media.matches));
  if (!chosenThemes.has(root) && media && typeof media.addEventListener === 'function') {
    media.addEventListener('change', () => {
      if (chosenThemes.get(root) === 'system') root.dataset.theme = resolveTheme('system', media.matches);
    });
  }
  chosenThemes.set(root, chosen);
}

function darkPreference() {
  return typeof globalThis.matchMedia === 'function' ? globalThis.matchMedia(DARK_QUERY) : null;
}

/** '#1d4ed8', '#fff' or 'rgba(59, 130, 246, 0.12)' -> { r, g, b, a } (0-255, alpha 0-1), or null. */
export function parseColor(text) {
  const t = String(text ?? '').trim().toLowerCase();
  let m = /^#([0-9a-f]{3}|[0-9a-f]{6})$/.exec(t);
  if (m) {
    const hex = m[1].length === 3 ? [...m[1]].map((c) => c + c).join('') : m[1];
    return { r: parseInt(hex.slice(0, 2), 16), g: parseInt(hex.slice(2, 4), 16), b: parseInt(hex.slice(4, 6), 16), a: 1 };
  }
  m = /^rgba?\(\s*([\d.]+)\s*,\s*([\d.]+)\s*,\s*([\d.]+)\s*(?:,\s*([\d.]+)\s*)?\)$/.exec(t);
  if (m) return { r: Number(m[1]), g: Number(m[2]), b: Number(m[3]), a: m[4] === undefined ? 1 : Number(m[4]) };
  return null;
}

/** A translucent colour as it shows over an opaque one. */
export function over(top, bottom) {
  const mix = (x, y) => x * top.a + y * (1 - top.a);
  return { r: mix(top.r, bottom.r), g: mix(top.g, bottom.g), b: mix(top.b, bottom.b), a: 1 };
}

function luminance({ r, g, b }) {
  const lin = (c) => {
    const s = c / 255;
    return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
}

/** WCAG 2 contrast ratio of two opaque colours (1 to 21). */
export function contrastRatio(a, b) {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (hi + 0.05) / (lo + 0.05);
}
