// A tiny element builder: every text goes in as text, never as markup.
const SVG_NS = 'http://www.w3.org/2000/svg';

/**
 * h('button', {class: 'x', onClick: fn, disabled: true}, 'Label', child)
 * A tag 'svg:path' makes an SVG element. Props: class, text, dataset, on<Event>, true → empty attribute,
 * false/null/undefined → left out, anything else → attribute.
 */
export function h(tag, props, ...children) {
  const svg = tag.startsWith('svg:');
  const el = svg ? document.createElementNS(SVG_NS, tag.slice(4)) : document.createElement(tag);
  for (const [key, value] of Object.entries(props || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key === 'text') el.textContent = String(value);
    else if (key === 'dataset') Object.assign(el.dataset, value);
    else if (key.startsWith('on') && typeof value === 'function') el.addEventListener(key.slice(2).toLowerCase(), value);
    else if (value === true) el.setAttribute(key, '');
    else el.setAttribute(key, String(value));
  }
  append(el, children);
  return el;
}

export function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : String(child));
  }
  return el;
}

/** Sets a cell's text and an optional class, only when it changed (keeps screen readers calm). */
export function setText(el, text, className) {
  const value = text === null || text === undefined ? '' : String(text);
  if (el.textContent !== value) el.textContent = value;
  if (className !== undefined && el.getAttribute('class') !== className) {
    if (className) el.setAttribute('class', className); else el.removeAttribute('class');
  }
}

let ids = 0;
/** A fresh id for label/aria wiring. */
export function uid(prefix) {
  ids += 1;
  return `${prefix}-${ids}`;
}

/** A labelled form field: returns {wrap, input, error}; the error line is wired with aria-describedby. */
export function field(label, input, { hint, name } = {}) {
  const id = input.id || uid(name || 'f');
  input.id = id;
  const fieldName = name || input.getAttribute('name');
  const error = h('p', { class: 'field-error', id: `${id}-error`, dataset: { errorFor: fieldName || '' } });
  const described = [];
  let hintEl = null;
  if (hint) {
    hintEl = h('p', { class: 'hint', id: `${id}-hint` }, hint);
    described.push(hintEl.id);
  }
  described.push(error.id);
  input.setAttribute('aria-describedby', described.join(' '));
  const wrap = h('div', { class: 'field' }, h('label', { for: id }, label), input, hintEl, error);
  return { wrap, input, error };
}
