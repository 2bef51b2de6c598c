// /catalogue/<id>: one dataset for anyone who may see it — description, preview table, map, downloads and API, DCAT-AP
// metadata, versions. A dataset the visitor may not see gets the same "not found" page as one that does not exist.
import { initPage, setTitle, showPageMessage } from '../common/chrome.js';
import { api } from '../common/api.js';
import { h, replace, safeHtml, alertBox } from '../common/dom.js';
import { t, formatDate } from '../common/i18n.js';
import { licenceLabel, visibilityLabel, themeLabel } from './labels.js';
import { metadataTable } from './metadata.js';
import { versionsTable } from './versions.js';
import { previewTable } from './preview-table.js';
import { mapPreview } from './map-preview.js';
import { downloads } from './downloads.js';

async function main() {
  await initPage({ page: 'catalogue' });
  const id = decodeURIComponent(location.pathname.split('/').filter(Boolean)[1] ?? '');
  const root = document.getElementById('dataset');
  let dataset;
  try {
    dataset = await api(`/api/v1/datasets/${encodeURIComponent(id)}`);
  } catch (error) {
    if (error.status === 404) {
      showPageMessage('common.notFound.title', 'common.notFound.text');
      return;
    }
    replace(root, alertBox('error', t('common.error'), error.status === 0 ? t('common.networkError') : error.message));
    root.setAttribute('aria-busy', 'false');
    return;
  }
  setTitle(dataset.title || dataset.id);
  const published = dataset.currentVersion != null;
  const sections = [
    ['description', 'catalogue.dataset.description', () => description(dataset)],
    published ? ['apercu', 'catalogue.dataset.preview', (body) => previewTable(body, dataset)] : null,
    published && dataset.hasGeometry ? ['carte', 'catalogue.dataset.map', (body) => mapPreview(body, dataset)] : null,
    published ? ['telechargements', 'catalogue.dataset.downloads', (body) => downloads(body, dataset)] : null,
    ['metadonnees', 'catalogue.dataset.metadata', () => metadataTable(dataset)],
    ['versions', 'catalogue.dataset.versions', (body) => versionsTable(body, dataset)],
  ].filter(Boolean);

  replace(root,
    h('nav', { role: 'navigation', class: 'fr-breadcrumb', 'aria-label': t('catalogue.dataset.breadcrumb') },
      h('ol', { class: 'fr-breadcrumb__list' },
        h('li', {}, h('a', { class: 'fr-breadcrumb__link', href: '/catalogue' }, t('common.nav.catalogue'))),
        h('li', {}, h('a', { class: 'fr-breadcrumb__link', 'aria-current': 'page' }, dataset.title || dataset.id)))),
    h('h1', {}, dataset.title || dataset.id),
    h('p', { class: 'fr-text--lead fr-mb-2w' }, t('catalogue.dataset.by', { publisher: dataset.publisher.name })),
    h('ul', { class: 'fr-badges-group fr-mb-2w' },
      h('li', {}, h('p', { class: `fr-badge ${dataset.visibility === 'public' ? 'fr-badge--success' : 'fr-badge--warning'}` }, visibilityLabel(dataset.visibility))),
      h('li', {}, h('p', { class: 'fr-badge' }, licenceLabel(dataset.licence.id))),
      dataset.themes.map((th) => h('li', {}, h('p', { class: 'fr-badge fr-badge--blue-ecume' }, themeLabel(th.code))))),
    h('p', { class: 'sr-muted' }, t('catalogue.card.modified', { date: formatDate(dataset.modified) })),
    isSolar(dataset) ? h('div', { class: 'fr-callout fr-icon-sun-line fr-mb-4w', id: 'solar-callout' },
      h('h2', { class: 'fr-callout__title' }, t('catalogue.dataset.solarTitle')),
      h('p', { class: 'fr-callout__text' }, t('catalogue.dataset.solarText')),
      h('a', { class: 'fr-btn', href: '/' }, t('catalogue.dataset.solarLink'))) : null,
    !published ? alertBox('info', t('catalogue.dataset.noVersionTitle'), t('catalogue.dataset.noVersionText')) : null,
    h('nav', { class: 'fr-summary fr-mb-4w', role: 'navigation', 'aria-labelledby': 'summary-title' },
      h('p', { class: 'fr-summary__title', id: 'summary-title' }, t('catalogue.dataset.summary')),
      h('ol', { class: 'fr-summary__list' }, sections.map(([anchor, key]) =>
        h('li', {}, h('a', { class: 'fr-summary__link', href: `#${anchor}` }, t(key)))))),
    sections.map(([anchor, key, render]) => {
      const body = h('div', { class: 'sr-section-body' });
      const content = render(body);
      if (content instanceof Node) body.append(content);
      return h('section', { id: anchor, class: 'fr-mb-6w', 'aria-labelledby': `${anchor}-title` },
        h('h2', { id: `${anchor}-title` }, t(key)), body);
    }));
  root.setAttribute('aria-busy', 'false');
  if (location.hash) document.getElementById(location.hash.slice(1))?.scrollIntoView();
}

const isSolar = (d) => d.format === 'solar-run' || d.provenance?.runId != null;

function description(d) {
  const html = d.description?.html?.trim();
  return html ? h('div', { class: 'sr-markdown' }, safeHtml(html)) : h('p', { class: 'sr-muted' }, t('catalogue.dataset.noDescription'));
}

main();
