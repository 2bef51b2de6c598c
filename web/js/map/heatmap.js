// The per-sample heat map: close to the roofs, every sample of the roof faces in view is drawn as its cell of the face's
// grid (GET /api/v1/solar/roof-samples), coloured on the tiles' irradiation ramp and laid just above its face, so the
// sunny and the shaded parts of one roof show apart. Far away the faces' own colours (the 3D tiles) are enough.
import { api } from '/js/common/api.js';

/** The heat map shows when the camera is at most this high above the ground (m). */
export const HEAT_MAP_MAX_HEIGHT_M = 450;
const LIFT_M = 0.06;                 // above the roof plane (panels are drawn at 0.08 m, above the heat map)
const MAX_SPAN_DEG = 0.045;          // the API refuses boxes wider than 0.05°

/** The ramp's colour (r, g, b 0–255) for an irradiation: linear between the legend's stops, as the tiles colour faces. */
export function rampColour(stops, kwhPerM2) {
  const rgb = (hex) => [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));
  if (!(kwhPerM2 > stops[0].kwhPerM2)) return rgb(stops[0].colour);
  for (let i = 1; i < stops.length; i++) {
    if (kwhPerM2 <= stops[i].kwhPerM2) {
      const a = rgb(stops[i - 1].colour), b = rgb(stops[i].colour);
      const f = (kwhPerM2 - stops[i - 1].kwhPerM2) / (stops[i].kwhPerM2 - stops[i - 1].kwhPerM2);
      return a.map((v, k) => Math.round(v + (b[k] - v) * f));
    }
  }
  return rgb(stops[stops.length - 1].colour);
}

export class HeatMap {
  /** scene: the MapScene; stops: the legend's ramp (tileset.json extras.legend.stops); onState(state) on every change. */
  constructor(scene, stops, onState = () => {}) {
    this.scene = scene;
    this.stops = stops;
    this.onState = onState;
    this.enabled = true;
    this.primitive = null;
    this.loadedBox = null;
    this.request = 0;
    this.state = 'far';
    this.cellCount = 0;      // samples drawn now
  }

  setEnabled(on) {
    this.enabled = on;
    this.refresh();
  }

  /** After a camera move: loads the samples around the view's centre when close enough, hides them when not. */
  async refresh() {
    const { Cesium, viewer } = this.scene;
    const camera = viewer.camera;
    const height = camera.positionCartographic.height;
    if (!this.enabled || !this.stops?.length || height > HEAT_MAP_MAX_HEIGHT_M) {
      this.#show(false);
      this.#setState(!this.enabled ? 'off' : 'far');
      return;
    }
    const canvas = viewer.scene.canvas;
    const centre = camera.pickEllipsoid(new Cesium.Cartesian2(canvas.clientWidth / 2, canvas.clientHeight / 2));
    if (!centre) { this.#show(false); return; }
    const c = Cesium.Cartographic.fromCartesian(centre);
    const lon = Cesium.Math.toDegrees(c.longitude), lat = Cesium.Math.toDegrees(c.latitude);
    const halfM = Math.min(Math.max(height * 1.6, 150), 600);
    const dLat = Math.min(halfM / 111_320, MAX_SPAN_DEG / 2);
    const dLon = Math.min(halfM / (111_320 * Math.cos(c.latitude)), MAX_SPAN_DEG / 2);
    const want = [lon - dLon, lat - dLat, lon + dLon, lat + dLat];
    const inner = [lon - dLon / 2, lat - dLat / 2, lon + dLon / 2, lat + dLat / 2];
    if (this.loadedBox && contains(this.loadedBox, inner)) { this.#show(true); this.#setState('shown'); return; }
    const request = ++this.request;
    this.#setState('loading');
    let answer;
    try {
      answer = await api(`/api/v1/solar/roof-samples?bbox=${want.map((v) => v.toFixed(6)).join(',')}`, { retries: 1 });
    } catch {
      if (request === this.request) this.#setState('failed');
      return;
    }
    if (request !== this.request) return;   // a newer move asked for another box
    this.#replace(this.#build(answer));
    this.loadedBox = want;
    this.#show(true);
    this.#setState(answer.truncated ? 'truncated' : 'shown');
  }

  #build(answer) {
    const { Cesium } = this.scene;
    const lowerM = this.scene.referenceGroundAltitudeM ?? 0;
    const positions = [];
    const colours = [];
    const indices = [];
    for (const face of answer.faces ?? []) {
      face.cells.forEach((ring, k) => {
        const n = ring.length / 3;
        if (n < 3) return;
        const rgb = rampColour(this.stops, face.kwhPerM2[k]);
        const first = positions.length / 3;
        for (let v = 0; v < n; v++) {
          const p = Cesium.Cartesian3.fromDegrees(ring[3 * v], ring[3 * v + 1], ring[3 * v + 2] - lowerM + LIFT_M);
          positions.push(p.x, p.y, p.z);
          colours.push(rgb[0], rgb[1], rgb[2], 255);
        }
        // A cell is a parallelogram, or its cut by the face's outline (convex in all but rare cases): a fan, or earcut.
        const triangles = n === 4 ? [0, 1, 2, 0, 2, 3] : Cesium.PolygonPipeline.triangulate(
          Array.from({ length: n }, (_, v) => new Cesium.Cartesian2(ring[3 * v], ring[3 * v + 1])));
        for (const t of triangles) indices.push(first + t);
      });
    }
    this.cellCount = indices.length ? answer.samples : 0;
    if (!indices.length) return null;
    const values = new Float64Array(positions);
    const geometry = new Cesium.Geometry({
      attributes: {
        position: new Cesium.GeometryAttribute({ componentDatatype: Cesium.ComponentDatatype.DOUBLE, componentsPerAttribute: 3, values }),
        // Per-vertex colours under the name the per-instance-colour shader reads.
        color: new Cesium.GeometryAttribute({ componentDatatype: Cesium.ComponentDatatype.UNSIGNED_BYTE, componentsPerAttribute: 4,
          normalize: true, values: new Uint8Array(colours) }),
      },
      indices: new Uint32Array(indices),
      primitiveType: Cesium.PrimitiveType.TRIANGLES,
      boundingSphere: Cesium.BoundingSphere.fromVertices(values),
    });
    return new Cesium.Primitive({
      geometryInstances: new Cesium.GeometryInstance({ geometry }),
      appearance: new Cesium.PerInstanceColorAppearance({ flat: true, translucent: false }),
      asynchronous: false,
      allowPicking: false,      // a click goes through to the roof (the tiles' features say which building)
      shadows: Cesium.ShadowMode.RECEIVE_ONLY,
    });
  }

  #replace(primitive) {
    const primitives = this.scene.viewer.scene.primitives;
    if (this.primitive) primitives.remove(this.primitive);
    this.primitive = primitive;
    if (primitive) primitives.add(primitive);
  }

  #show(on) {
    if (this.primitive) this.primitive.show = on;
    this.scene.render();
  }

  #setState(state) {
    if (state === this.state) return;
    this.state = state;
    this.onState(state);
  }
}

const contains = (outer, inner) => outer[0] <= inner[0] && outer[1] <= inner[1] && outer[2] >= inner[2] && outer[3] >= inner[3];
