// Who is signed in, signing in and out, and signing in again when the session expired mid-task: the API client
// then retries the interrupted call, so a form being filled in is kept and sent once.
import { api, setCsrfToken, onUnauthenticated } from '../common/api.js';
import { h, replace } from '../common/dom.js';
import { t } from '../common/i18n.js';

let me = null;

/** The signed-in user ({ user, memberships, scopes, csrfToken }), or null. */
export async function currentUser() {
  try {
    me = await api('/api/v1/auth/me', { noReauth: true });
    setCsrfToken(me.csrfToken);
    return me;
  } catch (error) {
    if (error.status === 401) { me = null; setCsrfToken(null); return null; }
    throw error;
  }
}

export const signedIn = () => me;

export async function signIn(email, password) {
  const answer = await api('/api/v1/auth/login', { method: 'POST', body: { email, password }, noReauth: true });
  setCsrfToken(answer.csrfToken);
  return currentUser();
}

export async function signOut() {
  try { await api('/api/v1/auth/logout', { method: 'POST', noReauth: true }); } finally { setCsrfToken(null); me = null; }
}

/** The user's role in an organisation (admin, editor, viewer) or null. */
export const roleIn = (org) => me?.memberships.find((m) => m.organisation === org)?.role ?? null;
const RANK = { viewer: 1, editor: 2, admin: 3 };
export const canEdit = (org) => (RANK[roleIn(org)] ?? 0) >= 2 || me?.user.isPlatformAdmin;
export const isAdmin = (org) => roleIn(org) === 'admin' || me?.user.isPlatformAdmin;

/** A sign-in form (used on /portail and in the "session expired" dialog). onDone runs after a successful sign-in. */
export function signInForm(idPrefix, onDone, knownEmail = '') {
  const message = h('div', { id: `${idPrefix}-message`, 'aria-live': 'assertive' });
  const email = h('input', { class: 'fr-input', type: 'email', id: `${idPrefix}-email`, name: 'email', autocomplete: 'username', required: true, maxlength: '320', value: knownEmail });
  const password = h('input', { class: 'fr-input', type: 'password', id: `${idPrefix}-password`, name: 'password', autocomplete: 'current-password', required: true, maxlength: '1000' });
  const submit = h('button', { class: 'fr-btn', type: 'submit' }, t('portal.signIn.submit'));
  const form = h('form', { id: `${idPrefix}-form`, novalidate: true, onsubmit: async (event) => {
    event.preventDefault();
    replace(message);
    if (!email.value.trim() || !password.value) {
      replace(message, h('p', { class: 'fr-message fr-message--error' }, t('portal.signIn.missing')));
      (email.value.trim() ? password : email).focus();
      return;
    }
    submit.disabled = true;
    try {
      await signIn(email.value.trim(), password.value);
      password.value = '';
      await onDone?.();
    } catch (error) {
      replace(message, h('p', { class: 'fr-message fr-message--error' }, error.status === 401 ? t('portal.signIn.wrong') : error.message));
      password.focus();
    } finally {
      submit.disabled = false;
    }
  } },
  h('div', { class: 'fr-input-group' }, h('label', { class: 'fr-label', for: email.id }, t('portal.signIn.email')), email),
  h('div', { class: 'fr-input-group' }, h('label', { class: 'fr-label', for: password.id }, t('portal.signIn.password')), password),
  message, submit);
  return form;
}

/** The identity providers people may sign in with ([{ id, name, signIn }]); none when the list cannot be read. */
export async function identityProviders() {
  try { return (await api('/api/v1/auth/oidc', { noReauth: true })).items; } catch { return []; }
}

/** The address that starts a sign-in with a provider, back on `returnUrl` (a path of this site), for an invitation or not. */
export function providerSignInUrl(provider, returnUrl, invitation = null) {
  const query = new URLSearchParams({ returnUrl });
  if (invitation) query.set('invitation', invitation);
  return `${provider.signIn}?${query}`;
}

/** One button per identity provider (a list; null when none is configured). */
export function providerButtons(providers, returnUrl, invitation = null) {
  if (providers.length === 0) return null;
  return h('ul', { class: 'fr-btns-group fr-btns-group--icon-left', id: 'identity-providers' }, providers.map((p) =>
    h('li', {}, h('a', { class: 'fr-btn fr-btn--secondary fr-icon-account-circle-line', href: providerSignInUrl(p, returnUrl, invitation),
      dataset: { provider: p.id } }, t('portal.signIn.with', { name: p.name })))));
}

/**
 * Every way to sign in: the identity providers' buttons (when any is configured), then the password form.
 * After signing in with a provider the browser comes back to `returnUrl`; after a password, onDone runs.
 */
export async function signInChoices(idPrefix, returnUrl, onDone) {
  const providers = await identityProviders();
  const password = signInForm(idPrefix, onDone);
  if (providers.length === 0) return password;
  return h('div', { id: `${idPrefix}-choices` },
    h('h2', { class: 'fr-h5', id: `${idPrefix}-providers-title` }, t('portal.signIn.providersTitle')),
    h('p', { class: 'fr-text--sm sr-muted' }, t('portal.signIn.providersHint')),
    providerButtons(providers, returnUrl),
    h('p', { class: 'fr-hr-or fr-my-3w' }, t('portal.signIn.or')),
    h('h2', { class: 'fr-h5' }, t('portal.signIn.passwordTitle')),
    password);
}

/**
 * When a call answers 401 (the session expired or was ended elsewhere), asks the user to sign in again in a dialog,
 * over the page, without leaving it; the interrupted call is retried after a successful sign-in.
 */
export function installReauthentication() {
  onUnauthenticated(() => new Promise((resolve) => {
    const dialog = h('dialog', { class: 'sr-dialog', id: 'reauth-dialog', 'aria-labelledby': 'reauth-title' });
    const close = (ok) => { dialog.close(); dialog.remove(); resolve(ok); };
    dialog.append(
      h('h2', { class: 'fr-h4', id: 'reauth-title' }, t('portal.reauth.title')),
      h('p', {}, t('portal.reauth.text')),
      // The person who was signed in is most likely the one signing in again: their address is filled in.
      signInForm('reauth', () => close(true), me?.user.email ?? ''),
      h('button', { type: 'button', class: 'fr-btn fr-btn--tertiary fr-mt-2w', onclick: () => close(false) }, t('portal.reauth.cancel')));
    dialog.addEventListener('cancel', () => resolve(false));
    document.body.append(dialog);
    dialog.showModal();
    const [email, password] = dialog.querySelectorAll('input');
    (email.value ? password : email).focus();
  }));
}
