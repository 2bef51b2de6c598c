// /tableau-de-bord: the region's solar barometer. The state (département, mapped indicator, table sort) lives in the
// URL (?departement=93&indicateur=potentialGwhPerYear&tri=installableMwp&ordre=ascending), so a view can be shared.
import { initPage } from '../common/chrome.js';
import { api } from '../common/api.js';
import { h, replace, $, alertBox } from '../common/dom.js';
import { t, formatDate, formatDateTime, formatNumber } from '../common/i18n.js';
import { INDICATORS, indicator, valueOf, label } from './indicators.js';
import { choropleth } from './choropleth.js';
import { sortableTable } from './table.js';
import { figureTiles, KEY_FIGURES } from './figures.js';
import { howComputedTable, provenanceList, FIGURE_KEYS } from './provenance.js';

// The default sort (potential) first, so the column the table is sorted by is always in view.
const TABLE_COLUMNS = ['potentialGwhPerYear', 'installableMwp', 'buildingsAnalysed', 'usableAreaM2', 'potentialShareOfResidentialUse',
  'co2AvoidableTPerYear', 'wellSuitedShare', 'installedMwp'];

const params = () => new URLSearchParams(location.search);
let view = null; // { summary, boundaries, detail, departement }

await initPage({ page: 'dashboard', title: 'dashboard.title' });
await load();
addEventListener('popstate', () => load());

/** Fetches the view for the URL's département and draws it; focus returns to the control that asked for it. */
async function load(focusId = null) {
  const departement = params().get('departement') || null;
  const main = $('#barometer');
  main.setAttribute('aria-busy', 'true');
  try {
    const q = departement ? `?departement=${encodeURIComponent(departement)}` : '';
    const [summary, boundaries] = await Promise.all([api(`/api/v1/barometer${q}`), api(`/api/v1/barometer/boundaries.geojson${q}`)]);
    const area = departement ? `departements/${encodeURIComponent(departement)}` : 'region/-';
    const detail = await api(`/api/v1/barometer/${area}`);
    view = { summary, boundaries, detail, departement };
    render();
    if (focusId) document.getElementById(focusId)?.focus();
  } catch (error) {
    replace(main, alertBox(error.code === 'barometer_empty' ? 'info' : 'error',
      t(error.code === 'barometer_empty' ? 'dashboard.empty.title' : 'dashboard.error'), error.message));
  } finally {
    main.setAttribute('aria-busy', 'false');
  }
}

function setParams(changes, push = true) {
  const p = params();
  for (const [k, v] of Object.entries(changes)) {
    if (v === null || v === undefined || v === '') p.delete(k); else p.set(k, v);
  }
  const url = `${location.pathname}${p.toString() ? `?${p}` : ''}`;
  if (push) history.pushState(null, '', url); else history.replaceState(null, '', url);
}

function render() {
  const { summary, detail, departement } = view;
  const area = detail.area;
  const runs = summary.refresh.runs;
  const models = [...new Set(runs.map((r) => r.modelVersion))].join(', ');
  replace($('#barometer'),
    h('p', { class: 'fr-text--lead', id: 'lead' }, t('dashboard.lead')),
    h('p', { class: 'fr-text--sm', id: 'refresh-info' },
      t('dashboard.asOf', { date: formatDateTime(summary.refresh.refreshedAt), runs: runs.map((r) => r.runId).join(', '), models }), ' ',
      h('a', { class: 'fr-link fr-link--sm', href: '#methode' }, t('dashboard.howLink'))),
    filters(summary, departement),
    h('h2', { class: 'fr-h3 fr-mt-4w', id: 'area-title' },
      departement ? t('dashboard.areaDepartement', { name: area.name ?? departement, code: departement })
        : area.name ? t('dashboard.areaRegion', { name: area.name }) : t('dashboard.areaRegionUnnamed')),
    figureTiles(area),
    mapSection(),
    tableSection(),
    downloads(summary, departement),
    method(summary, detail));
}

function filters(summary, departement) {
  const departements = summary.departements;
  const mapped = INDICATORS.filter((i) => i.map);
  const current = indicator(params().get('indicateur'))?.map ? params().get('indicateur') : 'potentialGwhPerYear';
  return h('form', { class: 'sr-filters', id: 'filters', onsubmit: (e) => e.preventDefault() },
    h('div', { class: 'fr-select-group' },
      h('label', { class: 'fr-label', for: 'filter-departement' }, t('dashboard.filter.departement')),
      h('select', { class: 'fr-select', id: 'filter-departement', onchange: (e) => { setParams({ departement: e.target.value }); load('filter-departement'); } },
        h('option', { value: '', selected: !departement }, t('dashboard.filter.all')),
        departements.map((d) => h('option', { value: d.code, selected: d.code === departement }, `${d.code} — ${d.name ?? d.code}`)))),
    h('div', { class: 'fr-select-group' },
      h('label', { class: 'fr-label', for: 'filter-indicator' }, t('dashboard.filter.indicator')),
      h('select', { class: 'fr-select', id: 'filter-indicator', onchange: (e) => { setParams({ indicateur: e.target.value }, false); replace($('#map-section'), ...mapContent()); } },
        mapped.map((i) => h('option', { value: i.key, selected: i.key === current }, label(i.key))))));
}

function mappedIndicator() {
  const key = params().get('indicateur');
  return indicator(key)?.map ? key : 'potentialGwhPerYear';
}

function mapSection() {
  return h('section', { class: 'fr-mt-4w', id: 'map-section', 'aria-labelledby': 'map-title' }, ...mapContent());
}

function mapContent() {
  const key = mappedIndicator();
  const { summary, boundaries } = view;
  const communes = new Map(summary.communes.map((c) => [c.code, c]));
  const values = new Map();
  for (const [code, c] of communes) values.set(code, valueOf(c, key));
  const unit = t(`dashboard.indicators.${key}.unit`);
  const format = (v) => `${indicator(key).format(v)}${unit ? ` ${unit}` : ''}`;
  const { element } = choropleth({
    boundaries,
    valueByCode: values,
    format,
    hrefOf: (code) => `/tableau-de-bord/commune/${encodeURIComponent(code)}`,
    describe: (p, v) => `${p.name} (${p.code}) : ${v === null ? t('dashboard.map.noValue') : format(v)}`,
    caption: t(communes.size === boundaries.features.length ? 'dashboard.map.captionAll' : 'dashboard.map.caption',
      { indicator: label(key), count: communes.size, total: boundaries.features.length }),
  });
  return [h('h2', { class: 'fr-h4', id: 'map-title' }, t('dashboard.map.title', { indicator: label(key) })), element];
}

function tableSection() {
  const { summary } = view;
  const p = params();
  const sortKey = [...TABLE_COLUMNS, 'name'].includes(p.get('tri')) ? p.get('tri') : 'potentialGwhPerYear';
  const direction = p.get('ordre') === 'ascending' ? 'ascending' : 'descending';
  const columns = [
    { key: 'name', label: t('dashboard.table.commune'), value: (c) => c.name ?? c.code,
      cell: (c) => h('a', { class: 'fr-link', href: `/tableau-de-bord/commune/${encodeURIComponent(c.code)}` }, c.name ?? c.code, h('span', { class: 'sr-muted' }, ` (${c.code})`)) },
    { key: 'departementCode', label: t('dashboard.table.departement'), value: (c) => c.departementCode, cell: (c) => c.departementCode ?? '—' },
    // Installed power only when an installations dataset gives it to some commune.
    ...TABLE_COLUMNS.filter((key) => key !== 'installedMwp' || summary.communes.some((c) => valueOf(c, key) !== null)).map((key) => ({ key, numeric: true, label: `${label(key)}${t(`dashboard.indicators.${key}.unit`) ? ` (${t(`dashboard.indicators.${key}.unit`)})` : ''}`,
      value: (c) => valueOf(c, key), cell: (c) => (valueOf(c, key) === null ? '—' : indicator(key).format(valueOf(c, key))) })),
  ];
  const table = sortableTable({
    id: 'communes-table', caption: t('dashboard.table.caption', { count: summary.communes.length }), columns, rows: summary.communes,
    sort: { key: sortKey, direction }, onSort: (key, dir) => setParams({ tri: key, ordre: dir }, false),
  });
  return h('section', { class: 'fr-mt-4w', 'aria-labelledby': 'table-title' },
    h('h2', { class: 'fr-h4', id: 'table-title' }, t('dashboard.table.title')),
    summary.communes.length ? table.element : h('p', {}, t('dashboard.table.none')));
}

function downloads(summary, departement) {
  return h('section', { class: 'fr-mt-4w', id: 'downloads', 'aria-labelledby': 'downloads-title' },
    h('h2', { class: 'fr-h4', id: 'downloads-title' }, t('dashboard.downloads.title')),
    h('ul', { class: 'fr-btns-group fr-btns-group--inline-md fr-btns-group--icon-left' },
      h('li', {}, h('a', { class: 'fr-btn fr-btn--secondary fr-icon-download-line', href: summary.csv, download: '', id: 'csv-link' },
        departement ? t('dashboard.downloads.csvDepartement', { code: departement }) : t('dashboard.downloads.csv'))),
      h('li', {}, h('a', { class: 'fr-btn fr-btn--tertiary fr-icon-database-line', href: summary.dataset.page }, t('dashboard.downloads.dataset'))),
      h('li', {}, h('a', { class: 'fr-btn fr-btn--tertiary fr-icon-code-s-slash-line', href: `/api/v1/barometer${departement ? `?departement=${encodeURIComponent(departement)}` : ''}` },
        t('dashboard.downloads.api')))));
}

function method(summary, detail) {
  const kwh = summary.refresh.assumptions.residentialElectricityKwhPerDwellingPerYear;
  return h('section', { class: 'fr-mt-6w', id: 'methode', 'aria-labelledby': 'method-title' },
    h('h2', { class: 'fr-h4', id: 'method-title' }, t('dashboard.method.title')),
    h('p', {}, t('dashboard.method.what')),
    h('p', {}, t('dashboard.method.where')),
    h('p', { id: 'assumption-consumption', class: 'fr-mb-1w' }, t('dashboard.method.consumption', { kwh: formatNumber(kwh.value), date: kwh.date })),
    h('details', { class: 'fr-mb-3w', id: 'assumption-source' },
      h('summary', { class: 'fr-text--sm' }, t('dashboard.method.sourceSummary')),
      h('p', { class: 'fr-text--sm sr-muted fr-mt-1w', lang: 'en' }, kwh.source)),
    h('p', {}, t('dashboard.method.installed', { dataset: summary.refresh.assumptions.installations.datasetSlug.value })),
    h('h3', { class: 'fr-h5' }, t('dashboard.method.provenance')),
    provenanceList(detail, summary.dataset),
    howComputedTable(detail, [...KEY_FIGURES, ...FIGURE_KEYS.filter((k) => !KEY_FIGURES.includes(k))]),
    h('p', { class: 'fr-text--xs sr-muted' }, t('dashboard.method.date', { date: formatDate(summary.refresh.refreshedAt) })));
}

