// The resident's 3D solar map, the home page: find an address (or click a roof), see the roof in 3D coloured by sunshine,
// read its report (panels, production per month, cost and payback), play the sun over a day and a year, share or print.
// Works without WebGL (the report alone) and says so when the API is down; nothing is fetched outside this site.
import { initPage, setTitle } from '/js/common/chrome.js';
import { api, ApiError } from '/js/common/api.js';
import { h, replace, $ } from '/js/common/dom.js';
import { t } from '/js/common/i18n.js';
import { hasWebGl, loadCesium } from './cesium-loader.js';
import { MapScene } from './scene.js';
import { setUpSearch } from './search.js';
import { renderReport } from './roofPanel.js';
import { renderLegend } from './legend.js';
import { readState, writeState } from './urlState.js';
import { setUpSun, elevationText } from './sun.js';
import { listLayers, renderPopup } from './layers.js';
import { HeatMap } from './heatmap.js';
import { ObstacleMap } from './obstacleMap.js';

const state = { building: null, report: null, date: null, hour: null, layers: [], camera: null, sunInstant: null };
let scene = null;
let heatMap = null;
let communes = null;
let sceneStarted = false;   // the 3D view is up (or will never be): selections go on the scene from then on
let chart = null;
let roofObstacles = null;   // the ObstacleMap, made with the first report that needs it
let saveTimer = 0;

// Cesium.js (downloading since /js/map/head.js) runs from here, its ≈ 1 s of evaluation while the dictionary and the
// tileset are fetched, not after them (docs/map.md#first-roofs).
const cesiumLoading = hasWebGl() ? loadCesium() : null;
cesiumLoading?.catch(() => { /* said by startScene */ });
await initPage({ page: 'map', title: 'map.title' });
const initial = readState();
state.layers = initial.layers;

const els = {
  report: $('#report'),
  message: $('#map-message'),
  map: $('#map'),
  popup: $('#layer-popup'),
};

setUpSearch({ form: $('#search-form'), input: $('#search-input'), list: $('#search-list'), status: $('#search-status') },
  (match) => selectAt(match.longitude, match.latitude, match.label));

setUpSun({
  date: $('#sun-date'), hour: $('#sun-hour'), hourOutput: $('#sun-hour-output'), shadows: $('#sun-shadows'),
  presets: [...document.querySelectorAll('[data-sun-preset]')],
}, initial, ({ date, hour, instant, shadows }) => {
  state.date = shadows ? date : null;
  state.hour = shadows ? hour : null;
  state.sunInstant = instant;
  scene?.setSun(instant, shadows);
  updateElevation();
  saveUrl();
});

// A linked building's report (?building=, e.g. from the barometer) is fetched while the 3D view starts, not after it.
const linkedReport = initial.building !== null ? selectBuilding(initial.building, { fly: false }) : null;
await startScene();
sceneStarted = true;
if (linkedReport) {
  await linkedReport;
  if (state.report) await placeOnScene(state.report, { fly: !initial.camera });
}
layersPanel();

async function startScene() {
  let tilesetJson = null;
  try {
    tilesetJson = await api('/api/v1/3dtiles/buildings/tileset.json', { retries: 1 });
    renderLegend($('#legend'), tilesetJson.extras?.legend);
  } catch (error) {
    renderLegend($('#legend'), null);
    showMessage(error instanceof ApiError && error.code === 'tiles_not_built' ? t('map.message.tilesNotBuilt') : apiDown(error));
  }
  if (!hasWebGl()) {
    document.body.classList.add('sr-no-webgl');
    replace(els.map, h('div', { class: 'fr-alert fr-alert--info', id: 'no-webgl' },
      h('h2', { class: 'fr-alert__title' }, t('map.message.noWebglTitle')), h('p', {}, t('map.message.noWebgl'))));
    document.body.dataset.mapReady = 'no-webgl';
    return;
  }
  let Cesium;
  try {
    Cesium = await cesiumLoading;
  } catch (error) {
    showMessage(t('map.message.cesiumFailed', { message: error.message }));
    document.body.dataset.mapReady = 'failed';
    return;
  }
  scene = new MapScene(Cesium, $('#map-canvas'), { light: navigator.webdriver === true });
  window.smartregionMap = scene;   // for the browser tests and the benchmark: the scene they drive and wait on
  scene.onClick(onMapClick);
  scene.onCameraChanged = () => { state.camera = scene.cameraState(); saveUrl(); };
  if (state.sunInstant) scene.setSun(state.sunInstant, state.date !== null);
  if (tilesetJson) {
    try {
      await scene.loadBuildings(tilesetJson);
      heatMap = new HeatMap(scene, tilesetJson.extras?.legend?.stops, heatMapState);
      scene.heatMap = heatMap;
      scene.onCameraMoved = () => heatMap.refresh();
      $('#heatmap-toggle').addEventListener('change', (e) => heatMap.setEnabled(e.target.checked));
    } catch (error) {
      showMessage(t('map.message.tilesFailed', { message: error.message }));
    }
  }
  if (initial.camera) scene.setCamera(initial.camera);
  else if (initial.lookAt) await scene.lookAt(initial.lookAt.lon, initial.lookAt.lat, 300, 0);
  else if (initial.commune) await frameCommune(initial.commune);
  else scene.viewAll(0);
  boundaries();
  setUpKeyboard();
  heatMap?.refresh();
  await scene.tilesSettled();
  document.body.dataset.mapReady = 'true';
}

function onMapClick(hit) {
  if (hit.layerFeature) {
    renderPopup(els.popup, hit.layerFeature, scene.viewer.clock.currentTime, () => { els.popup.hidden = true; els.map.focus(); });
    return;
  }
  els.popup.hidden = true;
  if (hit.buildingId !== undefined) selectBuilding(hit.buildingId, { fly: false });
  else selectAt(hit.lon, hit.lat);
}

/** The building at a point (through the solar API's closest), its report, and the camera on it. */
async function selectAt(lon, lat, label = null) {
  showBusy();
  try {
    const report = await api(`/api/v1/solar/buildings/closest?lat=${lat}&lon=${lon}`, { retries: 1 });
    await show(report, { fly: true });
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) {
      showReportMessage(t('map.report.noneHere', { place: label ?? `${lat.toFixed(5)}, ${lon.toFixed(5)}` }));
      await scene?.lookAt(lon, lat, 300);
    } else {
      showReportMessage(apiDown(error), true);
    }
  }
}

async function selectBuilding(id, { fly }) {
  showBusy();
  try {
    const report = await api(`/api/v1/solar/buildings/${id}`, { retries: 1 });
    await show(report, { fly });
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) {
      state.building = id;
      scene?.select(id);
      scene?.drawPanels(null);
      renderReport(els.report, { building: { id, source: '—', sourceId: '—' }, status: 'none', reason: null });
      focusReport();
      saveUrl();
    } else {
      showReportMessage(apiDown(error), true);
    }
  }
}

async function show(report, { fly }) {
  state.building = report.building.id;
  state.report = report;
  renderReport(els.report, report, {
    onPrint: () => window.print(),
    onShare: share,
    chartHost: drawChart,
    onWhatIf: whatIf,
    roofMap: obstacleMap,
  });
  setTitle(report.address?.label ?? t('map.report.buildingNo', { id: report.building.id }));
  focusReport();
  if (sceneStarted) await placeOnScene(report, { fly });
  updateElevation();
  saveUrl();
}

/**
 * The roof computed again with the resident's corrections (POST …/what-if: nothing is stored), shown as a simulation beside
 * the official figures, its panels on the roof; "back" shows the official report again. A failure is thrown to the form,
 * which says it beside the field the API names. An answer that comes after another building was chosen is dropped.
 */
async function whatIf(body) {
  const official = state.report;
  const answer = await api(`/api/v1/solar/buildings/${official.building.id}/what-if`, { method: 'POST', body });
  if (state.report !== official) return;
  renderReport(els.report, answer, {
    onPrint: () => window.print(),
    onShare: share,
    chartHost: drawChart,
    onWhatIf: whatIf,
    roofMap: obstacleMap,
    onOfficial: () => show(official, { fly: false }),
    official,
  });
  scene?.drawPanels(answer);
  $('#report-simulation')?.focus();
}

/** "Correct my roof"'s obstacles on the 3D view, once there is one (null without it). */
function obstacleMap() {
  if (!scene) return null;
  roofObstacles ??= new ObstacleMap(scene, els.map);
  return roofObstacles;
}

/** The building selected in 3D, its panels drawn, and the camera on it when asked. */
async function placeOnScene(report, { fly }) {
  if (!scene) return;
  scene.select(report.building.id);
  scene.drawPanels(report);
  if (fly) await scene.lookAt(report.centre.lon, report.centre.lat, 160);
  updateElevation();
}

function drawChart(canvas, labels, values) {
  import('/vendor/chart.js/chart.umd.min.js').then(() => {
    chart?.destroy();
    chart = new globalThis.Chart(canvas, {
      type: 'bar',
      data: { labels, datasets: [{ label: t('map.units.kwh'), data: values, backgroundColor: '#f1605d', borderColor: '#b73779', borderWidth: 1 }] },
      options: { animation: false, responsive: true, maintainAspectRatio: false, plugins: { legend: { display: false } },
        scales: { y: { beginAtZero: true, title: { display: true, text: 'kWh' } } } },
    });
  }).catch(() => { /* the table under the chart says the same */ });
}

function focusReport() {
  $('#report-title')?.focus({ preventScroll: false });
}

function showBusy() {
  els.report.setAttribute('aria-busy', 'true');
  setTimeout(() => els.report.removeAttribute('aria-busy'), 0);
}

function showReportMessage(text, isError = false) {
  replace(els.report, h('div', { class: `fr-alert fr-alert--${isError ? 'error' : 'info'} fr-alert--sm`, role: isError ? 'alert' : 'status', id: 'report-message' },
    h('p', {}, text)));
}

function showMessage(text) {
  replace(els.message, h('div', { class: 'fr-alert fr-alert--warning fr-alert--sm', role: 'alert' }, h('p', {}, text)));
}

function apiDown(error) {
  return error instanceof ApiError && (error.status === 0 || error.status >= 500)
    ? t('map.message.apiDown') : t('map.message.apiError', { message: error.message });
}

function heatMapState(state) {
  const out = $('#heatmap-status');
  if (out) out.textContent = t(`map.heatmap.${state}`);
}

function updateElevation() {
  const out = $('#sun-elevation');
  if (!scene || !out) return;
  const where = state.report?.centre ?? (state.camera ? { lon: state.camera.lon, lat: state.camera.lat } : null);
  out.textContent = where ? elevationText(scene.sunElevationDeg(where.lon, where.lat)) : '';
}

function saveUrl() {
  clearTimeout(saveTimer);
  saveTimer = setTimeout(() => writeState(state), 250);
}

async function share() {
  const url = writeState(state);
  const out = $('#share-status') ?? els.report.appendChild(h('p', { id: 'share-status', class: 'fr-text--sm', role: 'status' }));
  try {
    await navigator.clipboard.writeText(url);
    out.textContent = t('map.report.shareCopied', { url });
  } catch {
    out.textContent = t('map.report.shareUrl', { url });
  }
}

async function layersPanel() {
  await listLayers($('#layers-host'), state.layers, async (dataset, colour, on) => {
    state.layers = on ? [...new Set([...state.layers, dataset.id])] : state.layers.filter((id) => id !== dataset.id);
    saveUrl();
    if (!scene) return;
    if (!on) { scene.removeLayer(dataset.id); return; }
    try {
      await scene.addLayer(dataset.id, dataset.title, `/api/v1/datasets/${encodeURIComponent(dataset.id)}/export.geojson`, colour);
    } catch (error) {
      showMessage(t('map.layers.loadFailed', { title: dataset.title, message: error.message }));
    }
  });
}

// The communes' boundaries, fetched once (the barometer's GET /api/v1/barometer/boundaries.geojson): drawn for orientation
// and used to frame ?commune=<INSEE code>. (`communes`, the promise, is declared at the top: the page starts before here.)
function communeBoundaries() {
  communes ??= api('/api/v1/barometer/boundaries.geojson?tolerance=5', { retries: 1 });
  return communes;
}

async function boundaries() {
  if (!scene) return;
  try {
    scene.showBoundaries(await communeBoundaries());
  } catch {
    // Boundaries only help orientation; without them the map works.
  }
}

async function frameCommune(code) {
  try {
    const geojson = await communeBoundaries();
    const feature = geojson.features?.find((f) => f.properties?.code === code);
    const coords = feature?.geometry?.coordinates?.flat(feature.geometry.type === 'MultiPolygon' ? 2 : 1) ?? [];
    if (!coords.length) {
      showMessage(t('map.message.communeUnknown', { code }));
      scene.viewAll(0);
      return;
    }
    const lons = coords.map((c) => c[0]);
    const lats = coords.map((c) => c[1]);
    const lon = (Math.min(...lons) + Math.max(...lons)) / 2;
    const lat = (Math.min(...lats) + Math.max(...lats)) / 2;
    const spanM = Math.max((Math.max(...lons) - Math.min(...lons)) * Math.cos((lat * Math.PI) / 180), Math.max(...lats) - Math.min(...lats)) * 111_320;
    await scene.lookAt(lon, lat, Math.max(spanM * 1.3, 500), 0);
  } catch {
    scene.viewAll(0);
  }
}

/** The map by keyboard: arrows pan, + and − zoom, Enter selects the building at the centre (the crosshair). */
function setUpKeyboard() {
  els.map.addEventListener('keydown', (e) => {
    const moves = { ArrowLeft: { right: -1 }, ArrowRight: { right: 1 }, ArrowUp: { up: 1 }, ArrowDown: { up: -1 }, '+': { zoom: 1 }, '=': { zoom: 1 }, '-': { zoom: -1 } };
    if (moves[e.key]) { scene.nudge(moves[e.key]); e.preventDefault(); return; }
    if (e.key === 'Enter' || e.key === ' ') {
      const hit = scene.pickCentre();
      if (hit) onMapClick(hit);
      e.preventDefault();
    }
  });
}
