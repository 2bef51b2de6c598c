// /portail/connexion: every way to sign in (one button per identity provider, the password form), and, when a sign-in
// through a provider came back refused (?erreur=<reason>&fournisseur=<provider>), why, in words the person can act on.
import { initPage, setTitle } from '../common/chrome.js';
import { h, replace, alertBox } from '../common/dom.js';
import { t, hasKey } from '../common/i18n.js';
import { currentUser, identityProviders, signInChoices, installReauthentication } from './session.js';

/** The reasons the server sends back (OidcSignIn), each with its sentence in the dictionary (portal.signIn.errors.*). */
export function signInError(reason, providerName) {
  const key = `portal.signIn.errors.${reason}`;
  const name = providerName ?? t('portal.signIn.aProvider');
  return alertBox('error', t('portal.signIn.errorTitle'), t(hasKey(key) ? key : 'portal.signIn.errors.other', { provider: name }));
}

/** The provider's display name for the ?fournisseur= id, when it is configured. */
export async function providerName(id) {
  if (!id) return null;
  return (await identityProviders()).find((p) => p.id === id)?.name ?? null;
}

/** Where to go once signed in: ?retour= when it is a path of this site, else the partner space. */
function returnPath() {
  const wanted = new URLSearchParams(location.search).get('retour');
  return wanted && wanted.startsWith('/') && !wanted.startsWith('//') && !wanted.startsWith('/\\') ? wanted : '/portail';
}

async function main() {
  await initPage({ page: 'portal', title: 'portal.signIn.title' });
  installReauthentication();
  const root = document.getElementById('portal');
  const query = new URLSearchParams(location.search);
  const reason = query.get('erreur');
  const error = reason ? signInError(reason, await providerName(query.get('fournisseur'))) : null;
  const me = await currentUser().catch(() => null);
  setTitle(reason ? `${t('portal.signIn.errorTitle')} — ${t('portal.signIn.title')}` : t('portal.signIn.title'));
  const column = h('div', { class: 'fr-col-12 fr-col-md-8 fr-col-lg-6' }, h('h1', {}, t('portal.signIn.title')), error);
  if (me) {
    column.append(h('p', { id: 'signed-in-as' }, t('portal.home.signedInAs', { name: me.user.displayName, email: me.user.email })),
      h('a', { class: 'fr-btn', href: returnPath() }, t('portal.signIn.continue')));
  } else {
    column.append(h('p', {}, t('portal.signIn.lead')), await signInChoices('signin', returnPath(), () => { location.href = returnPath(); }));
  }
  replace(root, h('div', { class: 'fr-grid-row fr-grid-row--center' }, column));
  root.setAttribute('aria-busy', 'false');
  (error ?? document.getElementById('signin-email'))?.focus?.();
}

main();
