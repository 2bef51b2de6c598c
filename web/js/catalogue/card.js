// One dataset as a DSFR card in the search results.
import { h } from '../common/dom.js';
import { t, formatDate } from '../common/i18n.js';
import { licenceLabel, formatLabel, visibilityLabel, themeLabel } from './labels.js';

/** Plain text of the sanitised description HTML (parsed inertly: nothing runs, nothing loads). */
export function summaryText(html, max = 220) {
  const text = (new DOMParser().parseFromString(html ?? '', 'text/html').body.textContent ?? '').replace(/\s+/g, ' ').trim();
  return text.length > max ? `${text.slice(0, max - 1).trimEnd()}…` : text;
}

export function datasetCard(d) {
  const records = d.currentVersion == null ? t('catalogue.card.noVersion')
    : d.rowCount == null ? null : t('catalogue.card.records', { count: d.rowCount });
  const badges = [
    d.visibility !== 'public' ? h('li', {}, h('p', { class: `fr-badge fr-badge--sm ${d.visibility === 'restricted' ? 'fr-badge--warning' : 'fr-badge--info'}` }, visibilityLabel(d.visibility))) : null,
    d.format ? h('li', {}, h('p', { class: 'fr-badge fr-badge--sm' }, formatLabel(d.format))) : null,
    d.hasGeometry ? h('li', {}, h('p', { class: 'fr-badge fr-badge--sm fr-badge--green-emeraude' }, t('catalogue.card.geo'))) : null,
    ...d.themes.slice(0, 2).map((th) => h('li', {}, h('p', { class: 'fr-badge fr-badge--sm fr-badge--blue-ecume' }, themeLabel(th.code)))),
  ];
  return h('div', { class: 'fr-card fr-enlarge-link fr-card--horizontal-tier', dataset: { dataset: d.id } },
    h('div', { class: 'fr-card__body' },
      h('div', { class: 'fr-card__content' },
        h('h3', { class: 'fr-card__title' }, h('a', { href: `/catalogue/${encodeURIComponent(d.id)}` }, d.title || d.id)),
        h('p', { class: 'fr-card__desc' }, summaryText(d.description?.html)),
        h('div', { class: 'fr-card__start' }, h('ul', { class: 'fr-badges-group' }, badges)),
        h('div', { class: 'fr-card__end' },
          h('ul', { class: 'sr-card-meta' },
            h('li', { class: 'fr-icon-government-line fr-icon--sm' }, ' ', d.publisher.name),
            h('li', { class: 'fr-icon-scales-3-line fr-icon--sm' }, ' ', licenceLabel(d.licence.id)),
            h('li', { class: 'fr-icon-calendar-line fr-icon--sm' }, ' ', t('catalogue.card.modified', { date: formatDate(d.modified) })),
            records ? h('li', { class: 'fr-icon-table-line fr-icon--sm sr-records' }, ' ', records) : null)))));
}
