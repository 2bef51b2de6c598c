// What every partner page does first: the chrome, who is signed in (else the sign-in form), the organisation chosen
// (?org=, else the first membership), the names of organisations, and the re-sign-in dialog.
import { initPage, setTitle } from '../common/chrome.js';
import { api } from '../common/api.js';
import { h, replace, alertBox } from '../common/dom.js';
import { t } from '../common/i18n.js';
import { currentUser, signInChoices, signOut, installReauthentication, roleIn } from './session.js';

let organisations = null;

/** Slug → { name, kind } of every organisation (public information: names are needed to share and to read logs). */
export async function organisationNames() {
  organisations ??= new Map((await api('/api/v1/organisations')).items.map((o) => [o.id, o]));
  return organisations;
}

/**
 * Starts a partner page. Resolves to { me, org, orgName, root } once signed in; shows the sign-in form otherwise
 * (and reloads the page after signing in, so its address — with its state — is kept).
 */
export async function startPortalPage(titleKey) {
  await initPage({ page: 'portal', title: titleKey });
  installReauthentication();
  const root = document.getElementById('portal');
  let me;
  try {
    me = await currentUser();
  } catch (error) {
    replace(root, alertBox('error', t('common.error'), error.status === 0 ? t('common.networkError') : error.message));
    root.setAttribute('aria-busy', 'false');
    return null;
  }
  if (!me) {
    setTitle(t('portal.signIn.title'));
    replace(root,
      h('div', { class: 'fr-grid-row fr-grid-row--center' }, h('div', { class: 'fr-col-12 fr-col-md-8 fr-col-lg-6' },
        h('h1', {}, t('portal.signIn.title')),
        h('p', {}, t('portal.signIn.lead')),
        await signInChoices('signin', location.pathname + location.search, () => location.reload()))));
    root.setAttribute('aria-busy', 'false');
    document.getElementById('signin-email')?.focus();
    return null;
  }
  const names = await organisationNames();
  const wanted = new URLSearchParams(location.search).get('org');
  const org = me.memberships.find((m) => m.organisation === wanted)?.organisation ?? me.memberships[0]?.organisation ?? null;
  return { me, org, orgName: org ? names.get(org)?.name ?? org : null, role: org ? roleIn(org) : null, root, names };
}

/** The bar under a partner page's title: who is signed in, the organisation switch, sign out. */
export function accountBar(context) {
  const { me, org } = context;
  const select = me.memberships.length > 1 ? h('div', { class: 'fr-select-group fr-mb-0' },
    h('label', { class: 'fr-label', for: 'org-switch' }, t('portal.home.organisation')),
    h('select', { class: 'fr-select', id: 'org-switch', onchange: (e) => {
      const url = new URL(location.href); url.searchParams.set('org', e.target.value); location.href = url.toString();
    } }, me.memberships.map((m) => h('option', { value: m.organisation, selected: m.organisation === org },
      context.names.get(m.organisation)?.name ?? m.organisation)))) : null;
  return h('div', { class: 'sr-account-bar fr-mb-4w' },
    h('p', { class: 'fr-mb-0', id: 'signed-in-as' }, t('portal.home.signedInAs', { name: me.user.displayName, email: me.user.email })),
    select,
    h('button', { type: 'button', class: 'fr-btn fr-btn--tertiary fr-btn--sm fr-icon-logout-box-r-line fr-btn--icon-left', id: 'sign-out',
      onclick: async () => { await signOut(); location.href = '/portail'; } }, t('portal.home.signOut')));
}

/** The partner space's own navigation (a DSFR side menu as a list of links). */
export function portalLinks(context, current) {
  const q = context.org ? `?org=${encodeURIComponent(context.org)}` : '';
  const links = [
    ['home', `/portail${q}`, 'portal.nav.datasets'],
    context.role === 'admin' || context.role === 'editor' ? ['new', `/portail/nouveau${q}`, 'portal.nav.new'] : null,
    ['keys', `/portail/cles${q}`, 'portal.nav.keys'],
    context.role === 'admin' ? ['members', `/portail/membres${q}`, 'portal.nav.members'] : null,
    ['account', `/portail/compte${q}`, 'portal.nav.account'],
  ].filter(Boolean);
  return h('nav', { class: 'fr-mb-4w', 'aria-label': t('portal.nav.label') },
    h('ul', { class: 'fr-btns-group fr-btns-group--inline-md fr-btns-group--sm' }, links.map(([id, href, key]) =>
      h('li', {}, h('a', { class: `fr-btn ${id === current ? '' : 'fr-btn--secondary'}`, href, 'aria-current': id === current ? 'page' : null }, t(key))))));
}

/** The status of a dataset as its publisher sees it: draft (nothing published), published (public), restricted, private. */
export function datasetStatus(d) {
  if (d.currentVersion == null) return 'draft';
  return d.visibility === 'public' ? 'published' : d.visibility;
}
