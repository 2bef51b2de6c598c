// /validation: how far our rooftop results are from an independent cadastre, as the validation command stored it
// (GET /api/v1/validation). Every number on the page comes from that document.
import '/vendor/chart.js/chart.umd.min.js';
import { initPage } from '../common/chrome.js';
import { api } from '../common/api.js';
import { h, replace, $, alertBox } from '../common/dom.js';
import { t, hasKey, language, locale, formatNumber, formatDateTime } from '../common/i18n.js';
import { dsfrTable } from '../dashboard/dsfr-table.js';

const pct = (v, signed = false) => (v === null || v === undefined ? '—'
  : formatNumber(v, { style: 'percent', minimumFractionDigits: 1, maximumFractionDigits: 1, signDisplay: signed ? 'exceptZero' : 'auto' }));
const kwh = (v) => (v === null || v === undefined ? '—' : formatNumber(v, { maximumFractionDigits: 0 }));

/** Histogram bin width of the differences (a fraction: 2 %). */
export const BIN = 0.02;

await initPage({ page: 'validation', title: 'validation.title' });
const root = $('#validation');
try {
  render(await api('/api/v1/validation'));
} catch (error) {
  replace(root, alertBox(error.status === 404 ? 'info' : 'error', t('validation.missing'), error.message));
} finally {
  root.setAttribute('aria-busy', 'false');
}

function render(v) {
  const head = v.headline;
  const lang = language();
  replace(root,
    h('p', { class: 'fr-text--lead' }, t('validation.lead', { reference: v.reference.name, area: v.area.name })),
    h('p', { class: 'fr-text--sm', id: 'validation-run' }, t('validation.run', {
      date: formatDateTime(v.generatedAt), run: String(v.run.runId ?? '—'), model: v.run.modelVersion ?? '—', command: v.command,
    }), ' ', h('a', { class: 'fr-link fr-link--sm', href: '/api/v1/validation' }, t('validation.raw'))),
    h('ul', { class: 'sr-headline', id: 'headline' },
      tile('roofs', formatNumber(head.n), t('validation.headline.roofs', { matched: v.buildings.matchedRoofs, total: v.reference.roofs })),
      tile('median', pct(head.medianAbsDiff), t('validation.headline.median')),
      tile('p90', pct(head.p90AbsDiff), t('validation.headline.p90')),
      tile('bias', pct(head.bias, true), t('validation.headline.bias'))),
    h('p', {}, t('validation.headline.explain')),
    section('scatter', t('validation.scatter.title'), scatter(v)),
    section('histogram', t('validation.histogram.title'), histogram(v)),
    section('metrics', t('validation.metrics.title'), metricsTable(v)),
    section('outliers', t('validation.outliers.title'), h('p', {}, t('validation.outliers.explain')), outliersTable(v, lang)),
    section('method', t('validation.method.title'), h('ul', { id: 'method-list' }, (v.method[lang] ?? v.method.fr).map((m) => h('li', {}, m)))),
    section('limits', t('validation.limits.title'), h('ul', { id: 'limits-list' }, (v.limits[lang] ?? v.limits.fr).map((m) => h('li', {}, m)))));
}

function tile(id, value, label) {
  return h('li', { class: 'sr-figure', 'data-figure': id }, h('p', { class: 'sr-figure__value' }, value), h('p', { class: 'sr-figure__label' }, label));
}

function section(id, title, ...content) {
  return h('section', { class: 'fr-mt-5w', id: `section-${id}`, 'aria-labelledby': `${id}-title` },
    h('h2', { class: 'fr-h4', id: `${id}-title` }, title), ...content);
}

/** A chart whose canvas is drawn once it is in the document, with its numbers in a table below it. */
function chart(id, config, label, table, square = false) {
  const canvas = h('canvas', { id, role: 'img', 'aria-label': label });
  requestAnimationFrame(() => new globalThis.Chart(canvas, config));
  return h('figure', { class: `sr-chart${square ? ' sr-chart--square' : ''} fr-m-0` },
    h('div', { class: 'sr-chart__canvas' }, canvas),
    h('details', { class: 'fr-mt-1w' }, h('summary', {}, t('validation.showData')), table));
}

function scatter(v) {
  const pairs = v.pairs.filter((p) => p.oursKwhPerM2 !== null && p.referenceKwhPerM2 !== null);
  const values = pairs.flatMap((p) => [p.oursKwhPerM2, p.referenceKwhPerM2]);
  const [low, high] = [Math.floor(Math.min(...values) / 50) * 50, Math.ceil(Math.max(...values) / 50) * 50];
  const config = {
    type: 'scatter',
    data: {
      datasets: [
        { label: t('validation.scatter.roofs', { n: pairs.length }), data: pairs.map((p) => ({ x: p.referenceKwhPerM2, y: p.oursKwhPerM2 })),
          backgroundColor: 'rgba(0, 0, 145, .55)', pointRadius: 3 },
        { label: t('validation.scatter.identity'), type: 'line', data: [{ x: low, y: low }, { x: high, y: high }],
          borderColor: '#c9191e', borderDash: [6, 4], pointRadius: 0, borderWidth: 1.5 },
      ],
    },
    options: {
      locale: locale(), animation: false, maintainAspectRatio: false,
      scales: {
        x: { min: low, max: high, title: { display: true, text: t('validation.scatter.x', { reference: v.reference.attribution }) } },
        y: { min: low, max: high, title: { display: true, text: t('validation.scatter.y') } },
      },
      plugins: { legend: { position: 'bottom' } },
    },
  };
  const table = dataTable(t('validation.scatter.caption'), [t('validation.outliers.id'), t('validation.scatter.reference'), t('validation.scatter.ours'), t('validation.outliers.diff')],
    pairs.map((p) => [p.id, kwh(p.referenceKwhPerM2), kwh(p.oursKwhPerM2), pct(p.diff, true)]));
  return chart('scatter-chart', config, t('validation.scatter.label', { n: pairs.length }), table, true);
}

/** Counts of the differences in bins of BIN, from the lowest to the highest difference. */
export function bins(diffs) {
  const first = Math.floor(Math.min(...diffs) / BIN);
  const last = Math.floor(Math.max(...diffs) / BIN);
  const counts = Array.from({ length: last - first + 1 }, (_, i) => ({ low: (first + i) * BIN, high: (first + i + 1) * BIN, count: 0 }));
  for (const d of diffs) counts[Math.floor(d / BIN) - first].count++;
  return counts;
}

function histogram(v) {
  const diffs = v.pairs.map((p) => p.diff).filter((d) => d !== null && d !== undefined);
  const counts = bins(diffs);
  const labels = counts.map((b) => t('validation.histogram.bin', { low: pct(b.low, true), high: pct(b.high, true) }));
  const config = {
    type: 'bar',
    // The axis names each bin by its lower edge (short, horizontal); the tooltip and the table give the whole range.
    data: { labels: counts.map((b) => formatNumber(b.low, { style: 'percent', maximumFractionDigits: 0, signDisplay: 'exceptZero' })), datasets: [{ label: t('validation.histogram.roofs'), data: counts.map((b) => b.count),
      backgroundColor: counts.map((b) => (b.high <= 0 ? '#f39237' : '#6a6af4')), barPercentage: 1, categoryPercentage: 1 }] },
    options: {
      locale: locale(), animation: false, maintainAspectRatio: false,
      scales: { x: { ticks: { maxRotation: 0 }, title: { display: true, text: t('validation.histogram.x') } }, y: { beginAtZero: true, title: { display: true, text: t('validation.histogram.y') } } },
      plugins: { legend: { display: false }, tooltip: { callbacks: { title: (items) => labels[items[0].dataIndex] } } },
    },
  };
  const table = dataTable(t('validation.histogram.caption'), [t('validation.histogram.range'), t('validation.histogram.roofs')],
    counts.map((b, i) => [labels[i], formatNumber(b.count)]));
  return chart('histogram-chart', config, t('validation.histogram.label', { n: diffs.length }), table);
}

function metricLabel(m) {
  const quantity = `validation.metric.quantity.${m.quantity}`;
  const group = m.group ? `validation.metric.group.${m.group}` : null;
  const base = hasKey(quantity) ? t(quantity) : m.label;
  return group && hasKey(group) ? `${base} — ${t(group)}` : base;
}

function metricsTable(v) {
  return dataTable(t('validation.metrics.caption'),
    [t('validation.metrics.comparison'), t('validation.metrics.n'), t('validation.metrics.median'), t('validation.metrics.p90'), t('validation.metrics.bias')],
    v.metrics.map((m) => [metricLabel(m), formatNumber(m.n), pct(m.medianAbsDiff), pct(m.p90AbsDiff), pct(m.bias, true)]), 'metrics-table');
}

function outliersTable(v, lang) {
  return dataTable(t('validation.outliers.caption'),
    [t('validation.outliers.id'), t('validation.outliers.form'), t('validation.scatter.reference'), t('validation.scatter.ours'),
      t('validation.outliers.diff'), t('validation.outliers.shading'), t('validation.outliers.reason')],
    v.outliers.map((o) => [o.id, o.forme, kwh(o.referenceKwhPerM2), kwh(o.oursKwhPerM2), pct(o.diff, true), pct(o.shadingLoss), o.reason[lang] ?? o.reason.fr]),
    'outliers-table', (i) => i >= 2 && i <= 5);
}

/** A DSFR table; its caption is for screen readers (the section's heading shows it). Numbers are right-aligned. */
function dataTable(caption, headers, rows, id = null, numeric = (i) => i > 0) {
  return dsfrTable({
    id,
    caption,
    head: h('tr', {}, headers.map((x, i) => h('th', { scope: 'col', class: numeric(i) ? 'sr-num' : null }, x))),
    rows: rows.map((r) => h('tr', {}, r.map((cell, i) => h(i === 0 ? 'th' : 'td', { scope: i === 0 ? 'row' : null, class: numeric(i) ? 'sr-num' : null }, cell)))),
  });
}
