// "How was this computed": for each figure of an area, what it sums (in the page's language), the exact formula and
// rows, and the queries that give the same number; then the solar runs it comes from and the open dataset.
import { h } from '../common/dom.js';
import { t, formatNumber, formatDateTime } from '../common/i18n.js';
import { INDICATORS, formatted } from './indicators.js';
import { dsfrTable } from './dsfr-table.js';

/** The anchor of a figure's row, so that each figure on the page can link to how it was computed. */
export const anchorOf = (key) => `calcul-${key}`;

/** The table of figures with their formulas and queries (detail: GET /api/v1/barometer/{level}/{code}). */
export function howComputedTable(detail, keys) {
  const how = new Map(detail.howComputed.map((x) => [x.indicator, x]));
  const rows = keys.filter((key) => how.has(key)).map((key) => {
    const x = how.get(key);
    return h('tr', { id: anchorOf(key), tabindex: '-1' },
      h('th', { scope: 'row' }, t(`dashboard.indicators.${key}.label`)),
      h('td', { class: 'sr-num' }, INDICATORS.some((i) => i.key === key) ? formatted(detail.area, key) : formatNumber(x.value)),
      h('td', {}, h('p', { class: 'fr-mb-1v' }, t(`dashboard.indicators.${key}.formula`)), h('code', { class: 'sr-formula' }, x.formula)),
      h('td', {}, queryLinks(x)));
  });
  return dsfrTable({
    id: 'how-computed',
    caption: t('dashboard.how.caption'),
    head: h('tr', {},
      h('th', { scope: 'col' }, t('dashboard.how.figure')), h('th', { scope: 'col', class: 'sr-num' }, t('dashboard.how.value')),
      h('th', { scope: 'col' }, t('dashboard.how.formula')), h('th', { scope: 'col' }, t('dashboard.how.query'))),
    rows,
  });
}

function queryLinks(x) {
  if (!x.queries.length) return h('span', { class: 'sr-muted' }, t('dashboard.how.noQuery'));
  const label = x.queryKind === 'explore' ? 'dashboard.how.explore' : 'dashboard.how.records';
  return h('ul', { class: 'sr-plain-list' }, x.queries.map((q, i) => h('li', {},
    h('a', { class: 'fr-link fr-link--sm', href: q, 'data-query': x.indicator },
      t(label, { n: x.queries.length > 1 ? i + 1 : '' }).trim()),
    x.queryValueDivisor !== 1 ? h('span', { class: 'fr-text--xs sr-muted' }, ' ' + t('dashboard.how.divide', { d: formatNumber(x.queryValueDivisor) })) : null)));
}

/** The runs an area's figures come from, the refresh, the dataset: one short list. */
export function provenanceList(detail, dataset) {
  return h('ul', { class: 'sr-provenance', id: 'provenance' },
    detail.provenance.runs.map((run) => h('li', { 'data-run': run.runId },
      t('dashboard.provenance.run', {
        id: String(run.runId), date: formatDateTime(run.completedAt), model: run.modelVersion, buildings: run.buildings,
      }))),
    h('li', {}, t('dashboard.provenance.refresh', { id: String(detail.provenance.refreshId), date: formatDateTime(detail.provenance.refreshedAt) })),
    h('li', {}, t('dashboard.provenance.datasetBefore'), ' ',
      h('a', { class: 'fr-link', href: dataset.page }, dataset.id),
      ' ', t('dashboard.provenance.datasetVersion', { version: String(dataset.version ?? '—') }), ' — ',
      h('a', { class: 'fr-link', href: dataset.csv }, t('dashboard.provenance.datasetCsv'))));
}

/** The keys of the figures a page shows, in the order of INDICATORS, then the suitability classes. */
export const FIGURE_KEYS = [...INDICATORS.filter((i) => !i.value).map((i) => i.key), 'buildingsClass1', 'buildingsClass2',
  'buildingsClass3', 'buildingsClass4', 'buildingsClass5'];
