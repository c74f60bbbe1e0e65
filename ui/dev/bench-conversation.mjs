// Times a long conversation in the window: a saved session of STEPS steps (12
// messages each, as tests/fixtures.js's TWO_TRIES) opened and drawn, then one
// more step arriving message by message, each through the reducer and the
// conversation's render, as main.js does once per frame. Counts the earlier
// step cards the DOM changed in, which should be none.
// Usage (jsdom is not a dependency of the UI): npm install --prefix /tmp/jsdom jsdom
// then: JSDOM=/tmp/jsdom/node_modules/jsdom/lib/api.js node ui/dev/bench-conversation.mjs [STEPS...]
const { JSDOM } = await import(process.env.JSDOM || 'jsdom');
const dom = new JSDOM('<!doctype html><body><main id="scroller"><div id="list"></div></main><button id="jump"></button></body>');
for (const k of ['window', 'document', 'Node', 'HTMLElement', 'Element', 'DocumentFragment', 'navigator', 'getComputedStyle', 'MutationObserver']) {
  globalThis[k] = dom.window[k] ?? globalThis[k];
}
// jsdom lays nothing out: scrolling is a no-op here.
dom.window.HTMLElement.prototype.scrollTo = function scrollTo() {};
const { initialState, reduce } = await import('../state.js');
const { createConversation } = await import('../view/conversation.js');
const { TWO_TRIES } = await import('../tests/fixtures.js');

const deps = { fileSrc: (p) => p, onStop() {}, openImage() {}, copyText() {}, onStopStep() {}, onAnswerInstall() {}, onOpenSettings() {} };
const stepMessages = (n) => TWO_TRIES.map((m) => ({ ...m, step_id: `step-${n}` }));

async function bench(steps) {
  const list = document.getElementById('list');
  list.replaceChildren();
  const conversation = createConversation({ scroller: document.getElementById('scroller'), list, jumpButton: document.getElementById('jump'), deps });
  const saved = [];
  for (let n = 0; n < steps; n++) saved.push(...stepMessages(n));
  let t = performance.now();
  let s = reduce(initialState(), { kind: 'ui:session_opened', session: { id: 'session-1', title: 'S', datasets: [], conversation: saved }, replace: true });
  conversation.render(s.items);
  const openMs = performance.now() - t;

  const touched = new Set();
  const observer = new MutationObserver((records) => {
    for (const r of records) {
      const node = r.target.nodeType === 1 ? r.target : r.target.parentElement;
      const step = node && node.closest('.step');
      if (step) touched.add(step.dataset.stepId);
    }
  });
  observer.observe(list, { subtree: true, childList: true, characterData: true, attributes: true });
  s = reduce(s, { kind: 'ui:step_requested' });
  const times = [];
  let reduceMs = 0;
  for (const message of stepMessages(steps)) {
    t = performance.now();
    s = reduce(s, { kind: 'conversation', session_id: 'session-1', message });
    reduceMs += performance.now() - t;
    conversation.render(s.items);
    times.push(performance.now() - t);
  }
  await new Promise((r) => setTimeout(r, 0));
  observer.disconnect();
  touched.delete(`step-${steps}`);
  times.sort((a, b) => a - b);
  const mean = times.reduce((a, b) => a + b, 0) / times.length;
  return { steps, messages: saved.length, openMs, meanMs: mean, maxMs: times[times.length - 1], reduceMs: reduceMs / times.length, earlierCardsTouched: touched.size };
}

const sizes = process.argv.slice(2).map(Number).filter((n) => n > 0);
for (const steps of sizes.length ? sizes : [17, 200]) {
  const r = await bench(steps);
  console.log(
    `${r.steps} steps (${r.messages} messages): opened and drawn in ${r.openMs.toFixed(0)} ms; ` +
      `one more message: ${r.meanMs.toFixed(2)} ms on average (reducer ${r.reduceMs.toFixed(2)} ms), ${r.maxMs.toFixed(2)} ms at most; ` +
      `earlier step cards changed: ${r.earlierCardsTouched}`,
  );
}
