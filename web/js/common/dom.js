// Builds DOM nodes. Text from data always goes in as text nodes, never as HTML strings.

/**
 * h('a', { href: '/x', class: 'fr-link', onclick: fn, dataset: { id: 1 }, 'aria-label': '…' }, 'text', childNode, [more])
 * Attribute values false/null/undefined are left out; true sets an empty attribute. Children: strings, numbers,
 * nodes, arrays of them; null/undefined/false are skipped.
 */
export function h(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs ?? {})) {
    if (value === null || value === undefined || value === false) continue;
    if (name.startsWith('on') && typeof value === 'function') {
      node.addEventListener(name.slice(2), value);
    } else if (name === 'dataset') {
      Object.assign(node.dataset, value);
    } else if (name === 'class') {
      node.className = Array.isArray(value) ? value.filter(Boolean).join(' ') : value;
    } else if (name === 'text') {
      node.textContent = String(value);
    } else if (name === 'value' && 'value' in node) {
      node.value = value;
    } else if (name === 'checked' || name === 'selected' || name === 'disabled' && 'disabled' in node) {
      node[name] = Boolean(value);
      if (value) node.setAttribute(name, '');
    } else {
      node.setAttribute(name, value === true ? '' : String(value));
    }
  }
  append(node, children);
  return node;
}

/** Appends children (strings become text nodes; arrays are flattened; null/false skipped). */
export function append(parent, children) {
  for (const child of [children].flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    parent.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return parent;
}

/** Replaces every child of a node. */
export function replace(parent, ...children) {
  parent.replaceChildren();
  return append(parent, children);
}

/** An SVG element (namespaced), with the same attribute rules as h(). */
export function svg(tag, attrs = {}, ...children) {
  const node = document.createElementNS('http://www.w3.org/2000/svg', tag);
  for (const [name, value] of Object.entries(attrs ?? {})) {
    if (value === null || value === undefined || value === false) continue;
    if (name.startsWith('on') && typeof value === 'function') node.addEventListener(name.slice(2), value);
    else node.setAttribute(name, String(value));
  }
  append(node, children);
  return node;
}

export const $ = (selector, root = document) => root.querySelector(selector);
export const $$ = (selector, root = document) => [...root.querySelectorAll(selector)];

/** A DSFR alert (role=alert for errors so screen readers hear it at once). */
export function alertBox(kind, title, description) {
  return h('div', { class: `fr-alert fr-alert--${kind} fr-alert--sm fr-mb-3w`, role: kind === 'error' ? 'alert' : 'status' },
    title ? h('h3', { class: 'fr-alert__title' }, title) : null,
    description ? h('p', {}, description) : null);
}
