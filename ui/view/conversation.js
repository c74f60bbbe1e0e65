// The conversation panel: one card per item of state.items, kept in order.
// Cards are created once and updated in place; a card is only touched when its
// item changed (by reference). Follows new output unless the user scrolled up;
// scrollToBottom() brings the newest card into view and follows again.

import { createRunCard } from './run-card.js';
import { createPullCard, createPendingCard, createErrorCard } from './cards.js';
import { createStepCard } from './step-card.js';

const NEAR_BOTTOM_PX = 48;

/**
 * scroller: the scrolling element; list: the element holding cards;
 * jumpButton: shown when new content arrives while the user reads above;
 * deps: { fileSrc, onStop, onStopStep, onAnswerInstall, onExplainStep, onDismiss, onOpenSettings, openImage, copyText }
 * cardFactories: item type -> (item) => { el, update, tick? }, instead of the
 *   window's own cards (tests count which cards are made and updated).
 */
export function createConversation({ scroller, list, jumpButton, deps, cardFactories = null }) {
  const cards = new Map(); // key -> { el, update, tick?, item, type }
  let stick = true;

  const factories = cardFactories || {
    run: (item) => createRunCard(item, deps),
    pull: (item) => createPullCard(item),
    pending: (item) => createPendingCard(item),
    error: (item) => createErrorCard(item, deps),
    step: (item) => createStepCard(item, deps),
  };

  // Only the user scrolling up stops the following. A scroll event arrives a frame
  // after the scroll: content that grew in between (an image decoding, a card
  // filling in) is not the user leaving the bottom; the ResizeObserver below
  // catches up with it.
  let lastTop = scroller.scrollTop;
  scroller.addEventListener('scroll', () => {
    const top = scroller.scrollTop;
    const scrolledUp = top < lastTop;
    lastTop = top;
    if (isNearBottom()) {
      stick = true;
      jumpButton.hidden = true;
    } else if (scrolledUp) {
      stick = false;
    }
  });
  jumpButton.addEventListener('click', () => scrollToBottom(true));

  // Images loading, output expanding…: follow growth while stuck to the bottom.
  if (typeof ResizeObserver === 'function') {
    new ResizeObserver(() => {
      if (stick) scrollToBottom(false);
    }).observe(list);
  }

  function isNearBottom() {
    return scroller.scrollTop + scroller.clientHeight >= scroller.scrollHeight - NEAR_BOTTOM_PX;
  }

  function scrollToBottom(smooth) {
    stick = true;
    jumpButton.hidden = true;
    scroller.scrollTo({ top: scroller.scrollHeight, behavior: smooth ? 'smooth' : 'auto' });
  }

  function render(items) {
    let changed = false;
    const seen = new Set();
    let index = 0;
    for (const item of items) {
      seen.add(item.key);
      let card = cards.get(item.key);
      if (card && card.type !== item.type) {
        card.el.remove();
        cards.delete(item.key);
        card = null;
      }
      if (!card) {
        const factory = factories[item.type];
        if (!factory) continue; // a kind of card this version does not show
        card = { ...factory(item), item, type: item.type };
        cards.set(item.key, card);
        changed = true;
      } else if (card.item !== item) {
        card.update(item);
        card.item = item;
        changed = true;
      }
      const at = list.children[index];
      if (at !== card.el) {
        list.insertBefore(card.el, at || null);
        changed = true;
      }
      index += 1;
    }
    for (const [key, card] of cards) {
      if (!seen.has(key)) {
        card.el.remove();
        cards.delete(key);
        changed = true;
      }
    }
    if (changed) {
      if (stick) scrollToBottom(false);
      else jumpButton.hidden = false;
    }
  }

  /** Updates the elapsed time of running cards. */
  function tick(now) {
    for (const card of cards.values()) if (card.tick) card.tick(now);
  }

  return { render, tick, scrollToBottom };
}
