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

// Markup that survives safeHtml: formatting, lists, tables, code, links (http, https, mailto) — nothing that runs or loads.
const SAFE_TAGS = new Set(['P', 'BR', 'STRONG', 'B', 'EM', 'I', 'CODE', 'PRE', 'BLOCKQUOTE', 'UL', 'OL', 'LI', 'A', 'H1', 'H2', 'H3',
  'H4', 'H5', 'H6', 'TABLE', 'THEAD', 'TBODY', 'TR', 'TH', 'TD', 'HR', 'DEL', 'SPAN']);

/**
 * Nodes from HTML the server already sanitised (a dataset's Markdown description), rebuilt element by element from an
 * allow-list as a second line of defence: unknown elements keep only their text, attributes other than a safe link's
 * href are dropped, and headings are shifted down by `headingShift` levels so they fit under the page's own.
 */
export function safeHtml(html, headingShift = 2) {
  const parsed = new DOMParser().parseFromString(html ?? '', 'text/html');
  const fragment = document.createDocumentFragment();
  const copy = (source, target) => {
    for (const node of source.childNodes) {
      if (node.nodeType === Node.TEXT_NODE) { target.append(node.textContent); continue; }
      if (node.nodeType !== Node.ELEMENT_NODE) continue;
      if (!SAFE_TAGS.has(node.tagName)) { copy(node, target); continue; }
      let tag = node.tagName.toLowerCase();
      if (/^h[1-6]$/.test(tag)) tag = `h${Math.min(6, Number(tag[1]) + headingShift)}`;
      const element = document.createElement(tag);
      if (tag === 'a') {
        const href = node.getAttribute('href') ?? '';
        if (/^(https?:|mailto:)/i.test(href)) { element.setAttribute('href', href); element.setAttribute('rel', 'nofollow noopener'); }
      }
      copy(node, element);
      target.append(element);
    }
  };
  copy(parsed.body, fragment);
  return fragment;
}

/** Copies text to the clipboard; falls back to selecting a hidden textarea where the Clipboard API is refused. */
export async function copyText(text) {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    const area = h('textarea', { class: 'sr-visually-hidden', 'aria-hidden': 'true', tabindex: '-1' }, text);
    document.body.append(area);
    area.select();
    const ok = document.execCommand('copy');
    area.remove();
    return ok;
  }
}

/**
 * A DSFR table. caption: what the table holds (kept for screen readers; hidden on screen with hideCaption when a
 * heading right above already says it); head: column names (strings become <th scope="col">, nodes are kept);
 * rows: the <tr> nodes. id goes on the <table>, wrapperId on the DSFR wrapper, className adds DSFR/page classes.
 */
export function dataTable({ id = null, wrapperId = null, caption, hideCaption = false, className = null, head, rows }) {
  return h('div', { class: ['fr-table', hideCaption ? 'fr-table--no-caption' : null, className], id: wrapperId },
    // The container scrolls sideways on a narrow screen: it takes the keyboard focus (and a name) so it can be scrolled without a mouse.
    // A named group, not a region: a region is a landmark, and one named like the section around it repeats it (axe landmark-unique).
    h('div', { class: 'fr-table__wrapper' }, h('div', { class: 'fr-table__container', tabindex: '0', role: 'group', 'aria-label': caption },
      h('div', { class: 'fr-table__content' },
      h('table', { id },
        h('caption', {}, caption),
        h('thead', {}, h('tr', {}, head.map((c) => (c instanceof Node ? c : h('th', { scope: 'col' }, c))))),
        h('tbody', {}, rows))))));
}
