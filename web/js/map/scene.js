// The 3D scene: CesiumJS offline (no ion, the bundled NaturalEarthII imagery on the ellipsoid), the buildings' 3D Tiles
// stood on the ellipsoid, picking, the selected building's highlight and panels, the sun and shadows, map layers.
// Everything the page shows about a building comes from the API; this module only draws.

const TILESET_URL = '/api/v1/3dtiles/buildings/tileset.json';
const PANEL_LIFT_M = 0.08;          // above the roof plane, so that panels never flicker into it
const SELECTED_WALL = '#3a9bd9';
const SHADE_FLOOR = 0.78;          // a face turned away from the sun keeps this share of its colour (the sun adds the rest)
const OBSTACLE_COLOUR = '#2ec4c9'; // a teal no roof (the irradiation ramp) nor panel has: a resident's obstacles stand out

export class MapScene {
  /**
   * container: the element that receives the canvas; options.light: the cheap rendering used by headless browsers
   * (no anti-aliasing, atmosphere, fog or sky), as recorded in shared/notes/cesium-offline.md.
   */
  constructor(Cesium, container, { light = false } = {}) {
    this.Cesium = Cesium;
    Cesium.Ion.defaultAccessToken = '';
    const viewer = new Cesium.Viewer(container, {
      baseLayer: Cesium.ImageryLayer.fromProviderAsync(
        Cesium.TileMapServiceImageryProvider.fromUrl(Cesium.buildModuleUrl('Assets/Textures/NaturalEarthII'))),
      terrainProvider: new Cesium.EllipsoidTerrainProvider(),
      baseLayerPicker: false, geocoder: false, homeButton: false, sceneModePicker: false, navigationHelpButton: false,
      animation: false, timeline: false, fullscreenButton: false, infoBox: false, selectionIndicator: false,
      requestRenderMode: true, maximumRenderTimeChange: Infinity, msaaSamples: light ? 1 : 4, scene3DOnly: true,
      shadows: false, skyBox: light ? false : undefined, skyAtmosphere: light ? false : undefined,
    });
    this.viewer = viewer;
    const scene = viewer.scene;
    scene.globe.baseColor = Cesium.Color.fromCssColorString('#dcdad2');
    scene.globe.showGroundAtmosphere = !light;
    scene.fog.enabled = !light;
    scene.postProcessStages.fxaa.enabled = !light;
    scene.screenSpaceCameraController.enableCollisionDetection = true;
    viewer.shadowMap.softShadows = false;
    viewer.shadowMap.size = 2048;
    viewer.shadowMap.maximumDistance = 1500;
    viewer.shadowMap.darkness = 0.35;
    viewer.clock.shouldAnimate = false;
    presetBrdfLut(Cesium, scene);
    // The canvas is drawn by Cesium; the page gives it a name and lets the keyboard drive it.
    scene.canvas.setAttribute('aria-hidden', 'true');
    this.tileset = null;
    this.panels = new Cesium.CustomDataSource('panels');
    viewer.dataSources.add(this.panels);
    this.obstacles = new Cesium.CustomDataSource('obstacles');
    viewer.dataSources.add(this.obstacles);
    this.obstaclesOf = null;
    this.placeHandler = null;
    this.boundaries = new Cesium.CustomDataSource('boundaries');
    viewer.dataSources.add(this.boundaries);
    this.layers = new Map();
    this.selectedId = null;
    this.groundOffsetM = 0;
    this.clickHandlers = [];
    this.handler = new Cesium.ScreenSpaceEventHandler(scene.canvas);
    this.handler.setInputAction((click) => this.#click(click.position), Cesium.ScreenSpaceEventType.LEFT_CLICK);
    scene.camera.changed.addEventListener(() => this.onCameraChanged?.());
    scene.camera.moveEnd.addEventListener(() => this.onCameraMoved?.());
    scene.camera.percentageChanged = 0.05;
  }

  /** Loads the buildings' tileset (its tileset.json already fetched, for the metadata) and lowers it onto the ellipsoid. */
  async loadBuildings(tilesetJson) {
    const Cesium = this.Cesium;
    const props = tilesetJson.metadata?.properties ?? {};
    // The tiles carry true ellipsoidal heights; this globe has no terrain, so the whole set goes down by the region's
    // median ground (altitude + geoid undulation) to stand on the ellipsoid. Panels drawn here use the same offset.
    this.geoidUndulationM = props.geoidUndulationM ?? 0;
    this.referenceGroundAltitudeM = props.referenceGroundAltitudeM ?? 0;
    this.groundOffsetM = this.geoidUndulationM + this.referenceGroundAltitudeM;
    const tileset = await Cesium.Cesium3DTileset.fromUrl(TILESET_URL, {
      shadows: Cesium.ShadowMode.ENABLED,
      maximumScreenSpaceError: 16,
      enableCollision: true,
      // The roofs show the legend's colours, lit by the sun through a plain term (below), not Cesium's physically based
      // lighting: its shader and the sky's environment map it samples are the first frame's longest wait in a software
      // renderer (bench/map: docs/map.md#first-roofs), and they shade the ramp's colours away from the legend's.
      customShader: this.#surfaceShader(),
      environmentMapOptions: { enabled: false },
    });
    const region = tilesetJson.root.boundingVolume.region;
    const centre = Cesium.Cartesian3.fromRadians((region[0] + region[2]) / 2, (region[1] + region[3]) / 2, 0);
    const up = Cesium.Ellipsoid.WGS84.geodeticSurfaceNormal(centre, new Cesium.Cartesian3());
    tileset.modelMatrix = Cesium.Matrix4.fromTranslation(Cesium.Cartesian3.multiplyByScalar(up, -this.groundOffsetM, up));
    this.viewer.scene.primitives.add(tileset);
    this.tileset = tileset;
    this.regionRad = region;
    this.#footprintsAfterFirstRoofs(region);
    this.#restyle();
    return tileset;
  }

  /**
   * The buildings' shading: unlit (the vertex colour is the legend's sRGB colour, written as is) times a plain sun term,
   * so that walls and roof faces turned from the sun read as such and the shading follows the sun's controls; shadows,
   * when on, come from the shadow map as before.
   */
  #surfaceShader() {
    const Cesium = this.Cesium;
    return new Cesium.CustomShader({
      lightingModel: Cesium.LightingModel.UNLIT,
      fragmentShaderText: `
        void fragmentMain(FragmentInput fsInput, inout czm_modelMaterial material) {
          float sun = max(dot(normalize(material.normalEC), normalize(czm_lightDirectionEC)), 0.0);
          material.diffuse = czm_srgbToLinear(material.diffuse) * (${SHADE_FLOOR.toFixed(2)} + ${(1 - SHADE_FLOOR).toFixed(2)} * sun);
        }`,
    });
  }

  /**
   * The footprints come once the first roofs are drawn (or the first view's tiles are in, when it shows none): a second
   * imagery layer makes the globe's shader be built again, and that must not delay the roofs (bench/map).
   */
  #footprintsAfterFirstRoofs(region) {
    const scene = this.viewer.scene;
    let removeDrawn = null, removeLoaded = null;
    const add = () => {
      removeDrawn?.();
      removeLoaded?.();
      removeDrawn = removeLoaded = null;
      if (!this.footprintLayer) this.#footprints(region);
      scene.requestRender();
    };
    removeDrawn = scene.postRender.addEventListener(() => { if (this.tileset.statistics.numberOfCommands > 0) add(); });
    removeLoaded = this.tileset.initialTilesLoaded.addEventListener(add);
  }

  /**
   * Every building's footprint draped on the ground (the API's PNG tiles, from zoom 13): at a distance the 3D tiles show only
   * the largest buildings, the footprints show the streets and blocks a resident finds their way by.
   */
  #footprints(region) {
    const Cesium = this.Cesium;
    const margin = 0.0005;   // radians, ≈ 3 km: the tiles at the region's edge
    this.footprintLayer = this.viewer.imageryLayers.addImageryProvider(new Cesium.UrlTemplateImageryProvider({
      url: '/api/v1/map/footprints/{z}/{x}/{y}.png',
      tilingScheme: new Cesium.WebMercatorTilingScheme(),
      maximumLevel: 19,
      rectangle: new Cesium.Rectangle(region[0] - margin, region[1] - margin, region[2] + margin, region[3] + margin),
      credit: '',
    }));
  }

  /** Resolves when every tile needed for the current view is loaded and drawn. */
  tilesSettled() {
    const tileset = this.tileset;
    if (!tileset) return Promise.resolve();
    const scene = this.viewer.scene;
    return new Promise((resolve) => {
      let removeLoaded = null, removeRendered = null;
      const finish = () => {
        removeLoaded?.();
        removeRendered?.();
        removeLoaded = removeRendered = null;
        scene.requestRender();
        resolve();
      };
      removeLoaded = tileset.allTilesLoaded.addEventListener(finish);
      // When the view needs no new tile, allTilesLoaded never comes: the frame just drawn says all is loaded.
      removeRendered = scene.postRender.addEventListener(() => { if (tileset.tilesLoaded) finish(); });
      scene.requestRender();
    });
  }

  /** The camera on the whole tileset, seen from the south at 45°. */
  viewAll(duration = 0) {
    const Cesium = this.Cesium;
    const r = this.regionRad;
    if (!r) return;
    const rect = new Cesium.Rectangle(r[0], r[1], r[2], r[3]);
    const centre = Cesium.Rectangle.center(rect);
    const size = Math.max(Cesium.Rectangle.computeWidth(rect), Cesium.Rectangle.computeHeight(rect)) * 6378137;
    this.lookAt(Cesium.Math.toDegrees(centre.longitude), Cesium.Math.toDegrees(centre.latitude), Math.max(size * 0.9, 400), duration);
  }

  /** The camera looking at a point from the south at 45°, from a distance (m). */
  lookAt(lonDeg, latDeg, rangeM = 220, duration = 1.2) {
    const Cesium = this.Cesium;
    const target = Cesium.Cartesian3.fromDegrees(lonDeg, latDeg, 0);
    const sphere = new Cesium.BoundingSphere(target, 1);
    const offset = new Cesium.HeadingPitchRange(0, Cesium.Math.toRadians(-45), rangeM);
    return new Promise((resolve) => {
      if (duration <= 0) {
        this.viewer.camera.cancelFlight();
        this.viewer.camera.viewBoundingSphere(sphere, offset);
        this.viewer.camera.lookAtTransform(Cesium.Matrix4.IDENTITY);
        this.viewer.scene.requestRender();
        resolve();
        return;
      }
      this.viewer.camera.flyToBoundingSphere(sphere, { offset, duration, complete: resolve, cancel: resolve });
    });
  }

  /** The camera as URL numbers: lon, lat, height (m), heading, pitch (degrees). */
  cameraState() {
    const Cesium = this.Cesium;
    const c = this.viewer.camera;
    const p = c.positionCartographic;
    return { lon: Cesium.Math.toDegrees(p.longitude), lat: Cesium.Math.toDegrees(p.latitude), height: p.height,
      heading: Cesium.Math.toDegrees(c.heading), pitch: Cesium.Math.toDegrees(c.pitch) };
  }

  /** Puts the camera there at once; a flight still under way (a search's) is cancelled, or it would take the camera back. */
  setCamera({ lon, lat, height, heading = 0, pitch = -45 }) {
    const Cesium = this.Cesium;
    this.viewer.camera.cancelFlight();
    this.viewer.camera.setView({
      destination: Cesium.Cartesian3.fromDegrees(lon, lat, height),
      orientation: { heading: Cesium.Math.toRadians(heading), pitch: Cesium.Math.toRadians(pitch), roll: 0 },
    });
    this.viewer.scene.requestRender();
  }

  /** click(handler): handler({ buildingId }) for a building, ({ lon, lat }) for the ground, ({ layerFeature }) for a layer's. */
  onClick(handler) { this.clickHandlers.push(handler); }

  #click(position) {
    if (this.placeHandler) {
      this.placeHandler(this.pickRoofAt(position));
      return;
    }
    const hit = this.pickAt(position);
    if (hit) for (const h of this.clickHandlers) h(hit);
  }

  /**
   * Placing mode ("correct my roof"): until stopPlacing(), a click on the map goes to handler(pickRoofAt(click)) instead of
   * selecting what is under it. placeAtCentre() does the same for the crosshair (the keyboard's Enter).
   */
  startPlacing(handler) {
    this.placeHandler = handler;
    this.viewer.scene.canvas.style.cursor = 'crosshair';
  }

  stopPlacing() {
    this.placeHandler = null;
    this.viewer.scene.canvas.style.cursor = '';
  }

  placeAtCentre() {
    const canvas = this.viewer.scene.canvas;
    this.#click(new this.Cesium.Cartesian2(canvas.clientWidth / 2, canvas.clientHeight / 2));
  }

  /**
   * What a click in placing mode hit: { buildingId (null off the buildings), lon, lat } — the point on the surface drawn
   * there (a roof, a panel on it, an obstacle), else on the ground.
   */
  pickRoofAt(position) {
    const Cesium = this.Cesium;
    const scene = this.viewer.scene;
    const picked = this.#throughHeatMap(() => scene.pick(position));
    let buildingId = null;
    if (picked instanceof Cesium.Cesium3DTileFeature) buildingId = Number(picked.getProperty('buildingId'));
    else if (picked?.id instanceof Cesium.Entity && picked.id.properties?.buildingId) buildingId = Number(picked.id.properties.buildingId.getValue());
    const world = buildingId !== null && scene.pickPositionSupported ? this.#throughHeatMap(() => scene.pickPosition(position)) : null;
    const point = world ?? scene.camera.pickEllipsoid(position, scene.globe.ellipsoid);
    if (!point) return { buildingId, lon: null, lat: null };
    const c = Cesium.Cartographic.fromCartesian(point);
    return { buildingId, lon: Cesium.Math.toDegrees(c.longitude), lat: Cesium.Math.toDegrees(c.latitude) };
  }

  /**
   * Draws a building's obstacles as boxes: each { id, ringWgs84 ([lon, lat] corners), baseAltitudeM, topAltitudeM }
   * (NGF-IGN69; the base under the roof, so that the box stands on the sloping face), or flat on the roof when topAltitudeM
   * is null (ringWgs84 then has [lon, lat, altitude] corners). Another building's are taken away.
   */
  drawObstacles(buildingId, boxes) {
    const Cesium = this.Cesium;
    this.obstacles.entities.removeAll();
    this.obstaclesOf = buildingId;
    const fill = Cesium.Color.fromCssColorString(OBSTACLE_COLOUR);
    const edge = Cesium.Color.fromCssColorString('#0b2b2c');
    const lower = (altitudeM) => altitudeM - this.referenceGroundAltitudeM;
    for (const box of boxes) {
      const flat = box.topAltitudeM === null;
      this.obstacles.entities.add({
        id: `obstacle-${buildingId}-${box.id}`,
        properties: { buildingId, obstacle: box.id },
        polygon: flat ? {
          hierarchy: Cesium.Cartesian3.fromDegreesArrayHeights(box.ringWgs84.flatMap(([lon, lat, z]) => [lon, lat, lower(z) + PANEL_LIFT_M * 2])),
          perPositionHeight: true, material: fill, outline: true, outlineColor: edge,
        } : {
          hierarchy: Cesium.Cartesian3.fromDegreesArray(box.ringWgs84.flat()),
          height: lower(box.baseAltitudeM), extrudedHeight: lower(box.topAltitudeM),
          material: fill, outline: true, outlineColor: edge, shadows: Cesium.ShadowMode.ENABLED,
        },
      });
    }
    this.viewer.scene.requestRender();
  }

  /**
   * fn() with the heat map hidden: its cells lie just above the roofs and, pickable or not, Cesium draws them in the pick
   * pass, where they hid the roof from every click up close (the building came back only through the ground's `closest`).
   */
  #throughHeatMap(fn) {
    const cells = this.heatMap?.primitive;
    const shown = cells?.show;
    if (cells) cells.show = false;
    try {
      return fn();
    } finally {
      if (cells) cells.show = shown;
    }
  }

  /** What is under a window position (canvas pixels). */
  pickAt(position) {
    const Cesium = this.Cesium;
    const scene = this.viewer.scene;
    const picked = this.#throughHeatMap(() => scene.pick(position));
    if (picked instanceof Cesium.Cesium3DTileFeature) {
      return { buildingId: Number(picked.getProperty('buildingId')), faceNo: Number(picked.getProperty('faceNo')) };
    }
    if (picked?.id instanceof Cesium.Entity) {
      const entity = picked.id;
      // A resident's obstacle is part of the report being edited: a click on it must not reload the building.
      if (entity.properties?.obstacle) return null;
      if (entity.properties?.buildingId) return { buildingId: entity.properties.buildingId.getValue() };
      for (const [id, layer] of this.layers) {
        if (layer.dataSource.entities.contains(entity)) return { layerFeature: { datasetId: id, title: layer.title, entity } };
      }
    }
    const ground = scene.camera.pickEllipsoid(position, scene.globe.ellipsoid);
    if (!ground) return null;
    const c = Cesium.Cartographic.fromCartesian(ground);
    return { lon: Cesium.Math.toDegrees(c.longitude), lat: Cesium.Math.toDegrees(c.latitude) };
  }

  /** What is at the centre of the view (the keyboard's "select"). */
  pickCentre() {
    const canvas = this.viewer.scene.canvas;
    return this.pickAt(new this.Cesium.Cartesian2(canvas.clientWidth / 2, canvas.clientHeight / 2));
  }

  /** Pans (metres, east and north on the screen's axes) or zooms (factor) from the keyboard. */
  nudge({ right = 0, up = 0, zoom = 0 }) {
    const camera = this.viewer.camera;
    const height = Math.max(camera.positionCartographic.height, 50);
    if (right) camera.moveRight(right * height * 0.15);
    if (up) camera.moveUp(up * height * 0.15);
    if (zoom) camera.zoomIn(zoom * height * 0.3);
    this.viewer.scene.requestRender();
  }

  /** Highlights a building (its walls tinted; roofs keep their irradiation colours) or none. */
  select(buildingId) {
    this.selectedId = buildingId ?? null;
    // Another building's obstacles and placing mode do not outlive its selection.
    if (this.obstaclesOf !== this.selectedId) {
      this.obstacles.entities.removeAll();
      this.obstaclesOf = null;
      this.onSelectionChanged?.();
    }
    this.#restyle();
  }

  #restyle() {
    if (!this.tileset) return;
    const Cesium = this.Cesium;
    const id = this.selectedId;
    this.tileset.style = id === null ? undefined : new Cesium.Cesium3DTileStyle({
      color: { conditions: [[`\${buildingId} === ${Number(id)} && \${faceNo} === 0`, `color('${SELECTED_WALL}')`], ['true', "color('white')"]] },
    });
    this.viewer.scene.requestRender();
  }

  /** Draws the report's panels on the roof (their polygons and altitudes as the API gives them). */
  drawPanels(report) {
    const Cesium = this.Cesium;
    this.panels.entities.removeAll();
    for (const panel of report?.panels ?? []) {
      const ring = panel.polygonWgs84?.coordinates?.[0];
      if (!ring || ring.length < 4) continue;
      const flat = [];
      for (const [lon, lat, z] of ring.slice(0, -1)) flat.push(lon, lat, (z ?? 0) - this.referenceGroundAltitudeM + PANEL_LIFT_M);
      this.panels.entities.add({
        id: `panel-${report.building.id}-${panel.faceNo}-${panel.panelNo}`,
        properties: { buildingId: report.building.id },
        polygon: {
          hierarchy: Cesium.Cartesian3.fromDegreesArrayHeights(flat),
          perPositionHeight: true,
          material: Cesium.Color.fromCssColorString('#14213d').withAlpha(0.92),
          outline: true,
          outlineColor: Cesium.Color.fromCssColorString('#c0c8d8'),
          shadows: Cesium.ShadowMode.RECEIVE_ONLY,
        },
      });
    }
    this.viewer.scene.requestRender();
  }

  /** The sun at a moment (a Date), shadows on or off. */
  setSun(date, shadows) {
    const Cesium = this.Cesium;
    this.viewer.clock.currentTime = Cesium.JulianDate.fromDate(date);
    this.viewer.shadows = shadows;
    this.viewer.scene.requestRender();
  }

  /** The sun's elevation above the horizon (degrees) at a point, at the clock's time. */
  sunElevationDeg(lonDeg, latDeg) {
    const Cesium = this.Cesium;
    const time = this.viewer.clock.currentTime;
    const sunInertial = Cesium.Simon1994PlanetaryPositions.computeSunPositionInEarthInertialFrame(time);
    const toFixed = Cesium.Transforms.computeIcrfToFixedMatrix(time) ?? Cesium.Transforms.computeTemeToPseudoFixedMatrix(time);
    const sun = Cesium.Matrix3.multiplyByVector(toFixed, sunInertial, new Cesium.Cartesian3());
    const here = Cesium.Cartesian3.fromDegrees(lonDeg, latDeg, 0);
    const up = Cesium.Ellipsoid.WGS84.geodeticSurfaceNormal(here, new Cesium.Cartesian3());
    const toSun = Cesium.Cartesian3.normalize(Cesium.Cartesian3.subtract(sun, here, new Cesium.Cartesian3()), new Cesium.Cartesian3());
    return Cesium.Math.toDegrees(Math.asin(Cesium.Cartesian3.dot(up, toSun)));
  }

  /** Commune boundaries (GeoJSON in WGS84) as outlines on the ground. */
  showBoundaries(geojson) {
    const Cesium = this.Cesium;
    this.boundaries.entities.removeAll();
    for (const feature of geojson?.features ?? []) {
      const polygons = feature.geometry?.type === 'MultiPolygon' ? feature.geometry.coordinates
        : feature.geometry?.type === 'Polygon' ? [feature.geometry.coordinates] : [];
      for (const polygon of polygons) {
        // The globe is the bare ellipsoid and the buildings stand on it: height 0 is the ground, no clamping needed.
        this.boundaries.entities.add({
          polyline: {
            positions: Cesium.Cartesian3.fromDegreesArray(polygon[0].flat()),
            width: 2,
            material: new Cesium.PolylineDashMaterialProperty({ color: Cesium.Color.fromCssColorString('#3a3a5c') }),
          },
        });
      }
    }
    this.viewer.scene.requestRender();
  }

  /** Adds a partner dataset (a GeoJSON URL) as a layer: points, lines and polygons on the ground. */
  async addLayer(datasetId, title, url, colour) {
    const Cesium = this.Cesium;
    const c = Cesium.Color.fromCssColorString(colour);
    // Lines and polygons on the ground; points as dots at height 0 (the globe is the ellipsoid, so that is the ground:
    // clamping thousands of points would sample the globe for each), drawn over the buildings so none hides behind a roof.
    const dataSource = await Cesium.GeoJsonDataSource.load(url, { clampToGround: true, stroke: c, fill: c.withAlpha(0.35), strokeWidth: 3 });
    for (const entity of dataSource.entities.values) {
      if (entity.billboard) {
        entity.billboard = undefined;
        entity.point = new Cesium.PointGraphics({ pixelSize: 9, color: c, outlineColor: Cesium.Color.WHITE, outlineWidth: 1.5,
          disableDepthTestDistance: Number.POSITIVE_INFINITY });
      }
    }
    await this.viewer.dataSources.add(dataSource);
    this.layers.set(datasetId, { dataSource, title });
    this.viewer.scene.requestRender();
    return dataSource.entities.values.length;
  }

  removeLayer(datasetId) {
    const layer = this.layers.get(datasetId);
    if (!layer) return;
    this.viewer.dataSources.remove(layer.dataSource, true);
    this.layers.delete(datasetId);
    this.viewer.scene.requestRender();
  }

  /** A canvas position (CSS pixels) of a geographic point at a height, for placing a popup. */
  toWindow(lonDeg, latDeg, heightM = 0) {
    const Cesium = this.Cesium;
    return Cesium.SceneTransforms.worldToWindowCoordinates(this.viewer.scene, Cesium.Cartesian3.fromDegrees(lonDeg, latDeg, heightM));
  }

  render() { this.viewer.scene.requestRender(); }
}

const BRDF_LUT_SIZE = 256;

/**
 * Cesium's split-sum BRDF table (x: n·v, y: roughness → scale and bias of the specular term), given before the first model
 * instead of rendered. Cesium renders it the first time a model is updated, lit or not: a 256×256 pass of 1,024 importance
 * samples a texel whose compile and draw held a software renderer (SwiftShader) for 1.3–1.5 s while the first roofs waited
 * (bench/map: docs/map.md#first-roofs). The buildings are unlit (their CustomShader) and never read it; a physically based
 * model would read Karis's analytic fit of the same integral ("Physically Based Shading on Mobile", 2014), computed here in
 * a few milliseconds. Cesium's generator keeps a table it already has (and destroys it with the scene); a Cesium without
 * that generator is left as it is.
 */
function presetBrdfLut(Cesium, scene) {
  const generator = scene._brdfLutGenerator;
  if (!generator || generator._colorTexture !== undefined || !Cesium.Texture) return;
  const n = BRDF_LUT_SIZE;
  const texels = new Uint8Array(n * n * 4);
  for (let j = 0; j < n; j++) {
    const roughness = (j + 0.5) / n;
    const [rx, ry, rz, rw] = [1 - roughness, 0.0425 - 0.0275 * roughness, 1.04 - 0.572 * roughness, 0.022 * roughness - 0.04];
    for (let i = 0; i < n; i++) {
      const nDotV = (i + 0.5) / n;
      const a004 = Math.min(rx * rx, 2 ** (-9.28 * nDotV)) * rx + ry;
      const o = (j * n + i) * 4;
      texels[o] = Math.round(255 * Math.min(Math.max(-1.04 * a004 + rz, 0), 1));
      texels[o + 1] = Math.round(255 * Math.min(Math.max(1.04 * a004 + rw, 0), 1));
      texels[o + 3] = 255;
    }
  }
  generator._colorTexture = new Cesium.Texture({
    context: scene.context, width: n, height: n, flipY: false, source: { width: n, height: n, arrayBufferView: texels },
  });
}
