// /tableau-de-bord/commune/<code>: one commune's figures, its roofs by suitability class, a link to its buildings in
// the 3D map, and how each figure was computed.
import { initPage, setTitle, showPageMessage } from '../common/chrome.js';
import { api } from '../common/api.js';
import { h, replace, $, alertBox } from '../common/dom.js';
import { t, formatNumber } from '../common/i18n.js';
import { dsfrTable } from './dsfr-table.js';
import { figureTiles } from './figures.js';
import { howComputedTable, provenanceList, FIGURE_KEYS } from './provenance.js';
import { classChart } from './classes.js';

const code = decodeURIComponent(location.pathname.split('/').filter(Boolean).pop() ?? '');

await initPage({ page: 'dashboard', title: 'dashboard.commune.title' });
const main = $('#commune');
try {
  render(await api(`/api/v1/barometer/communes/${encodeURIComponent(code)}`));
} catch (error) {
  if (error.status === 404 || error.status === 400) {
    showPageMessage('dashboard.commune.notFound.title', 'dashboard.commune.notFound.text');
  } else {
    replace(main, alertBox('error', t('dashboard.error'), error.message));
  }
} finally {
  main.setAttribute('aria-busy', 'false');
}

function render(detail) {
  const a = detail.area;
  const name = a.name ?? a.code;
  setTitle(t('dashboard.commune.pageTitle', { name }));
  replace(main,
    h('nav', { role: 'navigation', class: 'fr-breadcrumb', 'aria-label': t('dashboard.commune.breadcrumb') },
      h('ol', { class: 'fr-breadcrumb__list' },
        h('li', {}, h('a', { class: 'fr-breadcrumb__link', href: '/tableau-de-bord' }, t('dashboard.title'))),
        a.departementCode ? h('li', {}, h('a', { class: 'fr-breadcrumb__link', href: `/tableau-de-bord?departement=${encodeURIComponent(a.departementCode)}` },
          `${a.departementCode} — ${a.departementName ?? a.departementCode}`)) : null,
        h('li', {}, h('a', { class: 'fr-breadcrumb__link', 'aria-current': 'page' }, name)))),
    h('h1', { id: 'commune-title' }, name, h('span', { class: 'sr-muted fr-text--lead' }, ` (${a.code})`)),
    h('p', { class: 'fr-text--lead', id: 'commune-lead' }, a.buildingsSkipped + a.buildingsFailed === 0
      ? t('dashboard.commune.leadAll', { count: a.buildings, buildings: formatNumber(a.buildings) })
      : t('dashboard.commune.lead', { count: a.buildings, buildings: formatNumber(a.buildings), analysed: formatNumber(a.buildingsAnalysed), skipped: formatNumber(a.buildingsSkipped + a.buildingsFailed) })),
    h('p', {}, h('a', { class: 'fr-btn fr-icon-building-line fr-btn--icon-left', href: detail.map3d, id: 'map3d-link' }, t('dashboard.commune.map3d'))),
    figureTiles(a),
    h('section', { class: 'fr-mt-4w', 'aria-labelledby': 'classes-title' },
      h('h2', { class: 'fr-h4', id: 'classes-title' }, t('dashboard.commune.classes.title')),
      h('p', { class: 'fr-text--sm' }, t('dashboard.commune.classes.explain')),
      classChart(a, bandsOf(detail))),
    topBuildings(detail.buildings),
    h('section', { class: 'fr-mt-6w', id: 'methode', 'aria-labelledby': 'method-title' },
      h('h2', { class: 'fr-h4', id: 'method-title' }, t('dashboard.method.title')),
      h('p', {}, t('dashboard.commune.methodCommune', { code: a.code })),
      provenanceList(detail, detail.dataset),
      howComputedTable(detail, FIGURE_KEYS)));
}

/** The commune's buildings of largest potential, each opening the 3D map on it (/?building=<id>). */
function topBuildings(buildings) {
  const nameOf = (b) => b.address ?? t('dashboard.commune.top.unnamed', { id: String(b.id) });
  const number = (v, digits = 0) => formatNumber(v, { minimumFractionDigits: digits, maximumFractionDigits: digits });
  return h('section', { class: 'fr-mt-6w', id: 'top-buildings', 'aria-labelledby': 'top-title' },
    h('h2', { class: 'fr-h4', id: 'top-title' }, t('dashboard.commune.top.title')),
    buildings.length === 0 ? h('p', {}, t('dashboard.commune.top.none')) : [
      h('p', { class: 'fr-text--sm' }, t('dashboard.commune.top.explain', { count: buildings.length })),
      dsfrTable({
        id: 'top-table',
        caption: t('dashboard.commune.top.caption'),
        small: true,
        head: h('tr', {},
          h('th', { scope: 'col' }, t('dashboard.commune.top.building')),
          h('th', { scope: 'col', class: 'sr-num' }, t('dashboard.commune.top.mwh')),
          h('th', { scope: 'col', class: 'sr-num' }, t('dashboard.commune.top.kwp')),
          h('th', { scope: 'col', class: 'sr-num' }, t('dashboard.commune.top.area')),
          h('th', { scope: 'col', class: 'sr-num' }, t('dashboard.commune.top.class')),
          h('th', { scope: 'col' }, t('dashboard.commune.top.map'))),
        rows: buildings.map((b) => h('tr', { 'data-building': String(b.id) },
          h('th', { scope: 'row' }, nameOf(b)),
          h('td', { class: 'sr-num', 'data-value': b.annualKwhAc }, number(b.annualKwhAc / 1000, 1)),
          h('td', { class: 'sr-num' }, number(b.installableKwp, 1)),
          h('td', { class: 'sr-num' }, number(b.usableAreaM2)),
          h('td', { class: 'sr-num' }, b.suitabilityClass ?? '—'),
          h('td', {}, h('a', { class: 'fr-link fr-link--sm fr-icon-building-line fr-link--icon-left', href: b.map3d,
            'aria-label': t('dashboard.commune.top.openLabel', { name: nameOf(b) }) }, t('dashboard.commune.top.open'))))),
      })]);
}

/** The suitability classes' bounds (kWh/m²/yr) of the runs counted, when they all used the same. */
function bandsOf(detail) {
  const all = detail.provenance.runs.map((r) => JSON.stringify(r.suitabilityBandsKwhPerM2 ?? null));
  return new Set(all).size === 1 ? detail.provenance.runs[0].suitabilityBandsKwhPerM2 : null;
}
