// /portail/compte: the signed-in person's own account — change the password (every other session ends), see the
// live sessions (how, when, from where), end one, or sign out everywhere.
import { api, setCsrfToken } from '../common/api.js';
import { h, replace, alertBox, dataTable } from '../common/dom.js';
import { t, formatDateTime } from '../common/i18n.js';
import { startPortalPage, accountBar, portalLinks } from './shell.js';

async function main() {
  const context = await startPortalPage('portal.account.title');
  if (!context) return;
  const { root } = context;
  const message = h('div', { id: 'account-message', 'aria-live': 'polite' });
  const sessionsList = h('div', { id: 'sessions-list' });

  const input = (id, autocomplete) => h('input', { class: 'fr-input', type: 'password', id, autocomplete, maxlength: '1000', required: true });
  const current = input('password-current', 'current-password');
  const fresh = input('password-new', 'new-password');
  const again = input('password-again', 'new-password');
  const formError = h('div', { id: 'password-error', 'aria-live': 'assertive' });
  const group = (control, label, hint) => h('div', { class: 'fr-input-group' },
    h('label', { class: 'fr-label', for: control.id }, label, hint ? h('span', { class: 'fr-hint-text' }, hint) : null), control);
  const form = h('form', { id: 'password-form', novalidate: true, onsubmit: async (event) => {
    event.preventDefault();
    replace(formError);
    const fail = (text, control) => { replace(formError, h('p', { class: 'fr-message fr-message--error' }, text)); control.focus(); };
    if (!current.value) return fail(t('portal.account.errors.current'), current);
    if (fresh.value !== again.value) return fail(t('portal.account.errors.mismatch'), again);
    if (fresh.value === current.value) return fail(t('portal.account.errors.same'), fresh);
    const submit = form.querySelector('button[type=submit]');
    submit.disabled = true;
    try {
      // A wrong current password answers 401: that is this form's error, not an expired session.
      const answer = await api('/api/v1/auth/password', { method: 'POST', body: { currentPassword: current.value, newPassword: fresh.value }, noReauth: true });
      setCsrfToken(answer.csrfToken);
      form.reset();
      replace(message, alertBox('success', null, t('portal.account.changed', { count: Math.max(0, answer.sessionsEnded - 1) })));
      await refresh();
    } catch (error) {
      if (error.code === 'invalid_credentials') fail(t('portal.account.errors.wrongCurrent'), current);
      else if (error.field === 'newPassword') fail(error.message, fresh);
      else fail(error.message, current);
    } finally {
      submit.disabled = false;
    }
  } },
  group(current, t('portal.account.current')),
  group(fresh, t('portal.account.new'), t('portal.account.newHint')),
  group(again, t('portal.account.again')),
  formError,
  h('button', { type: 'submit', class: 'fr-btn', id: 'password-submit' }, t('portal.account.change')));

  const everywhere = h('button', { type: 'button', class: 'fr-btn fr-btn--secondary fr-icon-logout-box-r-line fr-btn--icon-left fr-mt-2w', id: 'sign-out-everywhere',
    onclick: async () => {
      everywhere.disabled = true;
      try { await api('/api/v1/auth/sessions', { method: 'DELETE', noReauth: true }); } finally { setCsrfToken(null); }
      location.href = '/portail';
    } }, t('portal.account.everywhere'));

  replace(root, h('h1', {}, t('portal.account.title')), accountBar(context), portalLinks(context, 'account'), message,
    h('h2', {}, t('portal.account.passwordTitle')), form,
    h('h2', { class: 'fr-mt-6w' }, t('portal.account.sessionsTitle')), h('p', {}, t('portal.account.sessionsLead')), sessionsList, everywhere);
  root.setAttribute('aria-busy', 'false');

  async function refresh() {
    const sessions = await api('/api/v1/auth/sessions');
    replace(sessionsList, dataTable({ id: 'sessions-table', caption: t('portal.account.sessionsTitle'), hideCaption: true,
      head: ['started', 'lastSeen', 'from', 'browser', 'actions'].map((c) => t(`portal.account.col.${c}`)),
      rows: sessions.map((s) => h('tr', { dataset: { session: s.id } },
        h('td', {}, formatDateTime(s.createdAt)),
        h('td', {}, s.lastSeenAt ? formatDateTime(s.lastSeenAt) : '—'),
        h('td', {}, s.clientIp ?? '—'),
        h('td', { class: 'fr-cell--multiline' }, s.userAgent ?? '—'),
        h('td', {}, s.current
          ? h('p', { class: 'fr-badge fr-badge--sm fr-badge--info' }, t('portal.account.thisSession'))
          : h('button', { type: 'button', class: 'fr-btn fr-btn--sm fr-btn--tertiary', 'aria-label': t('portal.account.endOne', { when: formatDateTime(s.createdAt) }),
            onclick: async (e) => {
              e.currentTarget.disabled = true;
              try { await api(`/api/v1/auth/sessions/${s.id}`, { method: 'DELETE' }); replace(message, alertBox('success', null, t('portal.account.ended'))); }
              catch (error) { replace(message, alertBox('error', t('common.error'), error.message)); }
              await refresh();
            } }, t('portal.account.end'))))) }));
  }
  await refresh();
}

main();
