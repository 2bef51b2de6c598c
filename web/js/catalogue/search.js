// /catalogue: full-text search with facets, cards and paging. The URL holds the whole state (q, filters, sort,
// page), so a search can be shared, bookmarked and walked with the browser's back button.
import { initPage } from '../common/chrome.js';
import { api } from '../common/api.js';
import { h, replace, $, alertBox } from '../common/dom.js';
import { t, formatNumber } from '../common/i18n.js';
import { pagination } from '../common/pagination.js';
import { datasetCard } from './card.js';
import { themeLabel, licenceLabel, formatLabel } from './labels.js';

const PAGE_SIZE = 10;
const FILTERS = ['theme', 'publisher', 'licence', 'format', 'hasGeometry'];
const STATE_KEYS = ['q', ...FILTERS, 'sort', 'page'];

await initPage({ page: 'catalogue', title: 'catalogue.title' });

const form = $('#search-form');
const input = $('#search-q');
const sort = $('#search-sort');
let inFlight = null;

/** The search state from the URL. */
function readState() {
  const params = new URLSearchParams(location.search);
  const state = {};
  for (const key of STATE_KEYS) {
    const value = params.get(key);
    if (value) state[key] = value;
  }
  state.page = Math.max(1, Number.parseInt(state.page ?? '1', 10) || 1);
  return state;
}

function urlFor(state) {
  const params = new URLSearchParams();
  for (const key of STATE_KEYS) {
    const value = state[key];
    if (value && !(key === 'page' && value === 1) && !(key === 'sort' && value === 'relevance')) params.set(key, value);
  }
  const lang = new URLSearchParams(location.search).get('lang');
  if (lang) params.set('lang', lang);
  const query = params.toString();
  return query ? `${location.pathname}?${query}` : location.pathname;
}

function go(state) {
  history.pushState(null, '', urlFor(state));
  render();
}

form.addEventListener('submit', (event) => {
  event.preventDefault();
  go({ ...readState(), q: input.value.trim(), page: 1 });
});
sort.addEventListener('change', () => go({ ...readState(), sort: sort.value, page: 1 }));
window.addEventListener('popstate', render);

async function render() {
  const state = readState();
  input.value = state.q ?? '';
  sort.value = state.sort ?? 'relevance';
  const params = new URLSearchParams({ pageSize: String(PAGE_SIZE), page: String(state.page) });
  for (const key of ['q', ...FILTERS, 'sort']) if (state[key]) params.set(key, state[key]);

  inFlight?.abort();
  inFlight = new AbortController();
  const results = $('#results');
  results.setAttribute('aria-busy', 'true');
  replace($('#results-error'));
  let body;
  try {
    body = await api(`/api/v1/datasets?${params}`, { signal: inFlight.signal });
  } catch (error) {
    if (error.name === 'AbortError') return;
    replace($('#results-error'), alertBox('error', t('common.error'), error.status === 0 ? t('common.networkError') : error.message));
    results.setAttribute('aria-busy', 'false');
    return;
  }
  results.setAttribute('aria-busy', 'false');
  replace($('#results-count'), t('catalogue.results', { count: body.total }));
  replace(results, body.items.length === 0
    ? h('p', { class: 'fr-mt-2w', id: 'no-results' }, t('catalogue.noResults'))
    : h('ul', { class: 'sr-card-list', id: 'result-list' }, body.items.map((d) => h('li', {}, datasetCard(d)))));
  const pages = Math.ceil(body.total / PAGE_SIZE);
  replace($('#pagination'), pagination(state.page, pages, (p) => urlFor({ ...state, page: p }), (p) => {
    go({ ...state, page: p });
    $('#results-count').scrollIntoView();
  }));
  renderFacets(state, body.facets);
}

function renderFacets(state, facets) {
  const groups = [
    ['theme', 'catalogue.facet.theme', themeLabel],
    ['publisher', 'catalogue.facet.publisher', null],
    ['licence', 'catalogue.facet.licence', licenceLabel],
    ['format', 'catalogue.facet.format', formatLabel],
  ];
  const fieldsets = groups.map(([key, legend, label]) => facetGroup(state, key, t(legend),
    (facets[key] ?? []).map((f) => ({ value: f.value, count: f.count, text: label ? label(f.value) : f.label ?? f.value }))));
  const geo = (facets.hasGeometry ?? []).map((f) => ({
    value: f.value, count: f.count, text: t(f.value === 'true' ? 'catalogue.facet.withGeometry' : 'catalogue.facet.withoutGeometry'),
  }));
  fieldsets.push(facetGroup(state, 'hasGeometry', t('catalogue.facet.geo'), geo));
  const active = FILTERS.some((k) => state[k]);
  replace($('#facets'), fieldsets,
    active ? h('button', { type: 'button', class: 'fr-btn fr-btn--tertiary fr-btn--sm', id: 'clear-filters',
      onclick: () => go({ q: state.q, sort: state.sort, page: 1 }) }, t('catalogue.clearFilters')) : null);
}

/** One facet as a radio group: "All" plus each value with its count; choosing one searches at once. */
function facetGroup(state, key, legend, values) {
  if (values.length === 0 && !state[key]) return null;
  const name = `facet-${key}`;
  const option = (value, text) => {
    const id = `${name}-${value || 'all'}`.replace(/[^\w-]/g, '_');
    return h('div', { class: 'fr-fieldset__element' },
      h('div', { class: 'fr-radio-group fr-radio-group--sm' },
        h('input', { type: 'radio', id, name, value, checked: (state[key] ?? '') === value,
          onchange: () => go({ ...readState(), [key]: value || undefined, page: 1 }) }),
        h('label', { class: 'fr-label', for: id }, text)));
  };
  return h('fieldset', { class: 'fr-fieldset sr-facet', id: `facet-${key}` },
    h('legend', { class: 'fr-fieldset__legend fr-fieldset__legend--regular' }, legend),
    option('', t('catalogue.facet.all')),
    values.map((v) => option(v.value, `${v.text} (${formatNumber(v.count)})`)));
}

render();
