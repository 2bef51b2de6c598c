// /portail/jeux-de-donnees/<id>: a dataset for its publisher — upload versions and read their reports, publish,
// compare, roll back; edit the metadata (with If-Match: a concurrent edit is refused, never overwritten); share it;
// see who used it.
import { api } from '../common/api.js';
import { h, replace, alertBox } from '../common/dom.js';
import { t } from '../common/i18n.js';
import { setTitle, showPageMessage } from '../common/chrome.js';
import { startPortalPage, accountBar, portalLinks, datasetStatus } from './shell.js';
import { canEdit, isAdmin } from './session.js';
import { metadataForm } from './metadata-form.js';
import { uploadPanel } from './upload.js';
import { versionsPanel } from './versions-panel.js';
import { sharingPanel } from './sharing.js';
import { accessLogPanel } from './access-log.js';

async function loadDataset(id) {
  const response = await api(`/api/v1/datasets/${encodeURIComponent(id)}`, { raw: true });
  return { dataset: await response.json(), etag: response.headers.get('ETag') };
}

async function main() {
  const context = await startPortalPage('portal.manage.title');
  if (!context) return;
  const { root, names } = context;
  const id = decodeURIComponent(location.pathname.split('/').filter(Boolean)[2] ?? '');
  let loaded;
  try {
    loaded = await loadDataset(id);
  } catch (error) {
    if (error.status === 404) { showPageMessage('common.notFound.title', 'common.notFound.text'); return; }
    replace(root, alertBox('error', t('common.error'), error.message));
    root.setAttribute('aria-busy', 'false');
    return;
  }
  let { dataset, etag } = loaded;
  const org = dataset.publisher.id;
  const editor = canEdit(org);
  const admin = isAdmin(org);
  if (dataset.access.level !== 'member' && dataset.access.level !== 'edit' && dataset.access.level !== 'admin') {
    location.replace(`/catalogue/${encodeURIComponent(dataset.id)}`);
    return;
  }
  setTitle(dataset.title);
  const status = h('span', { id: 'dataset-status', class: 'fr-badge' });
  const drawStatus = () => replace(status, t(`portal.datasetStatus.${datasetStatus(dataset)}`));
  drawStatus();

  const versionsBody = h('div', {});
  const metadataBody = h('div', {});
  const sharingBody = h('div', {});
  const logBody = h('div', {});
  const reload = async () => { ({ dataset, etag } = await loadDataset(id)); drawStatus(); };

  const upload = editor ? uploadPanel(dataset.id, async (version, file) => { await versions.refresh(version.number, file); }) : null;
  const versions = versionsPanel(versionsBody, dataset.id, {
    canEdit: editor,
    onChange: async () => { await reload(); if (admin) drawSharing(); },
    resend: (file, tableSchema) => upload.resend(file, tableSchema),
  });

  const drawMetadata = async () => {
    const vocabularies = await api('/api/v1/vocabularies');
    const saved = h('div', { id: 'metadata-saved', 'aria-live': 'polite' });
    const { form, showError } = metadataForm({
      mode: 'edit', vocabularies, dataset, canChangeVisibility: admin,
      onSubmit: async (body) => {
        replace(saved);
        try {
          const response = await api(`/api/v1/datasets/${encodeURIComponent(dataset.id)}`, {
            method: 'PATCH', body, headers: etag ? { 'If-Match': etag } : {}, raw: true });
          dataset = await response.json();
          etag = response.headers.get('ETag');
          drawStatus();
          setTitle(dataset.title);
          replace(saved, alertBox('success', null, t('portal.manage.saved')));
          if (admin) drawSharing();
        } catch (error) {
          if (error.status === 412) {
            // Someone saved in between: keep what this person typed, show what changed, let them decide.
            const fresh = await loadDataset(id);
            replace(saved, h('div', { class: 'fr-alert fr-alert--warning fr-mb-2w', role: 'alert', id: 'metadata-conflict' },
              h('h3', { class: 'fr-alert__title' }, t('portal.manage.conflictTitle')),
              h('p', {}, t('portal.manage.conflictText', { title: fresh.dataset.title })),
              h('button', { type: 'button', class: 'fr-btn fr-btn--sm fr-mt-1w', id: 'metadata-overwrite', onclick: () => {
                etag = fresh.etag;
                replace(saved, h('p', {}, t('portal.manage.conflictRetry')));
                form.requestSubmit();
              } }, t('portal.manage.conflictOverwrite')),
              h('a', { class: 'fr-btn fr-btn--sm fr-btn--secondary fr-mt-1w fr-ml-1w', href: location.pathname + location.search }, t('portal.manage.conflictReload'))));
            return;
          }
          throw error;
        }
      },
    });
    replace(metadataBody, saved, form);
    void showError;
  };

  const drawSharing = async () => {
    let fields = [];
    if (dataset.currentVersion != null) {
      const v = await api(`/api/v1/datasets/${encodeURIComponent(dataset.id)}/versions/${dataset.currentVersion}`);
      fields = (v.schema?.fields ?? []).filter((f) => f.type !== 'geometry').map((f) => f.name);
    }
    sharingPanel(sharingBody, dataset, { names, fields });
  };

  const sections = [
    ['versions', 'portal.manage.versions', versionsBody],
    ['metadonnees', 'portal.manage.metadata', metadataBody],
    admin ? ['partage', 'portal.manage.sharing', sharingBody] : null,
    ['journal', 'portal.manage.accessLog', logBody],
  ].filter(Boolean);
  replace(root,
    h('nav', { role: 'navigation', class: 'fr-breadcrumb', 'aria-label': t('catalogue.dataset.breadcrumb') },
      h('ol', { class: 'fr-breadcrumb__list' },
        h('li', {}, h('a', { class: 'fr-breadcrumb__link', href: `/portail?org=${encodeURIComponent(org)}` }, t('common.nav.portal'))),
        h('li', {}, h('a', { class: 'fr-breadcrumb__link', 'aria-current': 'page' }, dataset.title)))),
    h('h1', { id: 'dataset-title' }, dataset.title),
    accountBar({ ...context, org }),
    portalLinks({ ...context, org }, null),
    h('p', {}, status, ' ', h('a', { class: 'fr-link fr-ml-2w', href: `/catalogue/${encodeURIComponent(dataset.id)}`, id: 'public-page' }, t('portal.manage.publicPage'))),
    new URLSearchParams(location.search).get('created') ? alertBox('success', null, t('portal.manage.created')) : null,
    h('nav', { class: 'fr-summary fr-mb-4w', role: 'navigation', 'aria-labelledby': 'manage-summary' },
      h('p', { class: 'fr-summary__title', id: 'manage-summary' }, t('catalogue.dataset.summary')),
      h('ol', { class: 'fr-summary__list' }, sections.map(([anchor, key]) => h('li', {}, h('a', { class: 'fr-summary__link', href: `#${anchor}` }, t(key)))))),
    sections.map(([anchor, key, body]) => h('section', { id: anchor, class: 'fr-mb-6w', 'aria-labelledby': `${anchor}-title` },
      h('h2', { id: `${anchor}-title` }, t(key)),
      anchor === 'versions' && upload ? [h('h3', {}, t('portal.upload.title')), upload.form] : null,
      body)));
  root.setAttribute('aria-busy', 'false');
  await Promise.all([versions.refresh(), drawMetadata(), admin ? drawSharing() : null, accessLogPanel(logBody, dataset, names)]);
}

main();
