// web/js/map/roofGeometry.js, the geometry "correct my roof" places and draws obstacles with: a face's plane from its
// outline's altitudes, the square of an obstacle, overlaps, the face a point is on, a concave face's centre.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { altitudeOn, distanceToFaceM, faceCentre, overlapM2, squareAt } from '../../web/js/map/roofGeometry.js';

const M_PER_DEG_LAT = 111_320;
const LAT = 48.9085;
const M_PER_DEG_LON = M_PER_DEG_LAT * Math.cos((LAT * Math.PI) / 180);
// A point x metres east and y metres north of (2.35, LAT).
const at = (x, y, z) => (z === undefined ? [2.35 + x / M_PER_DEG_LON, LAT + y / M_PER_DEG_LAT] : [2.35 + x / M_PER_DEG_LON, LAT + y / M_PER_DEG_LAT, z]);
const polygon = (...ring) => ({ type: 'Polygon', coordinates: [[...ring, ring[0]]] });

test('altitudeOn: a south face 10 m deep rising 5 m (26.6°) is 2.5 m above its eaves halfway up', () => {
  const face = polygon(at(0, 0, 40), at(8, 0, 40), at(8, 10, 45), at(0, 10, 45));
  assert.ok(Math.abs(altitudeOn(face, ...at(4, 5)) - 42.5) < 1e-6);
  assert.ok(Math.abs(altitudeOn(face, ...at(1, 2)) - 41) < 1e-6);
  assert.equal(altitudeOn(polygon(at(0, 0), at(8, 0), at(8, 10)), ...at(1, 1)), null);
});

test('squareAt: a square of the side asked, centred where asked', () => {
  const ring = squareAt(...at(3, 4), 1.5).coordinates[0];
  assert.equal(ring.length, 5);
  assert.ok(Math.abs((ring[1][0] - ring[0][0]) * M_PER_DEG_LON - 1.5) < 1e-4);
  assert.ok(Math.abs((ring[2][1] - ring[1][1]) * M_PER_DEG_LAT - 1.5) < 1e-4);
  const [lon, lat] = at(3, 4);
  assert.ok(Math.abs((ring[0][0] + ring[2][0]) / 2 - lon) < 1e-12 && Math.abs((ring[0][1] + ring[2][1]) / 2 - lat) < 1e-12);
});

test('overlapM2: side by side is none, half a metre into a 1 m square is half a square metre', () => {
  const a = { lon: at(0, 0)[0], lat: at(0, 0)[1], sizeM: 1 };
  assert.ok(overlapM2(a, { lon: at(1.001, 0)[0], lat: at(1.001, 0)[1], sizeM: 1 }) === 0);
  assert.ok(Math.abs(overlapM2(a, { lon: at(0.5, 0)[0], lat: at(0.5, 0)[1], sizeM: 1 }) - 0.5) < 1e-6);
  assert.ok(Math.abs(overlapM2(a, { lon: a.lon, lat: a.lat, sizeM: 0.4 }) - 0.16) < 1e-6);
});

test('distanceToFaceM: 0 inside, the distance to the nearest edge outside', () => {
  const face = polygon(at(0, 0), at(8, 0), at(8, 10), at(0, 10));
  assert.equal(distanceToFaceM(face, ...at(4, 5)), 0);
  assert.ok(Math.abs(distanceToFaceM(face, ...at(4, -3)) - 3) < 1e-3);
  assert.ok(Math.abs(distanceToFaceM(face, ...at(11, 14)) - 5) < 1e-3);
});

test('faceCentre: the centroid of a rectangle (to the millimetre); inside an L whose centroid falls outside it', () => {
  const [lon, lat] = faceCentre(polygon(at(0, 0), at(8, 0), at(8, 10), at(0, 10)));
  assert.ok(Math.abs((lon - at(4, 5)[0]) * M_PER_DEG_LON) < 1e-3 && Math.abs((lat - at(4, 5)[1]) * M_PER_DEG_LAT) < 1e-3);
  // A thin L: the centroid lies in the notch.
  const l = polygon(at(0, 0), at(10, 0), at(10, 1), at(1, 1), at(1, 10), at(0, 10));
  assert.equal(distanceToFaceM(l, ...faceCentre(l)), 0);
});
