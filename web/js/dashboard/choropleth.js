// A choropleth of the region's communes drawn in SVG from the API's GeoJSON (WGS 84): no tiles, no external request.
// Communes with results are links to their page, coloured by classes of the chosen indicator; the others are grey.
import { h, svg } from '../common/dom.js';
import { t } from '../common/i18n.js';

/** Sequential colours from low to high (yellow to deep red: the sun's scale); grey for no result. */
export const PALETTE = ['#fde9a2', '#fbc760', '#f39237', '#d9512c', '#9c1c1c'];
export const NO_DATA = '#e3e3e3';
const WIDTH = 800;

/**
 * Class limits for the values (equal-count classes, at most PALETTE.length; fewer when there are fewer distinct
 * values). Returns the upper limits; a value v is in the first class whose limit ≥ v.
 */
export function classLimits(values) {
  const sorted = [...new Set(values.filter((v) => v !== null && Number.isFinite(v)))].sort((a, b) => a - b);
  if (sorted.length === 0) return [];
  const n = Math.min(PALETTE.length, sorted.length);
  const limits = [];
  for (let k = 1; k <= n; k++) limits.push(sorted[Math.ceil((k * sorted.length) / n) - 1]);
  return [...new Set(limits)];
}

export function colourOf(value, limits) {
  if (value === null || value === undefined || !Number.isFinite(value) || limits.length === 0) return NO_DATA;
  const k = limits.findIndex((limit) => value <= limit);
  const index = k < 0 ? limits.length - 1 : k;
  // Spread the classes over the palette when there are fewer than its colours.
  return PALETTE[limits.length === 1 ? PALETTE.length - 1 : Math.round((index * (PALETTE.length - 1)) / (limits.length - 1))];
}

/** Projects lon/lat to the SVG plane: equirectangular, x shrunk by cos(mean latitude), fitted to WIDTH. */
function projection(features) {
  let [minX, minY, maxX, maxY] = [Infinity, Infinity, -Infinity, -Infinity];
  const visit = (c) => {
    if (typeof c[0] === 'number') {
      minX = Math.min(minX, c[0]); maxX = Math.max(maxX, c[0]); minY = Math.min(minY, c[1]); maxY = Math.max(maxY, c[1]);
    } else c.forEach(visit);
  };
  features.forEach((f) => f.geometry && visit(f.geometry.coordinates));
  const k = Math.cos((((minY + maxY) / 2) * Math.PI) / 180);
  const scale = WIDTH / Math.max((maxX - minX) * k, 1e-9);
  const height = Math.max(1, (maxY - minY) * scale);
  return { height, point: ([lon, lat]) => [((lon - minX) * k * scale).toFixed(1), ((maxY - lat) * scale).toFixed(1)] };
}

function pathOf(geometry, point) {
  const polygons = geometry.type === 'Polygon' ? [geometry.coordinates] : geometry.type === 'MultiPolygon' ? geometry.coordinates : [];
  return polygons.map((rings) => rings.map((ring) => 'M' + ring.map((c) => point(c).join(' ')).join('L') + 'Z').join('')).join('');
}

/**
 * The map: boundaries (GeoJSON FeatureCollection), values by commune code, how to name and link a commune, the
 * caption. Returns { element, limits }.
 */
export function choropleth({ boundaries, valueByCode, format, hrefOf, describe, caption }) {
  const features = boundaries.features ?? [];
  const { height, point } = projection(features);
  const limits = classLimits([...valueByCode.values()]);
  const captionId = 'map-caption';
  const shapes = features.map((f) => {
    const code = f.properties.code;
    const value = valueByCode.has(code) ? valueByCode.get(code) : null;
    const path = svg('path', { d: pathOf(f.geometry, point), fill: colourOf(value, limits), 'data-code': code, class: 'sr-map__commune' });
    if (!valueByCode.has(code)) {
      path.setAttribute('aria-hidden', 'true');
      return path;
    }
    const text = describe(f.properties, value);
    return svg('a', { href: hrefOf(code), 'aria-label': text, class: 'sr-map__link', 'data-code': code }, svg('title', {}, text), path);
  });
  // Communes with results on top, so their outline is never hidden by a neighbour's.
  shapes.sort((a, b) => (a.tagName === 'a') - (b.tagName === 'a'));
  const map = svg('svg', {
    viewBox: `0 0 ${WIDTH} ${Math.ceil(height)}`, class: 'sr-map__svg', role: 'group', 'aria-labelledby': captionId,
    preserveAspectRatio: 'xMidYMid meet',
  }, shapes);
  const element = h('figure', { class: 'sr-map fr-m-0', id: 'map' },
    map,
    h('figcaption', { id: captionId, class: 'fr-text--sm fr-mt-1w' }, caption),
    legend(limits, valueByCode, format));
  return { element, limits };
}

function legend(limits, valueByCode, format) {
  const values = [...valueByCode.values()].filter((v) => v !== null && Number.isFinite(v)).sort((a, b) => a - b);
  const items = limits.map((limit, k) => {
    const low = k === 0 ? values[0] : values.find((v) => v > limits[k - 1]);
    const text = low === limit ? format(limit) : t('dashboard.map.range', { low: format(low), high: format(limit) });
    return h('li', {}, h('span', { class: 'sr-legend__swatch', style: `background:${colourOf(limit, limits)}` }), text);
  });
  items.push(h('li', {}, h('span', { class: 'sr-legend__swatch', style: `background:${NO_DATA}` }), t('dashboard.map.noData')));
  return h('div', { class: 'sr-legend', id: 'map-legend' },
    h('p', { class: 'fr-text--sm fr-text--bold fr-mb-1v' }, t('dashboard.map.legend')),
    h('ul', { class: 'sr-legend__list' }, items));
}

