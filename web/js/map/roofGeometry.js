// The geometry "correct my roof" needs on the report's roof faces (GeoJSON polygons in WGS84 lon/lat, with NGF-IGN69
// altitudes as a third coordinate): which face holds a point, a face's altitude at a point, an obstacle's square and
// whether two overlap. Worked in local metres (an equirectangular frame at the point: millimetres off over a roof).

const M_PER_DEG_LAT = 111_320;

/** Metres per degree of longitude and of latitude at a latitude. */
function metresPerDegree(latDeg) {
  return [M_PER_DEG_LAT * Math.cos((latDeg * Math.PI) / 180), M_PER_DEG_LAT];
}

/** A square of side sizeM (m) centred at (lon, lat), its sides east–west and north–south, as a GeoJSON Polygon. */
export function squareAt(lon, lat, sizeM) {
  const [mx, my] = metresPerDegree(lat);
  const dLon = sizeM / 2 / mx, dLat = sizeM / 2 / my;
  return { type: 'Polygon', coordinates: [[[lon - dLon, lat - dLat], [lon + dLon, lat - dLat], [lon + dLon, lat + dLat], [lon - dLon, lat + dLat], [lon - dLon, lat - dLat]]] };
}

/** Area (m²) two squares ({ lon, lat, sizeM }, as squareAt draws them) have in common. */
export function overlapM2(a, b) {
  const [mx, my] = metresPerDegree((a.lat + b.lat) / 2);
  const dx = Math.abs(a.lon - b.lon) * mx, dy = Math.abs(a.lat - b.lat) * my;
  const half = (a.sizeM + b.sizeM) / 2;
  const wide = Math.min(half - dx, a.sizeM, b.sizeM), high = Math.min(half - dy, a.sizeM, b.sizeM);
  return wide > 0 && high > 0 ? wide * high : 0;
}

/** Where an obstacle goes when the resident gives only its face: the outline's centroid, else (a concave face) inside it. */
export function faceCentre(polygon) {
  const ring = polygon.coordinates[0];
  // Relative to the first corner: in whole degrees the shoelace's products (2.35 × 48.9) swamp a roof's 1e-8 deg² area,
  // and the centroid came out a metre off.
  const [ox, oy] = ring[0];
  let a = 0, x = 0, y = 0;
  for (let i = 0; i < ring.length - 1; i++) {
    const [x0, y0] = [ring[i][0] - ox, ring[i][1] - oy], [x1, y1] = [ring[i + 1][0] - ox, ring[i + 1][1] - oy];
    const c = x0 * y1 - x1 * y0;
    a += c; x += (x0 + x1) * c; y += (y0 + y1) * c;
  }
  const centroid = a !== 0 ? [ox + x / (3 * a), oy + y / (3 * a)] : ring[0].slice(0, 2);
  if (inside(ring, centroid)) return centroid;
  // A concave face whose centroid falls outside it: the middle of the widest chord at the centroid's latitude.
  const cuts = [];
  for (let i = 0; i < ring.length - 1; i++) {
    const [x0, y0] = ring[i], [x1, y1] = ring[i + 1];
    if ((y0 > centroid[1]) !== (y1 > centroid[1])) cuts.push(x0 + ((centroid[1] - y0) / (y1 - y0)) * (x1 - x0));
  }
  cuts.sort((p, q) => p - q);
  let best = null;
  for (let i = 0; i + 1 < cuts.length; i += 2) if (!best || cuts[i + 1] - cuts[i] > best[1] - best[0]) best = [cuts[i], cuts[i + 1]];
  return best ? [(best[0] + best[1]) / 2, centroid[1]] : centroid;
}

function inside(ring, [px, py]) {
  let result = false;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const [xi, yi] = ring[i], [xj, yj] = ring[j];
    if ((yi > py) !== (yj > py) && px < ((xj - xi) * (py - yi)) / (yj - yi) + xi) result = !result;
  }
  return result;
}

/** Distance (m, in plan) from a point to a polygon's outline; 0 inside it. */
export function distanceToFaceM(polygon, lon, lat) {
  const ring = polygon.coordinates[0];
  if (inside(ring, [lon, lat])) return 0;
  const [mx, my] = metresPerDegree(lat);
  let best = Infinity;
  for (let i = 0; i < ring.length - 1; i++) {
    const ax = (ring[i][0] - lon) * mx, ay = (ring[i][1] - lat) * my;
    const bx = (ring[i + 1][0] - lon) * mx, by = (ring[i + 1][1] - lat) * my;
    const len2 = (bx - ax) ** 2 + (by - ay) ** 2;
    const t = len2 > 0 ? Math.min(1, Math.max(0, -(ax * (bx - ax) + ay * (by - ay)) / len2)) : 0;
    best = Math.min(best, Math.hypot(ax + t * (bx - ax), ay + t * (by - ay)));
  }
  return best;
}

/**
 * The altitude (NGF-IGN69, m) of a face's plane at a point: the plane fitted to its outline's altitudes (least squares),
 * or null when the outline has none.
 */
export function altitudeOn(polygon, lon, lat) {
  const points = polygon.coordinates[0].slice(0, -1).filter((p) => Number.isFinite(p[2]));
  if (points.length < 3) return null;
  const [mx, my] = metresPerDegree(lat);
  // Normal equations of z = a·x + b·y + c, x and y in metres from the point (so that c is the answer).
  let sxx = 0, sxy = 0, syy = 0, sx = 0, sy = 0, sxz = 0, syz = 0, sz = 0;
  for (const [plon, plat, z] of points) {
    const x = (plon - lon) * mx, y = (plat - lat) * my;
    sxx += x * x; sxy += x * y; syy += y * y; sx += x; sy += y; sxz += x * z; syz += y * z; sz += z;
  }
  const n = points.length;
  const m = [[sxx, sxy, sx], [sxy, syy, sy], [sx, sy, n]];
  const det = (q) => q[0][0] * (q[1][1] * q[2][2] - q[1][2] * q[2][1]) - q[0][1] * (q[1][0] * q[2][2] - q[1][2] * q[2][0])
    + q[0][2] * (q[1][0] * q[2][1] - q[1][1] * q[2][0]);
  const d = det(m);
  if (Math.abs(d) < 1e-9) return sz / n;
  // Cramer's rule for c alone.
  return det([[sxx, sxy, sxz], [sxy, syy, syz], [sx, sy, sz]]) / d;
}
