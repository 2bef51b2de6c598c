// /portail: sign in; then "my organisation": its datasets with their status, and the partner space's actions.
import { api } from '../common/api.js';
import { h, replace, alertBox, dataTable } from '../common/dom.js';
import { t, formatDate, formatNumber } from '../common/i18n.js';
import { startPortalPage, accountBar, portalLinks, datasetStatus } from './shell.js';

const STATUS_BADGE = { draft: 'fr-badge--info', published: 'fr-badge--success', restricted: 'fr-badge--warning', private: 'fr-badge--purple-glycine' };

async function main() {
  const context = await startPortalPage('portal.home.title');
  if (!context) return;
  const { root, org, orgName, role } = context;
  if (!org) {
    replace(root, h('h1', {}, t('portal.home.title')), accountBar(context), alertBox('info', t('portal.home.noOrgTitle'), t('portal.home.noOrg')));
    root.setAttribute('aria-busy', 'false');
    return;
  }
  const list = h('div', { id: 'my-datasets' }, h('p', {}, t('common.loading')));
  replace(root,
    h('h1', {}, t('portal.home.title')),
    accountBar(context),
    h('h2', { id: 'org-name' }, orgName),
    h('p', {}, t('portal.home.role', { role: t(`portal.roles.${role}`) })),
    portalLinks(context, 'home'),
    h('h3', {}, t('portal.home.datasets')),
    list);
  root.setAttribute('aria-busy', 'false');
  try {
    const found = await api(`/api/v1/datasets?publisher=${encodeURIComponent(org)}&sort=modified&pageSize=100`);
    if (found.items.length === 0) { replace(list, h('p', { class: 'sr-muted' }, t('portal.home.empty'))); return; }
    replace(list, dataTable({ id: 'datasets-table', caption: t('portal.home.datasetsCaption', { org: orgName }), hideCaption: true,
        head: ['title', 'status', 'version', 'rows', 'modified'].map((c) => t(`portal.home.col.${c}`)),
        rows: found.items.map((d) => {
          const status = datasetStatus(d);
          return h('tr', { dataset: { dataset: d.id } },
            h('td', {}, h('a', { href: `/portail/jeux-de-donnees/${encodeURIComponent(d.id)}?org=${encodeURIComponent(org)}` }, d.title || d.id)),
            h('td', {}, h('p', { class: `fr-badge fr-badge--sm ${STATUS_BADGE[status]}` }, t(`portal.datasetStatus.${status}`))),
            h('td', {}, d.currentVersion ?? '—'),
            h('td', { class: 'sr-num' }, d.rowCount != null ? formatNumber(d.rowCount) : '—'),
            h('td', {}, formatDate(d.modified)));
        }) }));
  } catch (error) {
    replace(list, alertBox('error', t('common.error'), error.message));
  }
}

main();
