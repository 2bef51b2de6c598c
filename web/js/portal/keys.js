// /portail/cles: API keys — create one (its secret is shown once, with a copy button), list them with prefix, scopes,
// expiry and last use, revoke.
import { api } from '../common/api.js';
import { h, replace, alertBox, copyText, dataTable } from '../common/dom.js';
import { t, formatDate, formatDateTime } from '../common/i18n.js';
import { startPortalPage, accountBar, portalLinks } from './shell.js';

const SCOPES = ['read', 'publish', 'admin'];

async function main() {
  const context = await startPortalPage('portal.keys.title');
  if (!context) return;
  const { root, org, me } = context;
  const list = h('div', { id: 'keys-list' });
  const created = h('div', { id: 'key-created', 'aria-live': 'polite' });
  const message = h('div', { id: 'keys-message', 'aria-live': 'polite' });
  const name = h('input', { class: 'fr-input', id: 'key-name', maxlength: '101', required: true });
  const expires = h('input', { class: 'fr-input', type: 'date', id: 'key-expires', value: new Date(Date.now() + 90 * 864e5).toISOString().slice(0, 10) });
  const formError = h('div', { id: 'key-error', 'aria-live': 'assertive' });
  const scopes = SCOPES.filter((s) => me.scopes.includes(s));
  const form = h('form', { id: 'key-form', novalidate: true, onsubmit: async (event) => {
    event.preventDefault();
    replace(formError);
    const chosen = scopes.filter((s) => document.getElementById(`key-scope-${s}`).checked);
    const fail = (text, control) => { replace(formError, h('p', { class: 'fr-message fr-message--error' }, text)); control?.focus(); };
    if (!name.value.trim()) return fail(t('portal.keys.errors.name'), name);
    if (name.value.length > 100) return fail(t('portal.keys.errors.nameTooLong'), name);
    if (chosen.length === 0) return fail(t('portal.keys.errors.scopes'), document.getElementById(`key-scope-${scopes[0]}`));
    if (expires.value && new Date(`${expires.value}T23:59:59`) <= new Date()) return fail(t('portal.keys.errors.expiry'), expires);
    const submit = form.querySelector('button[type=submit]');
    submit.disabled = true;
    try {
      const answer = await api('/api/v1/keys', { method: 'POST', body: {
        name: name.value.trim(), organisation: org, scopes: chosen, expiresAt: expires.value ? `${expires.value}T23:59:59Z` : null } });
      const copied = h('p', { class: 'fr-message fr-message--valid sr-copied', role: 'status' });
      replace(created, h('div', { class: 'fr-alert fr-alert--success fr-mb-3w', id: 'new-key' },
        h('h3', { class: 'fr-alert__title' }, t('portal.keys.createdTitle', { name: answer.info.name })),
        h('p', {}, t('portal.keys.shownOnce')),
        h('pre', { class: 'sr-code' }, h('code', { id: 'new-key-secret' }, answer.key)),
        h('button', { type: 'button', class: 'fr-btn fr-btn--sm fr-icon-clipboard-line fr-btn--icon-left', id: 'copy-key',
          onclick: async () => { copied.textContent = (await copyText(answer.key)) ? t('portal.keys.copied') : t('catalogue.downloads.copyFailed'); } },
        t('portal.keys.copy')),
        copied));
      form.reset();
      await refresh();
      document.getElementById('new-key')?.scrollIntoView();
    } catch (error) {
      fail(error.message, name);
    } finally {
      submit.disabled = false;
    }
  } },
  h('div', { class: 'fr-input-group' }, h('label', { class: 'fr-label', for: 'key-name' }, t('portal.keys.name'),
    h('span', { class: 'fr-hint-text' }, t('portal.keys.nameHint'))), name),
  h('fieldset', { class: 'fr-fieldset', 'aria-labelledby': 'key-scopes-legend' },
    h('legend', { class: 'fr-fieldset__legend fr-text--regular', id: 'key-scopes-legend' }, t('portal.keys.scopes')),
    scopes.map((s) => h('div', { class: 'fr-fieldset__element' }, h('div', { class: 'fr-checkbox-group' },
      h('input', { type: 'checkbox', id: `key-scope-${s}`, value: s, checked: s === 'read' }),
      h('label', { class: 'fr-label', for: `key-scope-${s}` }, t(`portal.scopes.${s}`), h('span', { class: 'fr-hint-text' }, t(`portal.scopes.${s}Hint`))))))),
  h('div', { class: 'fr-input-group' }, h('label', { class: 'fr-label', for: 'key-expires' }, t('portal.keys.expires'),
    h('span', { class: 'fr-hint-text' }, t('portal.keys.expiresHint'))), expires),
  formError,
  h('button', { type: 'submit', class: 'fr-btn', id: 'key-submit' }, t('portal.keys.create')));

  replace(root, h('h1', {}, t('portal.keys.title')), accountBar(context), portalLinks(context, 'keys'),
    h('p', {}, t('portal.keys.lead')), created, h('h2', {}, t('portal.keys.new')), form,
    h('h2', { class: 'fr-mt-6w' }, t('portal.keys.list')), message, list);
  root.setAttribute('aria-busy', 'false');

  async function refresh() {
    const keys = await api('/api/v1/keys');
    if (keys.length === 0) { replace(list, h('p', { class: 'sr-muted' }, t('portal.keys.none'))); return; }
    replace(list, dataTable({ id: 'keys-table', caption: t('portal.keys.list'), hideCaption: true,
        head: ['name', 'prefix', 'owner', 'scopes', 'expires', 'lastUsed', 'state', 'actions'].map((c) => t(`portal.keys.col.${c}`)),
        rows: keys.map((k) => h('tr', { dataset: { key: k.id } },
          h('td', {}, k.name), h('td', {}, h('code', {}, k.prefix)), h('td', {}, k.user),
          h('td', {}, k.scopes.map((s) => t(`portal.scopes.${s}`)).join(', ')),
          h('td', {}, k.expiresAt ? formatDate(k.expiresAt) : t('portal.keys.never')),
          h('td', {}, k.lastUsedAt ? formatDateTime(k.lastUsedAt) : t('portal.keys.neverUsed')),
          h('td', {}, h('p', { class: `fr-badge fr-badge--sm ${k.active ? 'fr-badge--success' : ''}` }, t(k.active ? 'portal.keys.active' : k.revokedAt ? 'portal.keys.revoked' : 'portal.keys.expired'))),
          // The button says "Revoke"; its accessible name says which key (the name is in the row already).
          h('td', {}, k.active ? h('button', { type: 'button', class: 'fr-btn fr-btn--sm fr-btn--tertiary', dataset: { revoke: k.id },
            'aria-label': t('portal.keys.revoke', { name: k.name }),
            onclick: async (e) => {
              e.currentTarget.disabled = true;
              try { await api(`/api/v1/keys/${k.id}`, { method: 'DELETE' }); replace(message, alertBox('success', null, t('portal.keys.revokedDone', { name: k.name }))); }
              catch (err) { replace(message, alertBox('error', t('common.error'), err.message)); }
              await refresh();
            } }, t('portal.keys.revokeShort')) : null))) }));
  }
  await refresh();
}

main();
