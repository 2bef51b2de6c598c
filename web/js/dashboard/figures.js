// Key figures of an area as tiles: the value with its unit, what it is, and a link to how it was computed.
import { h } from '../common/dom.js';
import { t } from '../common/i18n.js';
import { formatted, valueOf } from './indicators.js';
import { anchorOf } from './provenance.js';

export const KEY_FIGURES = ['buildingsAnalysed', 'installableMwp', 'potentialGwhPerYear', 'potentialShareOfResidentialUse',
  'co2AvoidableTPerYear', 'usableAreaM2', 'installedMwp'];

/** Tiles for the figures of an area that have a value (installed only when an installations dataset is published). */
export function figureTiles(area, keys = KEY_FIGURES) {
  return h('ul', { class: 'sr-figures', id: 'key-figures' }, keys
    .filter((key) => key !== 'installedMwp' || valueOf(area, key) !== null)
    .map((key) => h('li', { class: 'sr-figure', 'data-figure': key, 'data-value': valueOf(area, key) },
      h('p', { class: 'sr-figure__value' }, formatted(area, key)),
      h('p', { class: 'sr-figure__label' }, t(`dashboard.indicators.${key}.label`)),
      key === 'installedMwp' && valueOf(area, 'installedShareOfInstallable') !== null
        ? h('p', { class: 'fr-text--xs fr-mb-1v' }, t('dashboard.figures.installedShare', { share: formatted(area, 'installedShareOfInstallable') }))
        : null,
      key === 'potentialShareOfResidentialUse' && valueOf(area, key) !== null
        ? h('p', { class: 'fr-text--xs fr-mb-1v' }, t('dashboard.figures.residentialUse', { use: formatted(area, 'residentialUseGwhPerYear') }))
        : null,
      h('a', { class: 'fr-link fr-link--sm', href: `#${anchorOf(key)}` }, t('dashboard.figures.how')))));
}
