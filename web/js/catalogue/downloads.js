// Downloads with their exact sizes, a ready-to-copy curl command, and the standard API and metadata links.
import { api } from '../common/api.js';
import { h, replace, alertBox, copyText } from '../common/dom.js';
import { t, formatBytes } from '../common/i18n.js';

const LABELS = { csv: 'CSV', geojson: 'GeoJSON', parquet: 'GeoParquet' };

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
    h('ul', { id: 'api-links' },
      h('li', {}, h('a', { class: 'fr-link', href: `/api/v1/datasets/${d.id}/records?limit=10` }, t('catalogue.downloads.records'))),
      h('li', {}, h('a', { class: 'fr-link', href: `/api/v1/datasets/${d.id}/dcat.jsonld` }, t('catalogue.downloads.dcatJsonld'))),
      h('li', {}, h('a', { class: 'fr-link', href: `/api/v1/datasets/${d.id}/dcat.ttl` }, t('catalogue.downloads.dcatTurtle'))),
      h('li', {}, h('a', { class: 'fr-link', href: '/openapi/v1.json' }, t('catalogue.downloads.openapi')))));

  api(`/api/v1/datasets/${encodeURIComponent(d.id)}/exports`).then((exports) => {
    replace(list, exports.items.map((e) => h('li', {},
      h('a', { class: 'fr-btn fr-btn--secondary fr-icon-download-line fr-btn--icon-left', href: e.url, download: `${d.id}-v${exports.version}.${e.format}`,
        dataset: { format: e.format }, type: e.mediaType.split(';')[0] },
      t('catalogue.downloads.button', { format: LABELS[e.format] ?? e.format, size: formatBytes(e.bytes) })))));
  }).catch((error) => replace(list, h('li', {}, alertBox('error', t('common.error'), error.message))));
}
