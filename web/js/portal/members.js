// /portail/membres (org admins): the organisation's members and their roles; add a person who has an account,
// change a role, remove someone. The last admin cannot be removed or demoted. With identity providers configured,
// invite a person by e-mail (a single-use link to send them) and follow the invitations.
import { api } from '../common/api.js';
import { h, replace, alertBox, dataTable } from '../common/dom.js';
import { t, formatDateTime } from '../common/i18n.js';
import { startPortalPage, accountBar, portalLinks } from './shell.js';
import { identityProviders } from './session.js';

const ROLES = ['admin', 'editor', 'viewer'];

async function main() {
  const context = await startPortalPage('portal.members.title');
  if (!context) return;
  const { root, org, orgName, role } = context;
  if (role !== 'admin') {
    replace(root, h('h1', {}, t('portal.members.title')), accountBar(context), alertBox('error', t('portal.members.adminsOnlyTitle'), t('portal.members.adminsOnly')));
    root.setAttribute('aria-busy', 'false');
    return;
  }
  const base = `/api/v1/organisations/${encodeURIComponent(org)}/members`;
  const list = h('div', { id: 'members-list' });
  const message = h('div', { id: 'members-message', 'aria-live': 'polite' });
  const email = h('input', { class: 'fr-input', type: 'email', id: 'member-email', maxlength: '320', autocomplete: 'off' });
  const newRole = h('select', { class: 'fr-select', id: 'member-role' }, ROLES.map((r) => h('option', { value: r, selected: r === 'editor' }, t(`portal.roles.${r}`))));
  const formError = h('div', { id: 'member-error', 'aria-live': 'assertive' });
  const setRole = async (who, r) => api(`${base}/${encodeURIComponent(who)}`, { method: 'PUT', body: { role: r } });
  const form = h('form', { id: 'member-form', novalidate: true, onsubmit: async (event) => {
    event.preventDefault();
    replace(formError);
    if (!email.value.trim().includes('@')) { replace(formError, h('p', { class: 'fr-message fr-message--error' }, t('portal.members.errors.email'))); email.focus(); return; }
    try {
      await setRole(email.value.trim(), newRole.value);
      replace(message, alertBox('success', null, t('portal.members.added', { email: email.value.trim(), role: t(`portal.roles.${newRole.value}`) })));
      form.reset();
      await refresh();
    } catch (error) {
      replace(formError, h('p', { class: 'fr-message fr-message--error' }, error.message));
      email.focus();
    }
  } },
  h('div', { class: 'fr-grid-row fr-grid-row--gutters' },
    h('div', { class: 'fr-col-12 fr-col-md-6' }, h('div', { class: 'fr-input-group' }, h('label', { class: 'fr-label', for: 'member-email' }, t('portal.members.email'),
      h('span', { class: 'fr-hint-text' }, t('portal.members.emailHint'))), email)),
    h('div', { class: 'fr-col-12 fr-col-md-3' }, h('div', { class: 'fr-select-group' }, h('label', { class: 'fr-label', for: 'member-role' }, t('portal.members.role')), newRole))),
  formError,
  h('button', { type: 'submit', class: 'fr-btn fr-mt-2w', id: 'member-submit' }, t('portal.members.add')));

  const invitations = (await identityProviders()).length > 0 ? invitationSection(org, orgName) : null;
  replace(root, h('h1', {}, t('portal.members.title')), accountBar(context), portalLinks(context, 'members'),
    h('p', {}, t('portal.members.lead', { org: orgName })), message, list,
    h('h2', { class: 'fr-mt-6w' }, t('portal.members.addTitle')), form, invitations?.section);
  root.setAttribute('aria-busy', 'false');
  await invitations?.refresh();

  async function refresh() {
    const members = (await api(base)).items;
    replace(list, dataTable({ id: 'members-table', caption: t('portal.members.caption', { org: orgName }),
        head: ['name', 'email', 'role', 'actions'].map((c) => t(`portal.members.col.${c}`)),
        rows: members.map((m) => {
          const select = h('select', { class: 'fr-select', id: `role-${m.email}`, 'aria-label': t('portal.members.roleOf', { name: m.displayName }),
            onchange: async () => {
              try { await setRole(m.email, select.value); replace(message, alertBox('success', null, t('portal.members.changed', { name: m.displayName, role: t(`portal.roles.${select.value}`) }))); }
              catch (error) { replace(message, alertBox('error', t('common.error'), error.message)); }
              await refresh();
            } }, ROLES.map((r) => h('option', { value: r, selected: r === m.role }, t(`portal.roles.${r}`))));
          return h('tr', { dataset: { member: m.email } },
            h('td', {}, m.displayName), h('td', {}, m.email), h('td', {}, select),
            h('td', {}, h('button', { type: 'button', class: 'fr-btn fr-btn--sm fr-btn--tertiary', onclick: async (e) => {
              e.currentTarget.disabled = true;
              try { await api(`${base}/${encodeURIComponent(m.email)}`, { method: 'DELETE' }); replace(message, alertBox('success', null, t('portal.members.removed', { name: m.displayName }))); }
              catch (error) { replace(message, alertBox('error', t('common.error'), error.message)); }
              await refresh();
            } }, t('portal.members.remove', { name: m.displayName }))));
        }) }));
  }
  await refresh();
}

/** "Invite a person": e-mail, role and validity → the link (shown once); the organisation's invitations, pending ones revocable. */
function invitationSection(org, orgName) {
  const base = `/api/v1/organisations/${encodeURIComponent(org)}/invitations`;
  const email = h('input', { class: 'fr-input', type: 'email', id: 'invite-email', maxlength: '320', autocomplete: 'off' });
  const role = h('select', { class: 'fr-select', id: 'invite-role' }, ROLES.map((r) => h('option', { value: r, selected: r === 'editor' }, t(`portal.roles.${r}`))));
  const days = h('input', { class: 'fr-input', type: 'number', id: 'invite-days', min: '1', max: '30', step: '1' });
  days.defaultValue = '7';   // what the form's reset puts back
  const error = h('div', { id: 'invite-error', 'aria-live': 'assertive' });
  const created = h('div', { id: 'invite-created', 'aria-live': 'polite' });
  const list = h('div', { id: 'invitations-list' });
  const refresh = async () => {
    const items = (await api(base)).items;
    replace(list, items.length === 0 ? h('p', { class: 'sr-muted' }, t('portal.members.inviteNone')) : dataTable({ id: 'invitations-table',
      caption: t('portal.members.invitationsCaption', { org: orgName }),
      head: ['email', 'role', 'status', 'expires', 'usedBy', 'actions'].map((c) => t(`portal.members.inviteCol.${c}`)),
      rows: items.map((i) => h('tr', { dataset: { invitation: i.email } },
        h('td', {}, i.email), h('td', {}, t(`portal.roles.${i.role}`)), h('td', {}, t(`portal.members.inviteStatus.${i.status}`)),
        h('td', {}, formatDateTime(i.expiresAt)), h('td', {}, i.usedBy ? `${i.usedBy} (${i.usedWith})` : '—'),
        h('td', {}, i.status === 'pending' ? h('button', { type: 'button', class: 'fr-btn fr-btn--sm fr-btn--tertiary', onclick: async (e) => {
          e.currentTarget.disabled = true;
          try { await api(`${base}/${i.id}`, { method: 'DELETE' }); replace(created, alertBox('success', null, t('portal.members.inviteRevoked', { email: i.email }))); }
          catch (failure) { replace(created, alertBox('error', t('common.error'), failure.message)); }
          await refresh();
        } }, t('portal.members.inviteRevoke', { email: i.email })) : null))) }));
  };
  const form = h('form', { id: 'invite-form', novalidate: true, onsubmit: async (event) => {
    event.preventDefault();
    replace(error);
    if (!email.value.trim().includes('@')) { replace(error, h('p', { class: 'fr-message fr-message--error' }, t('portal.members.errors.email'))); email.focus(); return; }
    try {
      const answer = await api(base, { method: 'POST', body: { email: email.value.trim(), role: role.value, expiresInDays: Number(days.value) || 7 } });
      const link = h('input', { class: 'fr-input', id: 'invite-link', readonly: true, value: answer.link });
      replace(created, h('div', { class: 'fr-input-group' }, h('label', { class: 'fr-label', for: 'invite-link' }, t('portal.members.inviteLink', { email: answer.email })), link));
      form.reset();
      link.select();
      await refresh();
    } catch (failure) {
      replace(error, h('p', { class: 'fr-message fr-message--error' }, failure.message));
      email.focus();
    }
  } },
  h('div', { class: 'fr-grid-row fr-grid-row--gutters' },
    h('div', { class: 'fr-col-12 fr-col-md-6' }, h('div', { class: 'fr-input-group' }, h('label', { class: 'fr-label', for: 'invite-email' }, t('portal.members.inviteEmail')), email)),
    h('div', { class: 'fr-col-6 fr-col-md-3' }, h('div', { class: 'fr-select-group' }, h('label', { class: 'fr-label', for: 'invite-role' }, t('portal.members.role')), role)),
    h('div', { class: 'fr-col-6 fr-col-md-3' }, h('div', { class: 'fr-input-group' }, h('label', { class: 'fr-label', for: 'invite-days' }, t('portal.members.inviteDays')), days))),
  error,
  h('button', { type: 'submit', class: 'fr-btn fr-mt-2w', id: 'invite-submit' }, t('portal.members.inviteSubmit')));
  const section = h('section', { class: 'fr-mt-6w', 'aria-labelledby': 'invite-title' },
    h('h2', { id: 'invite-title' }, t('portal.members.inviteTitle')), h('p', {}, t('portal.members.inviteLead')), form, created, list);
  return { section, refresh };
}

main();
