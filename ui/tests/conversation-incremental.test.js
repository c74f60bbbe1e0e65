import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createConversation } from '../view/conversation.js';
import { initialState, reduce } from '../state.js';
import { TWO_TRIES } from './fixtures.js';

// A long conversation stays smooth because a new message redraws only its own
// step's card: every other card is left alone (the state keeps their items, by
// reference, and the conversation updates a card only when its item changed).
// ui/dev/bench-conversation.mjs times the same under jsdom.

const STEPS = 200;
const stepMessages = (n) => TWO_TRIES.map((m) => ({ ...m, step_id: `step-${n}` }));
const conv = (message) => ({ kind: 'conversation', session_id: 'session-1', message });

/** A list element with just what the conversation uses of one. */
function fakeList() {
  const list = {
    children: [],
    insertBefore(el, before) {
      const from = list.children.indexOf(el);
      if (from >= 0) list.children.splice(from, 1);
      const at = before ? list.children.indexOf(before) : -1;
      el.remove = () => list.children.splice(list.children.indexOf(el), 1);
      if (at < 0) list.children.push(el);
      else list.children.splice(at, 0, el);
    },
  };
  return list;
}

function setup() {
  const made = [];
  const updated = [];
  const card = (item) => {
    made.push(item.key);
    return { el: { key: item.key }, update: (next) => updated.push(next.key) };
  };
  const list = fakeList();
  const conversation = createConversation({
    scroller: { scrollTop: 0, clientHeight: 600, scrollHeight: 600, addEventListener() {}, scrollTo() {} },
    list,
    jumpButton: { hidden: true, addEventListener() {} },
    deps: {},
    cardFactories: { step: card, run: card, pull: card, pending: card, error: card },
  });
  const saved = [];
  for (let n = 0; n < STEPS; n++) saved.push(...stepMessages(n));
  let state = reduce(initialState(), { kind: 'ui:session_opened', session: { id: 'session-1', title: 'S', datasets: [], conversation: saved }, replace: true });
  conversation.render(state.items);
  assert.equal(made.length, STEPS, 'a card per step');
  made.length = 0;
  return {
    list,
    made,
    updated,
    apply(event) {
      state = reduce(state, event);
      conversation.render(state.items);
      return state;
    },
  };
}

test(`a message of the newest step redraws only that card, not the ${STEPS - 1} before it`, () => {
  const { made, updated, apply, list } = setup();
  const before = list.children.slice();
  const last = `step-${STEPS - 1}`;
  apply(conv({ type: 'notice', step_id: last, text: 'Looking again…', at: 99 }));
  assert.deepEqual(made, [], 'no card is made again');
  assert.deepEqual(updated, [`step:${last}`], 'only the changed step is redrawn');
  assert.deepEqual(list.children, before, 'every card stays where it was');
});

test('a new question adds one card and redraws none of the earlier ones, message after message', () => {
  const { made, updated, apply, list } = setup();
  apply({ kind: 'ui:step_requested' });
  made.length = 0;
  updated.length = 0;
  const messages = stepMessages(STEPS);
  for (const m of messages) apply(conv(m));
  assert.deepEqual(made, [`step:step-${STEPS}`], 'the new step gets its card once');
  assert.ok(
    updated.every((key) => key === `step:step-${STEPS}`),
    `earlier cards were redrawn: ${[...new Set(updated)].filter((k) => k !== `step:step-${STEPS}`).slice(0, 5)}`,
  );
  assert.ok(updated.length <= messages.length, `${updated.length} redraws for ${messages.length} messages`);
  assert.equal(list.children.length, STEPS + 1);
  assert.equal(list.children[STEPS].key, `step:step-${STEPS}`, 'at the end');
});
