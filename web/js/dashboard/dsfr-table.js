// A DSFR table whose scrolling container keyboard users can reach (tabindex) and screen readers can name (its caption).
import { h } from '../common/dom.js';

/**
 * id: the outer element's id; caption: text (hidden visually unless visibleCaption); head: the <tr> of the header;
 * rows: the <tr> of the body, or tbody: a <tbody> the caller fills itself; small: the DSFR's compact variant.
 */
export function dsfrTable({ id = null, caption, head, rows = [], tbody = null, small = false, visibleCaption = false }) {
  const classes = ['fr-table', 'sr-table', small ? 'fr-table--sm' : null, visibleCaption ? null : 'fr-table--no-caption'].filter(Boolean).join(' ');
  return h('div', { class: classes, id },
    h('div', { class: 'fr-table__wrapper' },
      h('div', { class: 'fr-table__container', tabindex: '0', role: 'region', 'aria-label': caption },
        h('div', { class: 'fr-table__content' },
          h('table', {}, h('caption', {}, caption), h('thead', {}, head), tbody ?? h('tbody', {}, rows))))));
}
