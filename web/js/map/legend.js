// The legend of the roof colours, from the tileset's own scale (tileset.json extras.legend): a gradient in kWh/m²/yr with
// the suitability classes' bands under it, and the walls' and uncomputed roofs' greys. Text for every colour.
import { h, replace } from '/js/common/dom.js';
import { t, formatNumber } from '/js/common/i18n.js';

export function renderLegend(host, legend) {
  if (!legend?.stops?.length) {
    replace(host, h('p', { class: 'fr-text--sm' }, t('map.legend.unavailable')));
    return;
  }
  const stops = legend.stops;
  const min = stops[0].kwhPerM2;
  const max = stops[stops.length - 1].kwhPerM2;
  const gradient = `linear-gradient(to right, ${stops.map((s) => `${s.colour} ${((s.kwhPerM2 - min) / (max - min)) * 100}%`).join(', ')})`;
  const bands = legend.suitabilityBandsKwhPerM2 ?? [];
  const edges = [null, ...bands, null];
  const classes = edges.slice(0, -1).map((lo, i) => ({ cls: i + 1, lo, hi: edges[i + 1] }));
  const range = ({ lo, hi }) => (lo === null ? `< ${formatNumber(hi)}` : hi === null ? `≥ ${formatNumber(lo)}` : `${formatNumber(lo)}–${formatNumber(hi)}`);
  const colourAt = (v) => {
    for (let i = 1; i < stops.length; i++) if (v <= stops[i].kwhPerM2) return stops[i - 1].kwhPerM2 <= v ? stops[i].colour : stops[i - 1].colour;
    return stops[stops.length - 1].colour;
  };
  replace(host,
    h('p', { class: 'fr-text--sm fr-mb-1v' }, t('map.legend.title', { unit: t('map.units.kwhPerM2Year') })),
    h('div', { class: 'sr-legend__bar', style: `background: ${gradient}`, role: 'img',
      'aria-label': t('map.legend.barLabel', { min: formatNumber(min), max: formatNumber(max) }) }),
    h('div', { class: 'sr-legend__ticks', 'aria-hidden': 'true' },
      h('span', {}, formatNumber(min)), h('span', {}, formatNumber((min + max) / 2)), h('span', {}, formatNumber(max))),
    h('ul', { class: 'sr-legend__classes', id: 'legend-classes' }, classes.map((c) => h('li', {},
      h('span', { class: 'sr-swatch', style: `background: ${colourAt(c.lo === null ? c.hi - 1 : c.hi === null ? c.lo + 1 : (c.lo + c.hi) / 2)}`, 'aria-hidden': 'true' }),
      `${t(`map.classes.${c.cls}`)} — ${range(c)} ${t('map.units.kwhPerM2Year')}`))),
    h('ul', { class: 'sr-legend__classes' },
      h('li', {}, h('span', { class: 'sr-swatch', style: `background: ${legend.wallColour}`, 'aria-hidden': 'true' }), t('map.legend.walls')),
      h('li', {}, h('span', { class: 'sr-swatch', style: `background: ${legend.noResultColour}`, 'aria-hidden': 'true' }), t('map.legend.noResult')),
      // The ground layer's grey (FootprintTileQueries: #4b4b5a at 70 %), over the ground's colour.
      h('li', {}, h('span', { class: 'sr-swatch', style: 'background: #7f7e85', 'aria-hidden': 'true' }), t('map.legend.footprints'))));
}
