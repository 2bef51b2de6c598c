// /portail/nouveau: create a dataset (metadata with the controlled vocabularies); then its page, to upload a file.
import { api } from '../common/api.js';
import { h, replace, alertBox } from '../common/dom.js';
import { t } from '../common/i18n.js';
import { startPortalPage, accountBar, portalLinks } from './shell.js';
import { metadataForm } from './metadata-form.js';

async function main() {
  const context = await startPortalPage('portal.new.title');
  if (!context) return;
  const { root, org, orgName, role } = context;
  if (!org || !(role === 'admin' || role === 'editor')) {
    replace(root, h('h1', {}, t('portal.new.title')), accountBar(context), alertBox('error', t('portal.new.notAllowedTitle'), t('portal.new.notAllowed')));
    root.setAttribute('aria-busy', 'false');
    return;
  }
  const vocabularies = await api('/api/v1/vocabularies');
  const { form } = metadataForm({
    mode: 'create', vocabularies, canChangeVisibility: role === 'admin',
    onSubmit: async (body) => {
      const created = await api('/api/v1/datasets', { method: 'POST', body: { ...body, publisher: org } });
      location.href = `/portail/jeux-de-donnees/${encodeURIComponent(created.id)}?org=${encodeURIComponent(org)}&created=1`;
    },
  });
  replace(root, h('h1', {}, t('portal.new.title')), accountBar(context), portalLinks(context, 'new'),
    h('p', {}, t('portal.new.lead', { org: orgName })), form);
  root.setAttribute('aria-busy', 'false');
}

main();
