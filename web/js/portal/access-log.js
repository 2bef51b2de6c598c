// Who used a dataset: calls per day by organisation (a Chart.js stacked bar chart, with the same figures as a table
// for screen readers) and the latest calls.
import '/vendor/chart.js/chart.umd.min.js';
import { api } from '../common/api.js';
import { h, replace, alertBox, dataTable } from '../common/dom.js';
import { t, formatDate, formatDateTime, formatNumber, locale } from '../common/i18n.js';

const COLOURS = ['#000091', '#e1000f', '#18753c', '#b34000', '#6a6af4', '#009081', '#a558a0', '#716043'];

export async function accessLogPanel(panel, dataset, names) {
  const base = `/api/v1/datasets/${encodeURIComponent(dataset.id)}`;
  try {
    const [daily, log] = await Promise.all([api(`${base}/access-log/daily?days=30`), api(`${base}/access-log?limit=50`)]);
    // A call without an organisation is either anonymous or made by someone acting for none (a platform admin).
    const orgName = (slug, signedIn) => (slug ? names.get(slug)?.name ?? slug : t(signedIn ? 'portal.accessLog.noOrganisation' : 'portal.accessLog.anonymous'));
    const canvas = h('canvas', { id: 'access-chart', role: 'img', 'aria-label': t('portal.accessLog.chartLabel', { days: daily.days.length }) });
    replace(panel,
      h('h3', {}, t('portal.accessLog.perDay')),
      h('div', { class: 'sr-chart' }, canvas),
      h('details', { class: 'fr-mt-2w' }, h('summary', {}, t('portal.accessLog.asTable')),
        dataTable({ id: 'access-daily', caption: t('portal.accessLog.perDay'), hideCaption: true,
          head: [t('portal.accessLog.col.day'), ...daily.series.map((s) => orgName(s.organisation, s.signedIn))],
          rows: daily.days.map((day, i) => h('tr', {}, h('th', { scope: 'row' }, formatDate(day)),
            daily.series.map((s) => h('td', { class: 'sr-num' }, formatNumber(s.calls[i])))))})),
      h('h3', { class: 'fr-mt-4w' }, t('portal.accessLog.latest')),
      log.items.length === 0 ? h('p', { class: 'sr-muted' }, t('portal.accessLog.none')) :
        dataTable({ id: 'access-log-table', caption: t('portal.accessLog.latest'), hideCaption: true,
          head: ['at', 'org', 'who', 'endpoint', 'rows'].map((c) => t(`portal.accessLog.col.${c}`)),
          rows: log.items.map((e) => h('tr', {},
            h('td', {}, formatDateTime(e.at)), h('td', {}, orgName(e.organisation, e.user || e.apiKey)),
            h('td', {}, e.user ?? (e.apiKey ? t('portal.accessLog.key', { prefix: e.apiKey }) : '—')),
            h('td', {}, h('code', {}, e.endpoint)), h('td', { class: 'sr-num' }, e.rowsReturned != null ? formatNumber(e.rowsReturned) : '—'))) }));
    new globalThis.Chart(canvas, {
      type: 'bar',
      data: {
        labels: daily.days.map((d) => formatDate(d, { day: 'numeric', month: 'short' })),
        datasets: daily.series.map((s, i) => ({ label: orgName(s.organisation, s.signedIn), data: s.calls, backgroundColor: COLOURS[i % COLOURS.length] })),
      },
      options: {
        animation: false, responsive: true, maintainAspectRatio: false, locale: locale(),
        scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true, ticks: { precision: 0 }, title: { display: true, text: t('portal.accessLog.calls') } } },
        plugins: { legend: { position: 'bottom' } },
      },
    });
  } catch (error) {
    replace(panel, alertBox('error', t('common.error'), error.message));
  }
}
