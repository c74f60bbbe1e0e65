import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { THEMES, themeOf, withTheme, applyTheme, resolveTheme, parseColor, over, contrastRatio } from '../theme.js';

test('the theme comes from the settings, and an unknown one is the system\'s', () => {
  assert.equal(themeOf({ appearance: { theme: 'dark' } }), 'dark');
  assert.equal(themeOf({ appearance: { theme: 'sepia' } }), 'system');
  assert.equal(themeOf({}), 'system');
  assert.equal(themeOf(null), 'system');
  assert.deepEqual(THEMES, ['system', 'light', 'dark']);
});

test('choosing a theme keeps every other setting as loaded', () => {
  const loaded = { sandbox: { image: 'x' }, appearance: { theme: 'system', other: 1 } };
  assert.deepEqual(withTheme(loaded, 'light'), { sandbox: { image: 'x' }, appearance: { theme: 'light', other: 1 } });
  assert.deepEqual(withTheme({}, 'dark'), { appearance: { theme: 'dark' } });
  assert.equal(loaded.appearance.theme, 'system', 'the loaded settings are not changed');
});

/** A stand-in for matchMedia('(prefers-color-scheme: dark)') the test can flip. */
function fakeDarkPreference(matches) {
  const listeners = [];
  return {
    matches,
    addEventListener: (type, fn) => type === 'change' && listeners.push(fn),
    flip(to) {
      this.matches = to;
      for (const fn of listeners) fn({ matches: to });
    },
    listeners,
  };
}

test('light and dark are set on the page; system is resolved to the operating system\'s and follows it', () => {
  const root = { dataset: {} };
  const media = fakeDarkPreference(true);
  applyTheme(root, 'system', media);
  assert.equal(root.dataset.theme, 'dark');
  media.flip(false);
  assert.equal(root.dataset.theme, 'light', 'the system turned light');
  applyTheme(root, 'dark', media);
  assert.equal(root.dataset.theme, 'dark');
  media.flip(true);
  media.flip(false);
  assert.equal(root.dataset.theme, 'dark', 'a chosen theme does not follow the system');
  applyTheme(root, 'sepia', media);
  assert.equal(root.dataset.theme, 'light', 'unknown is the system\'s');
  assert.equal(media.listeners.length, 1, 'one listener however often the theme changes');
  assert.equal(resolveTheme('light', true), 'light');
  const bare = { dataset: {} };
  applyTheme(bare, 'system', null);
  assert.equal(bare.dataset.theme, 'light', 'without matchMedia: light');
});

test('colours parse, and contrast follows WCAG', () => {
  assert.deepEqual(parseColor('#fff'), { r: 255, g: 255, b: 255, a: 1 });
  assert.deepEqual(parseColor('rgba(59, 130, 246, 0.12)'), { r: 59, g: 130, b: 246, a: 0.12 });
  assert.equal(parseColor('var(--x)'), null);
  assert.equal(Math.round(contrastRatio(parseColor('#000'), parseColor('#fff'))), 21);
  assert.equal(contrastRatio(parseColor('#777'), parseColor('#777')), 1);
});

/** The custom properties of the first rule whose selector is exactly `selector`. */
function variables(css, selector) {
  const start = css.indexOf(`${selector} {`);
  assert.ok(start >= 0, `${selector} in styles.css`);
  const body = css.slice(start, css.indexOf('}', start));
  return Object.fromEntries([...body.matchAll(/--([\w-]+):\s*([^;]+);/g)].map((m) => [m[1], m[2].trim()]));
}

const css = readFileSync(new URL('../styles.css', import.meta.url), 'utf8');
const LIGHT = variables(css, ':root');
// The dark rules override some of :root's colours; the rest cascade.
const THEME_VARIABLES = { light: LIGHT, dark: { ...LIGHT, ...variables(css, ':root[data-theme="dark"]') } };

test('the dark colours are written once, for data-theme="dark" (theme.js resolves "system")', () => {
  assert.equal(css.match(/--bg:/g).length, 2, 'one light and one dark --bg');
  assert.equal(css.includes('prefers-color-scheme'), false);
});

// Text on the backgrounds it is drawn on: 4.5:1 at least (WCAG AA, normal text).
const PAIRS = [
  ['text', 'bg'], ['text', 'surface'], ['text', 'surface-2'],
  ['text-2', 'bg'], ['text-2', 'surface'], ['text-2', 'surface-2'], ['text-2', 'code-bg'],
  ['text-3', 'surface'], ['text-3', 'surface-2'],
  ['accent-text', 'surface'], ['accent-text', 'accent-soft'], ['text', 'accent-soft'],
  ['success-text', 'surface'], ['success-text', 'success-soft'],
  ['warning-text', 'surface'], ['warning-text', 'warning-soft'],
  ['danger-text', 'surface'], ['danger-text', 'danger-soft'],
  ['neutral-text', 'neutral-soft'],
  ['stderr-text', 'stderr-bg'],
  ['on-accent', 'accent-strong'], ['on-accent', 'accent-press'],
];

for (const [theme, vars] of Object.entries(THEME_VARIABLES)) {
  test(`text keeps a 4.5:1 contrast in the ${theme} theme`, () => {
    const surface = parseColor(vars.surface);
    const low = [];
    for (const [fg, bg] of PAIRS) {
      const back = over(parseColor(vars[bg]), surface);
      const ratio = contrastRatio(over(parseColor(vars[fg]), back), back);
      if (ratio < 4.5) low.push(`--${fg} on --${bg}: ${ratio.toFixed(2)}`);
    }
    assert.deepEqual(low, []);
  });
}

// Graphics (the profile's histogram bars and axis) against the cards they sit
// on: 3:1 at least (WCAG 1.4.11, non-text contrast) for the bars; the axis line
// is a guide, 2:1 keeps it visible without competing with the bars.
const GRAPHIC_PAIRS = [
  ['chart-bar', 'surface', 3], ['chart-bar', 'surface-2', 3],
  ['chart-axis', 'surface-2', 2],
];

for (const [theme, vars] of Object.entries(THEME_VARIABLES)) {
  test(`the profile's histogram bars stand out from their card in the ${theme} theme`, () => {
    const surface = parseColor(vars.surface);
    const low = [];
    for (const [fg, bg, min] of GRAPHIC_PAIRS) {
      assert.ok(vars[fg], `--${fg} is defined for the ${theme} theme`);
      const back = over(parseColor(vars[bg]), surface);
      const ratio = contrastRatio(over(parseColor(vars[fg]), back), back);
      if (ratio < min) low.push(`--${fg} on --${bg}: ${ratio.toFixed(2)} (needs ${min})`);
    }
    assert.deepEqual(low, []);
  });
}
