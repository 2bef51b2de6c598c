// A commune's roofs by suitability class: a bar chart (Chart.js, from the vendored UMD build) of the buildings and of
// the roof area in each class, and the same numbers as a table for screen readers and for copying.
import '/vendor/chart.js/chart.umd.min.js';
import { h } from '../common/dom.js';
import { t, formatNumber, locale } from '../common/i18n.js';
import { PALETTE } from './choropleth.js';
import { dsfrTable } from './dsfr-table.js';

const percent = (v) => (v === null || v === undefined ? '—' : formatNumber(v, { style: 'percent', minimumFractionDigits: 1, maximumFractionDigits: 1 }));

/** The class's range in kWh/m²/yr from the bands (class k: bands[k-2] ≤ x < bands[k-1]). */
function range(k, bands) {
  if (!bands) return '';
  if (k === 1) return t('dashboard.commune.classes.below', { v: formatNumber(bands[0]) });
  if (k > bands.length) return t('dashboard.commune.classes.above', { v: formatNumber(bands[bands.length - 1]) });
  return t('dashboard.commune.classes.between', { low: formatNumber(bands[k - 2]), high: formatNumber(bands[k - 1]) });
}

/** The same range, short, for the chart's axis (its unit is in the axis title). */
function shortRange(k, bands) {
  if (k === 1) return `< ${formatNumber(bands[0])}`;
  if (k > bands.length) return `≥ ${formatNumber(bands[bands.length - 1])}`;
  return `${formatNumber(bands[k - 2])}–${formatNumber(bands[k - 1])}`;
}

export function classChart(area, bands) {
  const classes = area.suitability;
  const labels = classes.map((c) => `${t('dashboard.commune.classes.class', { k: c.class })}${bands ? ` (${range(c.class, bands)})` : ''}`);
  const canvas = h('canvas', { id: 'classes-chart', role: 'img', 'aria-label': t('dashboard.commune.classes.chartLabel') });
  const figure = h('figure', { class: 'sr-chart fr-m-0' }, h('div', { class: 'sr-chart__canvas' }, canvas));
  // Chart.js needs the canvas in the document to measure it: drawn on the next frame.
  requestAnimationFrame(() => new globalThis.Chart(canvas, {
    type: 'bar',
    data: {
      // Two lines per class (its name, its range), so the labels stay horizontal and readable.
      labels: classes.map((c) => (bands ? [t('dashboard.commune.classes.class', { k: c.class }), shortRange(c.class, bands)] : t('dashboard.commune.classes.class', { k: c.class }))),
      datasets: [
        { label: t('dashboard.commune.classes.buildingsShare'), data: classes.map((c) => (c.buildingsShare ?? 0) * 100), backgroundColor: '#000091' },
        { label: t('dashboard.commune.classes.areaShare'), data: classes.map((c) => (c.roofAreaShare ?? 0) * 100), backgroundColor: PALETTE[2] },
      ],
    },
    options: {
      locale: locale(),
      animation: false,
      responsive: true,
      maintainAspectRatio: false,
      scales: { x: { ticks: { maxRotation: 0, autoSkip: false }, title: { display: Boolean(bands), text: t('dashboard.commune.classes.axis') } }, y: { beginAtZero: true, title: { display: true, text: '%' } } },
      plugins: { legend: { position: 'bottom' } },
    },
  }));
  const table = dsfrTable({
    id: 'classes-table',
    caption: t('dashboard.commune.classes.caption'),
    head: h('tr', {},
      h('th', { scope: 'col' }, t('dashboard.commune.classes.classHeader')),
      h('th', { scope: 'col', class: 'sr-num' }, t('dashboard.commune.classes.buildings')),
      h('th', { scope: 'col', class: 'sr-num' }, t('dashboard.commune.classes.buildingsShare')),
      h('th', { scope: 'col', class: 'sr-num' }, t('dashboard.commune.classes.area')),
      h('th', { scope: 'col', class: 'sr-num' }, t('dashboard.commune.classes.areaShare'))),
    rows: classes.map((c, i) => h('tr', { 'data-class': c.class },
      h('th', { scope: 'row' }, labels[i]),
      h('td', { class: 'sr-num' }, formatNumber(c.buildings)),
      h('td', { class: 'sr-num' }, percent(c.buildingsShare)),
      h('td', { class: 'sr-num' }, formatNumber(c.roofAreaM2, { maximumFractionDigits: 0 })),
      h('td', { class: 'sr-num' }, percent(c.roofAreaShare)))),
  });
  return h('div', {}, figure, table);
}
