// The communes' table: DSFR table whose column headers sort it (aria-sort says how), one row per commune.
import { h, replace } from '../common/dom.js';
import { t, locale } from '../common/i18n.js';
import { dsfrTable } from './dsfr-table.js';

/**
 * columns: [{ key, label, value(row) → number|string|null, cell(row) → node|string, numeric }].
 * Returns { element, sortBy(key, direction), sorted() }; onSort(key, direction) is called when the user sorts.
 */
export function sortableTable({ id, caption, columns, rows, sort, onSort }) {
  let state = { ...sort };
  const body = h('tbody');
  const headers = columns.map((c) => {
    const button = h('button', { type: 'button', class: 'sr-sort', 'data-sort': c.key, onclick: () => {
      const direction = state.key === c.key && state.direction === 'descending' ? 'ascending' : 'descending';
      sortBy(c.key, direction);
      onSort?.(c.key, direction);
    } }, c.label, h('span', { class: 'sr-sort__icon', 'aria-hidden': 'true' }));
    return h('th', { scope: 'col', 'data-key': c.key, class: c.numeric ? 'sr-num' : null }, button);
  });
  const collator = new Intl.Collator(locale(), { numeric: true, sensitivity: 'base' });

  function sorted() {
    const column = columns.find((c) => c.key === state.key) ?? columns[0];
    const sign = state.direction === 'ascending' ? 1 : -1;
    return [...rows].sort((a, b) => {
      const [x, y] = [column.value(a), column.value(b)];
      if (x === null || x === undefined) return y === null || y === undefined ? 0 : 1; // no value: last, either way
      if (y === null || y === undefined) return -1;
      return sign * (typeof x === 'number' && typeof y === 'number' ? x - y : collator.compare(String(x), String(y)));
    });
  }

  function render() {
    for (const th of headers) {
      const active = th.dataset.key === state.key;
      if (active) th.setAttribute('aria-sort', state.direction); else th.removeAttribute('aria-sort');
      th.querySelector('.sr-sort__icon').textContent = active ? (state.direction === 'ascending' ? ' ▲' : ' ▼') : '';
    }
    replace(body, sorted().map((row) => h('tr', { 'data-code': row.code },
      columns.map((c, i) => h(i === 0 ? 'th' : 'td', {
        scope: i === 0 ? 'row' : null, class: c.numeric ? 'sr-num' : null, 'data-key': c.key, 'data-value': c.numeric ? c.value(row) : null,
      }, c.cell(row))))));
  }

  function sortBy(key, direction) {
    state = { key, direction };
    render();
  }

  render();
  const element = h('div', {},
    dsfrTable({ id, caption, head: h('tr', {}, headers), tbody: body, small: true }),
    h('p', { class: 'fr-text--xs sr-muted fr-mt-1w' }, t('dashboard.table.sortHint')));
  return { element, sortBy, sorted };
}
