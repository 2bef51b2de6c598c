// A dataset's version history (published and superseded versions for visitors; every version for members).
import { api } from '../common/api.js';
import { h, replace, alertBox, dataTable } from '../common/dom.js';
import { t, formatDateTime, formatNumber, formatBytes } from '../common/i18n.js';
import { formatLabel } from './labels.js';

export function versionsTable(body, d) {
  body.append(h('p', {}, t('common.loading')));
  api(`/api/v1/datasets/${encodeURIComponent(d.id)}/versions`).then((versions) => {
    if (versions.length === 0) { replace(body, h('p', { class: 'sr-muted' }, t('catalogue.versions.none'))); return; }
    replace(body, dataTable({ wrapperId: 'versions-table', caption: t('catalogue.versions.caption'), hideCaption: true,
          head: ['number', 'status', 'date', 'rows', 'format', 'size', 'checksum'].map((c) => t(`catalogue.versions.${c}`)),
          rows: versions.slice().reverse().map((v) => h('tr', { dataset: { version: v.number } },
            h('td', {}, String(v.number)),
            h('td', {}, h('p', { class: `fr-badge fr-badge--sm ${v.current ? 'fr-badge--success' : ''}` },
              v.current ? t('catalogue.versions.current') : t(`portal.status.${v.status}`))),
            h('td', {}, formatDateTime(v.publishedAt ?? v.createdAt)),
            h('td', {}, v.rowCount != null ? formatNumber(v.rowCount) : '—'),
            h('td', {}, formatLabel(v.format)),
            h('td', {}, v.format === 'solar-run' ? '—' : formatBytes(v.byteCount)),
            h('td', {}, h('code', { title: v.checksumSha256 }, v.checksumSha256 ? `${v.checksumSha256.slice(0, 12)}…` : '—')))) }));
  }).catch((error) => replace(body, alertBox('error', t('common.error'), error.message)));
}
