// Tiny DOM helpers. No framework: components build their nodes once and then
// update only what changed.

/**
 * h('button', { class: 'btn', type: 'button', onClick: fn, 'aria-label': 'Stop' }, 'Stop')
 * Props: `class`, `text`, `dataset` (object), `hidden`, `onXxx` (event listeners),
 * anything else is set as an attribute (skipped when null/false).
 * Children: nodes, strings, numbers, arrays of those; null/false are skipped.
 */
export function h(tag, props = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(props || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (key === 'class') el.className = value;
    else if (key === 'text') el.textContent = value;
    else if (key === 'dataset') Object.assign(el.dataset, value);
    else if (key === 'hidden') el.hidden = Boolean(value);
    else if (key.startsWith('on') && typeof value === 'function') {
      el.addEventListener(key.slice(2).toLowerCase(), value);
    } else el.setAttribute(key, value === true ? '' : String(value));
  }
  append(el, children);
  return el;
}

export function append(parent, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    parent.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return parent;
}

/** Sets text only when it changed (cheap to call on every render). */
export function setText(el, text) {
  const value = text ?? '';
  if (el.textContent !== value) el.textContent = value;
}

export function show(el, visible) {
  const hidden = !visible;
  if (el.hidden !== hidden) el.hidden = hidden;
}

export function replaceChildren(el, ...children) {
  el.replaceChildren();
  append(el, children);
}
