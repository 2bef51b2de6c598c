// Display names of the catalogue's controlled vocabularies, in the page's language (the raw code when unknown).
import { t, hasKey } from '../common/i18n.js';

const label = (key, fallback) => (hasKey(key) ? t(key) : fallback);

export const themeLabel = (code) => label(`catalogue.themes.${code}`, code);
export const licenceLabel = (id) => label(`catalogue.licences.${id}`, id);
export const formatLabel = (format) => label(`catalogue.formats.${format}`, format);
export const visibilityLabel = (v) => label(`catalogue.visibility.${v}`, v);
