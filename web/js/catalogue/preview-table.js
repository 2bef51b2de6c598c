// A preview of a dataset's records: the first page from the API, sortable by any column and filtered as you type;
// "load more" fetches the next page. Geometry columns are shown on the map, not in the table.
import { api } from '../common/api.js';
import { h, replace, alertBox, dataTable } from '../common/dom.js';
import { t, formatNumber, locale } from '../common/i18n.js';

const PAGE = 100;

export function previewTable(body, d) {
  const state = { fields: [], records: [], matched: 0, next: null, sortBy: null, descending: false, filter: '' };
  const status = h('p', { class: 'fr-mb-1w', id: 'preview-status', role: 'status', 'aria-live': 'polite' });
  const filter = h('input', { class: 'fr-input', type: 'search', id: 'preview-filter', maxlength: '200',
    oninput: () => { state.filter = filter.value.trim().toLowerCase(); draw(); } });
  const table = h('div', { id: 'preview-table' });
  const more = h('button', { type: 'button', class: 'fr-btn fr-btn--secondary fr-mt-2w', id: 'preview-more', hidden: true,
    onclick: () => load(state.next) }, t('catalogue.preview.more'));
  replace(body,
    h('div', { class: 'fr-input-group' },
      h('label', { class: 'fr-label', for: 'preview-filter' }, t('catalogue.preview.filter'),
        h('span', { class: 'fr-hint-text' }, t('catalogue.preview.filterHint'))),
      filter),
    status, table, more);

  async function load(url) {
    more.disabled = true;
    try {
      const page = await api(url);
      state.fields = page.fields.filter((f) => f.type !== 'geometry');
      state.records.push(...page.records);
      state.matched = page.numberMatched;
      state.next = page.next;
      draw();
    } catch (error) {
      replace(table, alertBox('error', t('common.error'), error.message));
    } finally {
      more.disabled = false;
    }
  }

  function rows() {
    let list = state.records;
    if (state.filter) {
      list = list.filter((r) => state.fields.some((f) => display(r[f.name]).toLowerCase().includes(state.filter)));
    }
    if (state.sortBy) {
      const field = state.fields.find((f) => f.name === state.sortBy);
      const numeric = field && ['integer', 'number'].includes(field.type);
      const collator = new Intl.Collator(locale(), { numeric: true, sensitivity: 'base' });
      list = [...list].sort((a, b) => {
        const x = a[state.sortBy];
        const y = b[state.sortBy];
        if (x == null || y == null) return x == null ? (y == null ? 0 : 1) : -1;
        const c = numeric ? x - y : collator.compare(String(x), String(y));
        return state.descending ? -c : c;
      });
    }
    return list;
  }

  function draw() {
    const shown = rows();
    replace(status, t('catalogue.preview.status', { shown: shown.length, loaded: state.records.length, total: state.matched }));
    more.hidden = !state.next;
    replace(table, dataTable({ caption: t('catalogue.dataset.preview'), hideCaption: true, className: 'fr-table--bordered sr-preview',
          head: state.fields.map((f) => {
            const sorted = state.sortBy === f.name;
            return h('th', { scope: 'col', 'aria-sort': sorted ? (state.descending ? 'descending' : 'ascending') : 'none' },
              h('button', { type: 'button', class: 'sr-sort', dataset: { field: f.name },
                title: t('catalogue.preview.sortBy', { field: f.name }),
                onclick: () => { state.descending = sorted ? !state.descending : false; state.sortBy = f.name; draw(); } },
              f.name, h('span', { 'aria-hidden': 'true' }, sorted ? (state.descending ? ' ▼' : ' ▲') : ' ↕')));
          }),
          rows: shown.map((r) => h('tr', {}, state.fields.map((f) =>
            h('td', { class: ['integer', 'number'].includes(f.type) ? 'sr-num' : null }, display(r[f.name], f.type))))) }));
  }

  load(`/api/v1/datasets/${encodeURIComponent(d.id)}/records?limit=${PAGE}`);
}

function display(value, type) {
  if (value === null || value === undefined) return '';
  if ((type === 'number' || type === 'integer') && typeof value === 'number') return formatNumber(value, { maximumFractionDigits: 6 });
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}
