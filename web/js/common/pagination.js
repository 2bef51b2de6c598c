// A DSFR pagination: first, previous, a window of pages, next, last. hrefFor(page) gives each link's URL;
// onGo(page, event) handles a click (the page may render without reloading).
import { h } from './dom.js';
import { t } from './i18n.js';

export function pagination(current, pages, hrefFor, onGo) {
  if (pages <= 1) return null;
  const link = (page, cls, label, text) => {
    const disabled = page < 1 || page > pages || (page === current && cls !== '');
    return h('li', {}, h('a', {
      class: ['fr-pagination__link', cls],
      href: disabled ? null : hrefFor(page),
      'aria-disabled': disabled ? 'true' : null,
      role: disabled ? 'link' : null,
      title: label,
      'aria-current': page === current && cls === '' ? 'page' : null,
      onclick: disabled || !onGo ? null : (event) => { event.preventDefault(); onGo(page, event); },
    }, text));
  };
  const window = [];
  const from = Math.max(1, Math.min(current - 2, pages - 4));
  for (let p = from; p <= Math.min(pages, from + 4); p++) window.push(p);
  return h('ul', { class: 'fr-pagination__list' },
    link(1, 'fr-pagination__link--first', t('catalogue.pagination.page', { page: 1 }), t('catalogue.pagination.page', { page: 1 })),
    link(current - 1, 'fr-pagination__link--prev fr-pagination__link--lg-label', t('catalogue.pagination.previous'), t('catalogue.pagination.previous')),
    window.map((p) => link(p, '', t('catalogue.pagination.page', { page: p }), String(p))),
    link(current + 1, 'fr-pagination__link--next fr-pagination__link--lg-label', t('catalogue.pagination.next'), t('catalogue.pagination.next')),
    link(pages, 'fr-pagination__link--last', t('catalogue.pagination.page', { page: pages }), t('catalogue.pagination.page', { page: pages })));
}
