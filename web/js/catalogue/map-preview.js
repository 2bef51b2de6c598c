// A 2D map preview drawn as SVG from the API's GeoJSON: the region's own commune boundaries under the dataset's
// records (points, lines, polygons). No tiles, nothing from outside: the map is the data.
import { api } from '../common/api.js';
import { h, svg, replace, alertBox } from '../common/dom.js';
import { t, formatNumber } from '../common/i18n.js';

const MAX_FEATURES = 2000;
const WIDTH = 1000;

export function mapPreview(body, d) {
  body.append(h('p', {}, t('common.loading')));
  draw(body, d).catch((error) => replace(body, alertBox('error', t('common.error'), error.message)));
}

async function draw(body, d) {
  const page = await api(`/api/v1/datasets/${encodeURIComponent(d.id)}/records?limit=${MAX_FEATURES}`);
  const geometryField = page.fields.find((f) => f.type === 'geometry')?.name;
  const labelField = page.fields.find((f) => f.type === 'text' && /nom|name|label|titre|adresse|address|libelle/i.test(f.name))?.name
    ?? page.fields.find((f) => f.type === 'text')?.name;
  const features = page.records.filter((r) => r[geometryField]).map((r) => ({ geometry: r[geometryField], label: labelField ? r[labelField] : null }));
  if (features.length === 0) { replace(body, h('p', { class: 'sr-muted' }, t('catalogue.map.empty'))); return; }

  const box = extent(features.map((f) => f.geometry));
  const padLon = Math.max((box[2] - box[0]) * 0.08, 0.002);
  const padLat = Math.max((box[3] - box[1]) * 0.08, 0.002);
  const view = [box[0] - padLon, box[1] - padLat, box[2] + padLon, box[3] + padLat];
  const boundaries = await api(`/api/v1/boundaries?level=commune&bbox=${view.map((v) => v.toFixed(5)).join(',')}`).catch(() => ({ features: [] }));

  const cos = Math.cos(((view[1] + view[3]) / 2) * Math.PI / 180);
  const scale = WIDTH / ((view[2] - view[0]) * cos);
  const height = Math.round((view[3] - view[1]) * scale);
  const project = ([lon, lat]) => [((lon - view[0]) * cos * scale).toFixed(1), ((view[3] - lat) * scale).toFixed(1)];
  const path = (geometry) => rings(geometry).map((ring) => `M${ring.map((p) => project(p).join(',')).join('L')}${geometry.type.includes('Polygon') ? 'Z' : ''}`).join('');

  const map = svg('svg', { viewBox: `0 0 ${WIDTH} ${height}`, class: 'sr-map-preview', role: 'img', id: 'map-preview',
    'aria-labelledby': 'map-title map-desc', preserveAspectRatio: 'xMidYMid meet' },
    svg('title', { id: 'map-title' }, t('catalogue.map.title', { title: d.title })),
    svg('desc', { id: 'map-desc' }, t('catalogue.map.desc', { count: features.length, communes: boundaries.features.length })),
    svg('g', { class: 'sr-map-boundaries' }, boundaries.features.map((b) =>
      svg('path', { d: path(b.geometry) }, svg('title', {}, `${b.properties.name} (${b.properties.code})`)))),
    // A commune is named only where its name fits inside it: small communes stay unnamed rather than overprinted.
    svg('g', { class: 'sr-map-labels', 'aria-hidden': 'true' }, boundaries.features.filter((b) => {
      const [west, south, east, north] = extent([b.geometry]);
      const [x0, y1] = project([west, south]).map(Number);
      const [x1, y0] = project([east, north]).map(Number);
      return x1 - x0 > b.properties.name.length * 8 + 8 && y1 - y0 > 24;
    }).map((b) => {
      const [x, y] = project(centre(b.geometry));
      return svg('text', { x, y, 'text-anchor': 'middle' }, b.properties.name);
    })),
    svg('g', { class: 'sr-map-features' }, features.map((f) => {
      const title = f.label ? svg('title', {}, String(f.label)) : null;
      if (f.geometry.type === 'Point') {
        const [x, y] = project(f.geometry.coordinates);
        return svg('circle', { cx: x, cy: y, r: 5 }, title);
      }
      if (f.geometry.type === 'MultiPoint') return svg('g', {}, f.geometry.coordinates.map((c) => { const [x, y] = project(c); return svg('circle', { cx: x, cy: y, r: 5 }); }), title);
      return svg('path', { d: path(f.geometry), class: f.geometry.type.includes('Line') ? 'sr-line' : null }, title);
    })));
  replace(body,
    h('figure', { class: 'fr-content-media sr-map-figure', 'aria-label': t('catalogue.dataset.map') },
      map,
      h('figcaption', { class: 'fr-content-media__caption' },
        t('catalogue.map.caption', { count: features.length, total: page.numberMatched, communes: boundaries.features.length }),
        page.numberMatched > features.length ? ` ${t('catalogue.map.partial', { count: formatNumber(features.length) })}` : '')));
}

/** Every ring / line of a geometry as lists of [lon, lat]. */
function rings(g) {
  switch (g.type) {
    case 'LineString': return [g.coordinates];
    case 'MultiLineString': case 'Polygon': return g.coordinates;
    case 'MultiPolygon': return g.coordinates.flat();
    case 'GeometryCollection': return g.geometries.flatMap(rings);
    default: return [];
  }
}

function positions(g) {
  if (g.type === 'Point') return [g.coordinates];
  if (g.type === 'MultiPoint') return g.coordinates;
  return rings(g).flat();
}

function extent(geometries) {
  const box = [Infinity, Infinity, -Infinity, -Infinity];
  for (const g of geometries) {
    for (const [lon, lat] of positions(g)) {
      box[0] = Math.min(box[0], lon); box[1] = Math.min(box[1], lat);
      box[2] = Math.max(box[2], lon); box[3] = Math.max(box[3], lat);
    }
  }
  return box;
}

function centre(g) {
  const b = extent([g]);
  return [(b[0] + b[2]) / 2, (b[1] + b[3]) / 2];
}
