// The DCAT-AP metadata of a dataset as a two-column table (property, value), with the controlled vocabularies' URIs.
import { h, dataTable } from '../common/dom.js';
import { t, formatDate, formatNumber } from '../common/i18n.js';
import { licenceLabel, themeLabel, formatLabel, visibilityLabel } from './labels.js';

const link = (href, text) => h('a', { href, rel: 'noopener' }, text ?? href);
const list = (items) => (items.length === 0 ? '—' : h('ul', { class: 'sr-inline-list' }, items.map((i) => h('li', {}, i))));

export function metadataTable(d) {
  const rows = [
    ['dct:identifier', 'id', h('code', {}, d.id)],
    ['dct:title', 'title', d.title],
    ['dct:publisher', 'publisher', d.publisher.name],
    ['dcat:contactPoint', 'contact', d.contact ? [d.contact.name, d.contact.email ? [' — ', link(`mailto:${d.contact.email}`, d.contact.email)] : null] : '—'],
    ['dct:license', 'licence', link(d.licence.uri, licenceLabel(d.licence.id))],
    ['dcat:theme', 'themes', list(d.themes.map((th) => link(th.uri, themeLabel(th.code))))],
    ['dcat:keyword', 'keywords', list(d.keywords)],
    ['dct:spatial', 'spatial', d.spatial.communes.length ? t('catalogue.meta.communes', { codes: d.spatial.communes.join(', ') }) : '—'],
    ['dct:temporal', 'temporal', d.temporal.start || d.temporal.end ? `${formatDate(d.temporal.start)} → ${formatDate(d.temporal.end)}` : '—'],
    ['dct:accrualPeriodicity', 'frequency', d.updateFrequency ? link(d.updateFrequency.uri, t(`catalogue.frequencies.${d.updateFrequency.code}`)) : '—'],
    ['dcat:landingPage', 'landingPage', d.landingPage ? link(d.landingPage) : '—'],
    ['dct:issued', 'created', formatDate(d.created)],
    ['dct:modified', 'modified', formatDate(d.modified)],
    ['dcat:version', 'version', d.currentVersion ?? '—'],
    ['dct:format', 'format', d.format ? formatLabel(d.format) : '—'],
    ['—', 'rows', d.rowCount != null ? formatNumber(d.rowCount) : '—'],
    ['—', 'visibility', visibilityLabel(d.visibility)],
  ];
  if (d.spatial.bboxWgs84) {
    rows.splice(8, 0, ['dcat:bbox', 'bbox', d.spatial.bboxWgs84.map((v) => formatNumber(v, { maximumFractionDigits: 5 })).join(' ; ')]);
  }
  return dataTable({ wrapperId: 'metadata-table', caption: t('catalogue.dataset.metadata'), hideCaption: true,
    head: [t('catalogue.meta.property'), t('catalogue.meta.value'), t('catalogue.meta.dcat')],
    rows: rows.map(([dcat, key, value]) => h('tr', {},
      h('th', { scope: 'row' }, t(`catalogue.meta.${key}`)), h('td', {}, value), h('td', {}, h('code', {}, dcat)))) });
}
