// French by default, English on request. The choice comes from ?lang= (then remembered) or localStorage.
// Dictionaries: /i18n/fr.json and /i18n/en.json, one namespace per page (common.*, catalogue.*, portal.*, map.*…).

const STORAGE_KEY = 'smartregion.lang';
export const LANGUAGES = ['fr', 'en'];
const LOCALES = { fr: 'fr-FR', en: 'en-GB' };

let current = 'fr';
let dictionary = {};
let fallback = {};

/** The page's language from ?lang= (stored), else the stored choice, else French. */
export function detectLanguage() {
  const fromUrl = new URLSearchParams(location.search).get('lang');
  if (LANGUAGES.includes(fromUrl)) {
    try { localStorage.setItem(STORAGE_KEY, fromUrl); } catch { /* private mode: the URL still says it */ }
    return fromUrl;
  }
  let stored = null;
  try { stored = localStorage.getItem(STORAGE_KEY); } catch { /* ignore */ }
  return LANGUAGES.includes(stored) ? stored : 'fr';
}

/** Loads the dictionaries (French is the fallback for a key English lacks) and sets <html lang>. */
export async function loadLanguage(lang = detectLanguage()) {
  current = LANGUAGES.includes(lang) ? lang : 'fr';
  const load = async (l) => {
    const response = await fetch(`/i18n/${l}.json`, { credentials: 'same-origin' });
    if (!response.ok) throw new Error(`/i18n/${l}.json: HTTP ${response.status}`);
    return response.json();
  };
  [dictionary, fallback] = await Promise.all([load(current), current === 'fr' ? Promise.resolve(null) : load('fr')]);
  fallback ??= dictionary;
  document.documentElement.lang = current;
  return current;
}

/** Remembers a language for the next pages (the caller reloads or re-renders). */
export function rememberLanguage(lang) {
  try { localStorage.setItem(STORAGE_KEY, lang); } catch { /* ignore */ }
}

export const language = () => current;
export const locale = () => LOCALES[current];

// Keys are dotted paths; a last part may itself hold dots (catalogue.licences.etalab-2.0).
function lookup(dict, key) {
  let node = dict;
  const parts = key.split('.');
  for (let i = 0; i < parts.length; i++) {
    if (node === null || typeof node !== 'object') return undefined;
    if (parts[i] in node) { node = node[parts[i]]; continue; }
    const rest = parts.slice(i).join('.');
    return rest in node ? node[rest] : undefined;
  }
  return node;
}

/** Whether a key exists (for labels of open vocabularies that fall back to the raw value). */
export const hasKey = (key) => lookup(dictionary, key) !== undefined || lookup(fallback, key) !== undefined;

/**
 * The text for a key in the page's language, with {name} placeholders filled. A value that is an object
 * { zero?, one, other } is chosen by the plural rules with params.count. A missing key returns the key itself
 * (and is listed in window.smartregionMissingKeys, which the browser tests check).
 */
export function t(key, params = {}) {
  let value = lookup(dictionary, key) ?? lookup(fallback, key);
  if (value === undefined) {
    (window.smartregionMissingKeys ??= new Set()).add(key);
    return key;
  }
  if (typeof value === 'object') {
    const count = Number(params.count ?? 0);
    value = (count === 0 && value.zero) || value[new Intl.PluralRules(locale()).select(count)] || value.other;
  }
  return String(value).replace(/\{(\w+)\}/g, (m, name) => {
    if (!(name in params)) return m;
    const v = params[name];
    return typeof v === 'number' ? formatNumber(v) : String(v);
  });
}

/** Fills [data-i18n] (text) and [data-i18n-attr="attr:key;attr:key"] in a subtree. */
export function applyTranslations(root = document) {
  for (const node of root.querySelectorAll('[data-i18n]')) node.textContent = t(node.dataset.i18n);
  for (const node of root.querySelectorAll('[data-i18n-attr]')) {
    for (const pair of node.dataset.i18nAttr.split(';')) {
      const [attr, key] = pair.split(':').map((s) => s.trim());
      if (attr && key) node.setAttribute(attr, t(key));
    }
  }
}

export function formatNumber(value, options = {}) {
  if (value === null || value === undefined || Number.isNaN(Number(value))) return '—';
  return new Intl.NumberFormat(locale(), options).format(value);
}

export function formatDate(value, options = { dateStyle: 'medium' }) {
  if (!value) return '—';
  const date = value instanceof Date ? value : new Date(value);
  return Number.isNaN(date.getTime()) ? String(value) : new Intl.DateTimeFormat(locale(), options).format(date);
}

export function formatDateTime(value) {
  return formatDate(value, { dateStyle: 'medium', timeStyle: 'short' });
}

/** A byte size in the page's language: 1,2 Mo / 1.2 MB. */
export function formatBytes(bytes) {
  if (bytes === null || bytes === undefined) return '—';
  const units = current === 'fr' ? ['o', 'ko', 'Mo', 'Go'] : ['B', 'kB', 'MB', 'GB'];
  let value = Number(bytes);
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) { value /= 1000; unit++; }
  return `${formatNumber(value, { maximumFractionDigits: unit === 0 ? 0 : 1 })} ${units[unit]}`;
}
