// Times 100,000 stdout lines through the reducer and the run card / step card,
// rendering once per "frame" of FRAME lines, as main.js does. Usage: node ui/dev/bench-output.mjs [UI_DIR]
// Needs jsdom, which the UI does not depend on: npm install --prefix /tmp/jsdom jsdom
// then: JSDOM=/tmp/jsdom/node_modules/jsdom/lib/api.js node ui/dev/bench-output.mjs
const { JSDOM } = await import(process.env.JSDOM || 'jsdom');
const dir = process.argv[2] ? new URL(process.argv[2], `file://${process.cwd()}/`).href.replace(/\/$/, '') : new URL('..', import.meta.url).href.replace(/\/$/, '');
const dom = new JSDOM('<!doctype html><body></body>');
for (const k of ['window', 'document', 'Node', 'HTMLElement', 'Element', 'DocumentFragment', 'navigator', 'getComputedStyle']) globalThis[k] = dom.window[k] ?? globalThis[k];
const { initialState, reduce } = await import(`${dir}/state.js`);
const { createRunCard } = await import(`${dir}/view/run-card.js`);

const N = 100000, FRAME = Number(process.env.FRAME || 1000);
const deps = { fileSrc: (p) => p, onStop() {}, openImage() {}, copyText() {}, onStopStep() {}, onAnswerInstall() {}, onOpenSettings() {} };

function runCardBench() {
  let s = reduce(initialState(), { kind: 'run_started', run_id: 'r', session_id: null, title: 'T', image: 'i' });
  const card = createRunCard(s.items[0], deps);
  document.body.append(card.el);
  const t0 = performance.now();
  let reduceMs = 0;
  for (let i = 0; i < N; i++) {
    const a = performance.now();
    s = reduce(s, { kind: 'stdout', run_id: 'r', line: `row ${i} | 0.123 | 4.56 | some text` });
    reduceMs += performance.now() - a;
    if ((i + 1) % FRAME === 0) card.update(s.items[0]);
  }
  const ms = performance.now() - t0;
  return { ms, reduceMs, nodes: card.el.querySelectorAll('.output > *').length, text: card.el.querySelector('.output-note--top')?.textContent, shown: !card.el.querySelector('.output-note--top')?.hidden };
}

async function stepBench() {
  const { TWO_TRIES } = await import(`${dir}/tests/fixtures.js`);
  const { createStepCard } = await import(`${dir}/view/step-card.js`);
  const conv = (message) => ({ kind: 'conversation', session_id: 'session-1', message });
  let s = reduce(initialState(), { kind: 'ui:session_opened', session: { id: 'session-1', title: 'S', datasets: [], conversation: [] }, replace: true });
  s = reduce(s, { kind: 'ui:step_requested' });
  for (const m of TWO_TRIES.slice(0, 3)) s = reduce(s, conv(m));
  s = reduce(s, { kind: 'run_started', run_id: 'run-1', session_id: 'session-1', title: 'Try 1', image: 'i' });
  const card = createStepCard(s.items[0], deps);
  document.body.append(card.el);
  const t0 = performance.now();
  for (let i = 0; i < N; i++) {
    s = reduce(s, { kind: 'stdout', run_id: 'run-1', line: `row ${i} | 0.123 | 4.56 | some text` });
    if ((i + 1) % FRAME === 0) card.update(s.items[0]);
  }
  const ms = performance.now() - t0;
  const out = card.el.querySelector(".try-output"); 
  return { ms, renderedLines: out ? out.textContent.split('\n').length : 0 };
}

const r = runCardBench();
console.log(`run card: 100,000 lines in ${r.ms.toFixed(0)} ms (reducer ${r.reduceMs.toFixed(0)} ms), ${r.nodes} line nodes in the DOM; note: ${r.text}`);
const st = await stepBench();
console.log(`step try: 100,000 lines in ${st.ms.toFixed(0)} ms, ${st.renderedLines} lines in its output`);
