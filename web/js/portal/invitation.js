// /portail/invitation/<token>: what an invitation link invites to (organisation, role, until when), and one button per
// identity provider to accept it: signing in through it links that identity to the invited person, who becomes a member.
// A used, expired or revoked invitation says so, and what to do instead.
import { initPage, setTitle } from '../common/chrome.js';
import { api } from '../common/api.js';
import { h, replace, alertBox } from '../common/dom.js';
import { t, formatDateTime } from '../common/i18n.js';
import { providerButtons } from './session.js';

async function main() {
  await initPage({ page: 'portal', title: 'portal.invitation.title' });
  const root = document.getElementById('portal');
  const token = decodeURIComponent(location.pathname.replace(/\/$/, '').split('/').pop());
  const column = h('div', { class: 'fr-col-12 fr-col-md-8 fr-col-lg-6' }, h('h1', {}, t('portal.invitation.title')));
  replace(root, h('div', { class: 'fr-grid-row fr-grid-row--center' }, column));
  try {
    const invitation = await api(`/api/v1/invitations/${encodeURIComponent(token)}`, { noReauth: true });
    const params = { org: invitation.organisation.name, role: t(`portal.roles.${invitation.role}`), email: invitation.email, until: formatDateTime(invitation.expiresAt) };
    setTitle(t('portal.invitation.titleFor', params));
    if (invitation.status !== 'pending') {
      column.append(alertBox('error', t(`portal.invitation.status.${invitation.status}Title`), t(`portal.invitation.status.${invitation.status}`, params)),
        h('a', { class: 'fr-btn fr-btn--secondary', href: '/portail/connexion' }, t('portal.invitation.toSignIn')));
    } else {
      column.append(
        h('p', { class: 'fr-text--lead', id: 'invitation-summary' }, t('portal.invitation.lead', params)),
        h('p', {}, t('portal.invitation.forEmail', params)),
        h('h2', { class: 'fr-h5' }, t('portal.invitation.acceptTitle')),
        h('p', { class: 'fr-text--sm sr-muted' }, t('portal.invitation.acceptHint')),
        providerButtons(invitation.providers, `/portail?org=${encodeURIComponent(invitation.organisation.id)}`, token)
          ?? alertBox('warning', null, t('portal.invitation.noProvider')));
    }
  } catch (error) {
    column.append(error.status === 404
      ? alertBox('error', t('portal.invitation.status.notFoundTitle'), t('portal.signIn.errors.invitation_not_found'))
      : alertBox('error', t('common.error'), error.status === 0 ? t('common.networkError') : error.message));
  }
  root.setAttribute('aria-busy', 'false');
}

main();
