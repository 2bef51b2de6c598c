// The platform's page chrome, the same on every page: skip links, DSFR header with the navigation, FR/EN switch,
// footer. A page calls initPage() first; it loads the language, draws the chrome and translates [data-i18n].
import '/vendor/dsfr/dsfr.module.min.js';
import { h, replace } from './dom.js';
import { t, loadLanguage, language, applyTranslations, rememberLanguage, LANGUAGES } from './i18n.js';

/** The platform's navigation: [page id, path, dictionary key]. */
export const NAVIGATION = [
  ['map', '/', 'common.nav.map'],
  ['catalogue', '/catalogue', 'common.nav.catalogue'],
  ['dashboard', '/tableau-de-bord', 'common.nav.dashboard'],
  ['validation', '/validation', 'common.nav.validation'],
  ['docs', '/docs', 'common.nav.docs'],
  ['portal', '/portail', 'common.nav.portal'],
];

/**
 * Loads the language, draws the chrome around <main id="contenu"> and translates the page.
 * page: the NAVIGATION id marked as current; title: a dictionary key (or a function returning text) for <title>.
 */
export async function initPage({ page, title } = {}) {
  await loadLanguage();
  const main = document.getElementById('contenu');
  if (!main) throw new Error('the page needs <main id="contenu">');
  document.getElementById('chrome-header')?.remove();
  document.getElementById('chrome-footer')?.remove();
  main.before(skipLinks(), header(page));
  main.after(footer());
  applyTranslations(document);
  if (title) setTitle(typeof title === 'function' ? title() : t(title));
  return language();
}

/** Sets <title> as "<page> — SmartRegion". */
export function setTitle(text) {
  document.title = text ? `${text} — ${t('common.brand')}` : t('common.brand');
}

function skipLinks() {
  return h('div', { class: 'fr-skiplinks', id: 'chrome-skiplinks' },
    h('nav', { class: 'fr-container', role: 'navigation', 'aria-label': t('common.skip.label') },
      h('ul', { class: 'fr-skiplinks__list' },
        h('li', {}, h('a', { class: 'fr-link', href: '#contenu' }, t('common.skip.content'))),
        h('li', {}, h('a', { class: 'fr-link', href: '#navigation-principale' }, t('common.skip.menu'))),
        h('li', {}, h('a', { class: 'fr-link', href: '#chrome-footer' }, t('common.skip.footer'))))));
}

function header(current) {
  return h('header', { role: 'banner', class: 'fr-header', id: 'chrome-header' },
    h('div', { class: 'fr-header__body' },
      h('div', { class: 'fr-container' },
        h('div', { class: 'fr-header__body-row' },
          h('div', { class: 'fr-header__brand fr-enlarge-link' },
            h('div', { class: 'fr-header__brand-top' },
              h('div', { class: 'fr-header__navbar' },
                h('button', { class: 'fr-btn--menu fr-btn', 'data-fr-opened': 'false', 'aria-controls': 'chrome-menu',
                  'aria-haspopup': 'menu', id: 'chrome-menu-button', title: t('common.menu') }, t('common.menu')))),
            h('div', { class: 'fr-header__service' },
              h('a', { href: '/', title: t('common.homeTitle') },
                h('p', { class: 'fr-header__service-title' }, t('common.brand'))),
              h('p', { class: 'fr-header__service-tagline' }, t('common.tagline')))),
          h('div', { class: 'fr-header__tools' },
            h('div', { class: 'fr-header__tools-links' }, toolLinks()))))),
    h('div', { class: 'fr-header__menu fr-modal', id: 'chrome-menu', 'aria-labelledby': 'chrome-menu-button' },
      h('div', { class: 'fr-container' },
        h('button', { class: 'fr-btn--close fr-btn', 'aria-controls': 'chrome-menu', title: t('common.close') }, t('common.close')),
        h('div', { class: 'fr-header__menu-links' }),
        h('nav', { class: 'fr-nav', id: 'navigation-principale', role: 'navigation', 'aria-label': t('common.nav.label') },
          h('ul', { class: 'fr-nav__list' }, NAVIGATION.map(([id, path, key]) =>
            h('li', { class: 'fr-nav__item' },
              h('a', { class: 'fr-nav__link', href: path, 'aria-current': id === current ? 'page' : null }, t(key)))))))));
}

function toolLinks() {
  const other = LANGUAGES.find((l) => l !== language());
  const url = new URL(location.href);
  url.searchParams.set('lang', other);
  return h('ul', { class: 'fr-btns-group' },
    h('li', {}, h('a', {
      class: 'fr-btn fr-icon-translate-2', href: url.pathname + url.search + url.hash, hreflang: other, lang: other,
      id: 'chrome-language',
      // The address at the click, not at the page's start: a page that keeps its state in the URL (the map) keeps it.
      onclick: (e) => {
        rememberLanguage(other);
        const now = new URL(location.href);
        now.searchParams.set('lang', other);
        e.currentTarget.href = now.pathname + now.search + now.hash;
      },
    }, t(`common.language.switchTo.${other}`))),
    h('li', {}, h('a', { class: 'fr-btn fr-icon-account-circle-line', href: '/portail' }, t('common.nav.portal'))));
}

function footer() {
  const links = [['/catalogue', 'common.nav.catalogue'], ['/docs', 'common.footer.api'], ['/catalog.jsonld', 'common.footer.dcat'],
    ['/openapi/v1.json', 'common.footer.openapi'], ['/healthz', 'common.footer.status']];
  return h('footer', { class: 'fr-footer', role: 'contentinfo', id: 'chrome-footer', tabindex: '-1' },
    h('div', { class: 'fr-container' },
      h('div', { class: 'fr-footer__body' },
        h('div', { class: 'fr-footer__brand' }, h('p', { class: 'fr-footer__brand-name' }, t('common.brand'))),
        h('div', { class: 'fr-footer__content' },
          h('p', { class: 'fr-footer__content-desc' }, t('common.footer.description')),
          h('ul', { class: 'fr-footer__content-list' }, links.map(([href, key]) =>
            h('li', { class: 'fr-footer__content-item' }, h('a', { class: 'fr-footer__content-link', href }, t(key))))))),
      h('div', { class: 'fr-footer__bottom' },
        h('div', { class: 'fr-footer__bottom-copy' }, h('p', {}, t('common.footer.licence'))))));
}

/** Shows a full-page message in <main> (e.g. the "not found" page for a hidden or missing dataset). */
export function showPageMessage(titleKey, textKey, params = {}) {
  const main = document.getElementById('contenu');
  setTitle(t(titleKey));
  replace(main, h('div', { class: 'fr-container fr-my-7w', id: 'page-message' },
    h('h1', {}, t(titleKey)),
    h('p', { class: 'fr-text--lead' }, t(textKey, params)),
    h('ul', { class: 'fr-btns-group fr-btns-group--inline-md' },
      h('li', {}, h('a', { class: 'fr-btn', href: '/catalogue' }, t('common.notFound.toCatalogue'))),
      h('li', {}, h('a', { class: 'fr-btn fr-btn--secondary', href: '/' }, t('common.notFound.toHome'))))));
}
