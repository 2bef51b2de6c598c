// "Correct my roof" on the 3D view: the resident's obstacles drawn as boxes on their roof, and the placing mode in which a
// click on the roof (or Enter at the crosshair) says where one stands. Words over the map say what to do and why a click
// was not taken; Escape cancels. roofPanel.js owns the form and decides what a click means; this module draws and listens.
import { h, replace } from '/js/common/dom.js';
import { t } from '/js/common/i18n.js';
import { squareAt, altitudeOn } from './roofGeometry.js';

/** How far below the face's lowest corner a box starts (m): its walls go into the roof, never float above a sloping one. */
const BOX_FOOT_M = 0.1;

export class ObstacleMap {
  /** scene: the MapScene; mapElement: the focusable map region the words go over. */
  constructor(scene, mapElement) {
    this.scene = scene;
    this.mapElement = mapElement;
    this.session = null;
    this.prompt = h('p', { class: 'fr-text--sm fr-text--bold fr-mb-1w', id: 'map-placing-prompt' });
    // A live region from the start, so that each refusal is read out when it is written.
    this.message = h('p', { class: 'fr-text--sm fr-mb-1w sr-placing__message', id: 'map-placing-message', role: 'status' });
    this.banner = h('div', { class: 'sr-placing', id: 'map-placing', hidden: true }, this.prompt, this.message,
      h('button', { class: 'fr-btn fr-btn--sm fr-btn--secondary', type: 'button', id: 'map-placing-cancel', onclick: () => this.stop() },
        t('map.place.cancel')));
    mapElement.append(this.banner);
    scene.onSelectionChanged = () => this.stop();
    this.onKey = (e) => {
      if (!this.session) return;
      if (e.key === 'Escape') {
        e.preventDefault();
        e.stopPropagation();
        this.stop();
      } else if ((e.key === 'Enter' || e.key === ' ') && (e.target === this.mapElement || e.target === this.scene.viewer.scene.canvas)) {
        // The map's own Enter selects the building at the crosshair; while placing it places there instead.
        e.preventDefault();
        e.stopPropagation();
        this.scene.placeAtCentre();
      }
    };
  }

  /**
   * Draws a building's obstacles, each { id, face (its GeoJSON outline with altitudes), lon, lat (its centre), sizeM,
   * heightM }: a box of that side whose top is heightM above the face at its centre (as the what-if API lifts it), or a
   * square flat on the face when heightM is 0. The others' are taken away.
   */
  draw(buildingId, obstacles) {
    const boxes = [];
    for (const o of obstacles) {
      const corners = squareAt(o.lon, o.lat, o.sizeM).coordinates[0].slice(0, -1);
      const centre = altitudeOn(o.face, o.lon, o.lat);
      if (centre === null) continue;   // a face without altitudes: nothing to stand it on
      const onFace = corners.map(([lon, lat]) => altitudeOn(o.face, lon, lat));
      boxes.push(o.heightM > 0
        ? { id: o.id, ringWgs84: corners, baseAltitudeM: Math.min(...onFace) - BOX_FOOT_M, topAltitudeM: centre + o.heightM }
        : { id: o.id, ringWgs84: corners.map(([lon, lat], i) => [lon, lat, onFace[i]]), topAltitudeM: null });
    }
    this.scene.drawObstacles(buildingId, boxes);
  }

  /** True while a click is awaited. */
  get placing() { return this.session !== null; }

  /**
   * Placing mode: `prompt` over the map until a click is taken, or Escape. onPick(hit) gets each click (scene.pickRoofAt's
   * { buildingId, lon, lat }) and returns null when it takes it (the mode ends) or the words saying why not (the mode goes
   * on); onEnd(placed) comes once, at the end. The focus goes to the map, whose description then starts with the prompt.
   */
  start({ prompt, onPick, onEnd }) {
    this.stop();
    const session = { onPick, onEnd, describedBy: this.mapElement.getAttribute('aria-describedby') };
    this.session = session;
    replace(this.prompt, prompt);
    this.message.textContent = '';
    this.banner.hidden = false;
    this.mapElement.setAttribute('aria-describedby', ['map-placing-prompt', session.describedBy].filter(Boolean).join(' '));
    this.mapElement.dataset.placing = 'true';
    this.scene.startPlacing((hit) => {
      if (this.session !== session) return;
      const refusal = session.onPick(hit);
      if (refusal) this.message.textContent = refusal;
      else this.#end(true);
    });
    document.addEventListener('keydown', this.onKey, true);
    this.mapElement.focus();
  }

  /** Leaves placing mode (nothing placed), if in it. */
  stop() {
    if (this.session) this.#end(false);
  }

  #end(placed) {
    const session = this.session;
    this.session = null;
    this.scene.stopPlacing();
    document.removeEventListener('keydown', this.onKey, true);
    this.banner.hidden = true;
    if (session.describedBy) this.mapElement.setAttribute('aria-describedby', session.describedBy);
    else this.mapElement.removeAttribute('aria-describedby');
    delete this.mapElement.dataset.placing;
    session.onEnd?.(placed);
  }
}
