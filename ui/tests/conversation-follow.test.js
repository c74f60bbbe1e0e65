import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createConversation } from '../view/conversation.js';

// The browser calls these after layout; the tests call them by hand.
const resizeCallbacks = [];
globalThis.ResizeObserver = class {
  constructor(callback) {
    resizeCallbacks.push(callback);
  }
  observe() {}
};

/** A scrolling element whose scroll events are delivered by hand, as a browser does a frame late. */
function fakeScroller({ clientHeight = 600, scrollHeight = 1000 } = {}) {
  const listeners = [];
  const el = {
    clientHeight,
    scrollHeight,
    scrollTop: 0,
    addEventListener(type, fn) {
      if (type === 'scroll') listeners.push(fn);
    },
    scrollTo({ top }) {
      el.scrollTop = Math.max(0, Math.min(top, el.scrollHeight - el.clientHeight));
    },
    fireScroll() {
      for (const fn of listeners) fn();
    },
  };
  return el;
}

function setup() {
  resizeCallbacks.length = 0;
  const scroller = fakeScroller();
  const jumpButton = { hidden: true, addEventListener() {} };
  const conversation = createConversation({ scroller, list: {}, jumpButton, deps: {} });
  /** Content grew: the browser delivers the pending scroll event, then resize observations. */
  function grow(to) {
    scroller.scrollHeight = to;
    scroller.fireScroll();
    for (const cb of resizeCallbacks) cb([]);
  }
  return { scroller, jumpButton, conversation, grow };
}

test('content growing before the scroll event is followed, not taken for the user scrolling away', () => {
  const { scroller, jumpButton, conversation, grow } = setup();
  conversation.scrollToBottom(false);
  assert.equal(scroller.scrollTop, 400);
  // An image decodes and a card fills in before the scroll event is delivered.
  grow(1200);
  assert.equal(scroller.scrollTop, 600, 'followed to the new bottom');
  assert.equal(jumpButton.hidden, true);
});

test('scrolling up stops the following until the user is back at the bottom', () => {
  const { scroller, conversation, grow } = setup();
  conversation.scrollToBottom(false);
  scroller.fireScroll();
  scroller.scrollTop = 100; // the user reads above
  scroller.fireScroll();
  grow(1300); // new output arrives
  assert.equal(scroller.scrollTop, 100, 'does not pull the reader down');
  scroller.scrollTop = 680; // back near the bottom
  scroller.fireScroll();
  grow(1500);
  assert.equal(scroller.scrollTop, 900, 'following again');
});

test('scrollToBottom brings the newest card into view after the user scrolled up', () => {
  const { scroller, conversation, grow } = setup();
  scroller.scrollTop = 400;
  scroller.fireScroll();
  scroller.scrollTop = 50;
  scroller.fireScroll();
  conversation.scrollToBottom(false);
  grow(1400);
  assert.equal(scroller.scrollTop, 800);
});
