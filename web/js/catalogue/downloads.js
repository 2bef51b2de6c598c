// Downloads with their exact sizes, a ready-to-copy curl command, and the developers' APIs over this very dataset: the
// explore API (Opendatasoft v2.1) records and exports, OGC API Features and vector tiles when it has a geometry, its
// DCAT-AP metadata, and the interactive reference.
import { api } from '../common/api.js';
import { h, replace, alertBox, copyText } from '../common/dom.js';
import { t, formatBytes } from '../common/i18n.js';

const LABELS = { csv: 'CSV', geojson: 'GeoJSON', parquet: 'GeoParquet' };
const EXPLORE = '/api/explore/v2.1/catalog/datasets';

/** The API links of dataset <d>, in groups: [group key, [[link key, href, id], …]]; the geometry's only with a geometry. */
export function apiLinks(d) {
  const id = encodeURIComponent(d.id);
  const explore = `${EXPLORE}/${id}`;
  return [
    ['explore', [
      ['exploreRecords', `${explore}/records?limit=10`, 'api-explore-records'],
      ['exploreDataset', explore, 'api-explore-dataset'],
      ...['csv', 'json', d.hasGeometry ? 'geojson' : null, 'parquet'].filter(Boolean).map((f) =>
        [`exploreExport.${f}`, `${explore}/exports/${f}`, `api-explore-export-${f}`]),
    ]],
    d.hasGeometry ? ['ogc', [
      ['ogcCollection', `/ogc/collections/${id}`, 'api-ogc-collection'],
      ['ogcItems', `/ogc/collections/${id}/items?limit=10`, 'api-ogc-items'],
    ]] : null,
    d.hasGeometry ? ['tiles', [['tilejson', `/tiles/${id}/tilejson.json`, 'api-tilejson']]] : null,
    ['metadata', [
      ['dcatJsonld', `/api/v1/datasets/${id}/dcat.jsonld`, 'api-dcat-jsonld'],
      ['dcatTurtle', `/api/v1/datasets/${id}/dcat.ttl`, 'api-dcat-turtle'],
    ]],
    ['docs', [
      ['reference', '/docs', 'api-docs'],
      ['openapi', '/openapi/v1.json', 'api-openapi'],
    ]],
  ].filter(Boolean);
}

export function downloads(body, d) {
  const list = h('ul', { class: 'fr-btns-group fr-btns-group--inline-md fr-btns-group--icon-left', id: 'download-list' },
    h('li', {}, t('common.loading')));
  const base = location.origin;
  const needsKey = d.visibility !== 'public';
  const curl = `curl -fL -o ${d.id}.csv${needsKey ? ' -H "Authorization: Apikey $SMARTREGION_API_KEY"' : ''} "${base}/api/v1/datasets/${d.id}/export.csv"`;
  const copied = h('p', { class: 'fr-message fr-message--valid sr-copied', role: 'status', 'aria-live': 'polite' });
  replace(body,
    list,
    h('h3', { class: 'fr-h5 fr-mt-4w' }, t('catalogue.downloads.curlTitle')),
    needsKey ? h('p', {}, t('catalogue.downloads.curlKey')) : null,
    h('pre', { class: 'sr-code', id: 'curl-command' }, h('code', {}, curl)),
    h('button', { type: 'button', class: 'fr-btn fr-btn--tertiary fr-btn--sm fr-icon-clipboard-line fr-btn--icon-left', id: 'copy-curl',
      onclick: async () => { copied.textContent = (await copyText(curl)) ? t('catalogue.downloads.copied') : t('catalogue.downloads.copyFailed'); } },
    t('catalogue.downloads.copy')),
    copied,
    h('h3', { class: 'fr-h5 fr-mt-4w' }, t('catalogue.downloads.apiTitle')),
    needsKey ? h('p', {}, t('catalogue.downloads.apiKey')) : null,
    h('div', { class: 'fr-grid-row fr-grid-row--gutters', id: 'api-links' }, apiLinks(d).map(([group, links]) =>
      h('div', { class: 'fr-col-12 fr-col-md-6 fr-col-lg-4', dataset: { api: group } },
        h('h4', { class: 'fr-h6 fr-mb-1w' }, t(`catalogue.downloads.api.${group}.title`)),
        h('p', { class: 'fr-text--sm sr-muted fr-mb-1w' }, t(`catalogue.downloads.api.${group}.text`)),
        h('ul', { class: 'sr-api-links' }, links.map(([key, href, linkId]) =>
          h('li', {}, h('a', { class: 'fr-link fr-link--sm', href, id: linkId }, t(`catalogue.downloads.api.${key}`))))),
        group === 'tiles' ? h('p', { class: 'fr-text--xs fr-mb-0' }, t('catalogue.downloads.api.tileTemplate'), ' ',
          h('code', { class: 'sr-break' }, `${base}/tiles/${encodeURIComponent(d.id)}/{z}/{x}/{y}.mvt`)) : null))));

  api(`/api/v1/datasets/${encodeURIComponent(d.id)}/exports`).then((exports) => {
    replace(list, exports.items.map((e) => h('li', {},
      h('a', { class: 'fr-btn fr-btn--secondary fr-icon-download-line fr-btn--icon-left', href: e.url, download: `${d.id}-v${exports.version}.${e.format}`,
        dataset: { format: e.format }, type: e.mediaType.split(';')[0] },
      t('catalogue.downloads.button', { format: (e.format === 'parquet' && !d.hasGeometry ? 'Parquet' : LABELS[e.format]) ?? e.format, size: formatBytes(e.bytes) })))));
  }).catch((error) => replace(list, h('li', {}, alertBox('error', t('common.error'), error.message))));
}
