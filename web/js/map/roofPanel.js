// The roof report in the side panel, from the solar API's JSON as it is: address and suitability, the faces, panels, kWp,
// kWh/yr and the monthly chart, cost, savings and payback with editable assumptions, the uncertainty band, provenance.
// Every number is the API's, rounded to the unit shown; edited assumptions recompute the money figures with finance.js.
import { h, replace } from '/js/common/dom.js';
import { t, formatNumber, formatDateTime, language } from '/js/common/i18n.js';
import { evaluate, financeParameters, forSize } from './finance.js';
import { squareAt, overlapM2, faceCentre, distanceToFaceM, altitudeOn } from './roofGeometry.js';

const MONTHS = 12;

/** Orientation of a compass azimuth in words (8 points), e.g. "sud-est". */
export function orientationWords(azimuthDeg, tiltDeg) {
  if (tiltDeg !== undefined && tiltDeg < 0.5) return t('map.orientation.flat');
  const points = ['n', 'ne', 'e', 'se', 's', 'sw', 'w', 'nw'];
  return t(`map.orientation.${points[Math.round((((azimuthDeg % 360) + 360) % 360) / 45) % 8]}`);
}

/** The best (highest) suitability class of the faces, 0 when none. */
export function bestClass(report) {
  return Math.max(0, ...(report.roofFaces ?? []).map((f) => f.suitabilityClass ?? 0));
}

const n = (value, digits = 0) => (value === null || value === undefined || Number.isNaN(value) ? '—'
  : formatNumber(value, { minimumFractionDigits: digits, maximumFractionDigits: digits }));

/** Draws the report of a building (or the reason it has none) into the panel. */
export function renderReport(panel, report, { onPrint, onShare, chartHost, onWhatIf, onOfficial, official, roofMap } = {}) {
  const title = report.address?.label ?? t('map.report.buildingNo', { id: report.building.id });
  const head = h('div', { class: 'sr-report__head' },
    h('h2', { id: 'report-title', class: 'fr-h4 fr-mb-1w', tabindex: '-1' }, title),
    h('p', { class: 'fr-text--sm fr-mb-1w sr-muted' }, t('map.report.buildingLine', {
      id: report.building.id, source: report.building.source, sourceId: report.building.sourceId })));
  if (report.status !== 'ok') {
    replace(panel, head, statusBox(report));
    return;
  }
  const cls = bestClass(report);
  const parts = [
    head,
    report.simulation ? h('div', { class: 'fr-alert fr-alert--warning fr-alert--sm fr-mb-2w', id: 'report-simulation', role: 'status', tabindex: '-1' },
      h('p', {}, t('map.correct.simulation')),
      official ? h('p', { id: 'report-official-figures' }, t('map.correct.officialWas', { panels: n(official.panelCount), kwh: n(official.annualKwhAc) })) : '',
      h('button', { class: 'fr-btn fr-btn--sm fr-btn--tertiary fr-mt-1w sr-no-print', type: 'button', id: 'correct-back', onclick: onOfficial },
        t('map.correct.back'))) : '',
    h('p', { class: `fr-badge fr-badge--no-icon sr-class sr-class--${cls}`, id: 'report-suitability' },
      t('map.report.suitability', { label: t(`map.classes.${cls}`) })),
    keyFigures(report),
    h('h3', { class: 'fr-h6 fr-mt-3w' }, t('map.report.monthlyTitle')),
    monthly(report, chartHost),
    financeSection(report),
    uncertainty(report),
    h('h3', { class: 'fr-h6 fr-mt-3w' }, t('map.report.facesTitle')),
    facesTable(report),
    correction(report, onWhatIf, roofMap),
    provenance(report),
    h('ul', { class: 'fr-btns-group fr-btns-group--inline-sm fr-btns-group--icon-left fr-mt-3w sr-no-print' },
      h('li', {}, h('button', { class: 'fr-btn fr-btn--secondary fr-icon-printer-line', type: 'button', id: 'report-print', onclick: onPrint }, t('map.report.print'))),
      h('li', {}, h('button', { class: 'fr-btn fr-btn--secondary fr-icon-link', type: 'button', id: 'report-share', onclick: onShare }, t('map.report.share')))),
  ];
  replace(panel, ...parts);
}

function statusBox(report) {
  const key = report.status === 'skipped' ? 'map.report.skipped' : report.status === 'failed' ? 'map.report.failed' : 'map.report.notComputed';
  return h('div', { class: 'fr-alert fr-alert--info fr-alert--sm', id: 'report-status', role: 'status' },
    h('h3', { class: 'fr-alert__title' }, t(key)),
    h('p', {}, report.reason ? t('map.report.reason', { reason: reasonWords(report.reason) }) : t('map.report.noReason')));
}

/** The computation's reasons (English, from the API) in the page's language where they are known. */
export function reasonWords(reason) {
  const known = [
    [/^no height, roof altitude or storey count/i, 'map.reasons.noHeight'],
    [/^footprint (is )?(under|smaller than)/i, 'map.reasons.tooSmall'],
    [/^no weather station within/i, 'map.reasons.noStation'],
    [/^empty footprint/i, 'map.reasons.empty'],
  ];
  for (const [pattern, key] of known) if (pattern.test(reason)) return `${t(key)} (${reason})`;
  return reason;
}

function figure(id, label, value, unit) {
  return h('div', { class: 'sr-figure' },
    h('dt', {}, label),
    h('dd', { id }, h('span', { class: 'sr-figure__value' }, value), unit ? ` ${unit}` : ''));
}

function keyFigures(r) {
  return h('dl', { class: 'sr-figures', id: 'report-figures' },
    figure('report-panels', t('map.report.panels'), n(r.panelCount), ''),
    figure('report-kwp', t('map.report.kwp'), n(r.installableKwp, 2), t('map.units.kwp')),
    figure('report-kwh', t('map.report.kwhPerYear'), n(r.annualKwhAc), t('map.units.kwhPerYear')),
    figure('report-irradiation', t('map.report.irradiation'), n(r.meanIrradiationKwhPerM2), t('map.units.kwhPerM2Year')),
    figure('report-usable', t('map.report.usableArea'), n(r.usableAreaM2), 'm²'),
    figure('report-co2', t('map.report.co2'), n(r.co2AvoidedKgPerYear), t('map.units.kgPerYear')));
}

function monthly(r, chartHost) {
  const values = r.monthlyKwhAc ?? [];
  const names = Array.from({ length: MONTHS }, (_, m) =>
    new Intl.DateTimeFormat(language(), { month: 'short' }).format(new Date(Date.UTC(2021, m, 15))));
  const best = values.indexOf(Math.max(...values));
  const worst = values.indexOf(Math.min(...values));
  const summary = t('map.report.monthlySummary', { best: names[best], bestKwh: n(values[best]), worst: names[worst], worstKwh: n(values[worst]) });
  const canvas = h('canvas', { id: 'report-monthly-chart', role: 'img', 'aria-label': summary, height: '180' });
  const table = h('table', { class: 'sr-table sr-table--compact', id: 'report-monthly-table' },
    h('caption', {}, t('map.report.monthlyCaption')),
    h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, t('map.report.month')), h('th', { scope: 'col' }, t('map.units.kwh')))),
    h('tbody', {}, values.map((v, m) => h('tr', {}, h('th', { scope: 'row' }, names[m]), h('td', {}, n(v))))));
  const block = h('div', { class: 'sr-monthly' }, canvas,
    h('p', { class: 'fr-text--xs sr-muted' }, summary),
    h('details', { class: 'sr-no-print-summary' }, h('summary', {}, t('map.report.monthlyValues')), table));
  chartHost?.(canvas, names, values);
  return block;
}

function financeSection(r) {
  const params = financeParameters(r.provenance?.parameters);
  const configs = [['fullRoof', r.finance?.fullRoof], ['recommended', r.finance?.recommended]].filter(([, c]) => c);
  const section = h('section', { class: 'fr-mt-3w', id: 'report-finance', 'aria-labelledby': 'report-finance-title' });
  const head = h('h3', { class: 'fr-h6', id: 'report-finance-title' }, t('map.report.financeTitle'));
  if (!configs.length) {
    replace(section, head, h('p', {}, t('map.report.noFinance')));
    return section;
  }
  const defaults = {
    price: params.electricityPriceEurPerKwh,
    selfPct: Math.round((configs[configs.length - 1][1].selfConsumedFraction ?? 0) * 1000) / 10,
    cost: null,
  };
  const input = (id, label, value, step, unit) => h('div', { class: 'fr-input-group sr-assumption' },
    h('label', { class: 'fr-label', for: id }, label, h('span', { class: 'fr-hint-text' }, unit)),
    h('input', { class: 'fr-input', type: 'number', id, value: String(value), step: String(step), min: '0', inputmode: 'decimal' }));
  const costDefault = Math.round(forSize(params.installedCostEurPerKwpByBand, configs[0][1].installableKwp, 'eurPerKwp'));
  const form = h('form', { class: 'sr-assumptions sr-no-print', id: 'report-assumptions', onsubmit: (e) => e.preventDefault() },
    h('p', { class: 'fr-text--sm fr-mb-1w' }, t('map.report.assumptionsLead')),
    input('assume-price', t('map.report.assumePrice'), defaults.price, 0.001, '€/kWh'),
    input('assume-self', t('map.report.assumeSelf'), defaults.selfPct, 1, '%'),
    input('assume-cost', t('map.report.assumeCost'), costDefault, 10, t('map.units.eurPerKwp')),
    h('button', { class: 'fr-btn fr-btn--tertiary fr-btn--sm', type: 'button', id: 'assume-reset' }, t('map.report.assumeReset')));
  const body = h('tbody', {});
  const table = h('table', { class: 'sr-table', id: 'report-finance-table' },
    h('caption', { class: 'fr-sr-only' }, t('map.report.financeTitle')),
    h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, ''), configs.map(([k]) => h('th', { scope: 'col' }, t(`map.report.config.${k}`))))),
    body);
  const assumptionsNote = h('p', { class: 'fr-text--xs sr-muted', id: 'report-assumptions-note' });
  const draw = (edited) => {
    const price = Number(form.querySelector('#assume-price').value);
    const self = Number(form.querySelector('#assume-self').value) / 100;
    const cost = Number(form.querySelector('#assume-cost').value);
    // Each configuration keeps the API's own self-consumed share until the resident changes that field.
    const selfEdited = form.querySelector('#assume-self').value !== String(defaults.selfPct);
    const rows = configs.map(([, c]) => {
      if (!edited) return c;
      const p = { ...params, electricityPriceEurPerKwh: Number.isFinite(price) ? price : params.electricityPriceEurPerKwh };
      return { ...c, ...evaluate(c.installableKwp, c.annualKwhAc, selfEdited && Number.isFinite(self) ? self : c.selfConsumedFraction, p,
        Number.isFinite(cost) && cost > 0 && cost !== costDefault ? cost : null) };
    });
    const line = (key, f, unit = '') => h('tr', {}, h('th', { scope: 'row' }, t(key)), rows.map((c) => h('td', {}, f(c), unit)));
    replace(body,
      line('map.report.panels', (c) => n(c.panelCount)),
      line('map.report.kwp', (c) => n(c.installableKwp, 2), ` ${t('map.units.kwp')}`),
      line('map.report.kwhPerYear', (c) => n(c.annualKwhAc), ' kWh'),
      line('map.report.netCost', (c) => n(c.netCostEur), ' €'),
      line('map.report.savings', (c) => n(c.firstYearSavingsEur), ' €'),
      line('map.report.surplus', (c) => n(c.firstYearSurplusRevenueEur), ' €'),
      line('map.report.selfConsumed', (c) => n((c.selfConsumedFraction ?? 0) * 100), ' %'),
      line('map.report.payback', (c) => (c.paybackYears === null || c.paybackYears === undefined ? t('map.report.noPayback', { years: params.analysisYears }) : `${n(c.paybackYears, 1)} ${t('map.units.years')}`)),
      line('map.report.netGain', (c) => n(c.netGainEur), ' €'));
    assumptionsNote.textContent = edited ? t('map.report.assumptionsEdited') : t('map.report.assumptionsApi', {
      price: n(params.electricityPriceEurPerKwh, 4), escalation: n(params.electricityPriceEscalationPerYear * 100, 1),
      years: params.analysisYears, degradation: n(params.moduleDegradationPerYear * 100, 1) });
    table.setAttribute('data-edited', edited ? 'true' : 'false');
  };
  form.addEventListener('input', () => draw(true));
  form.querySelector('#assume-reset').addEventListener('click', () => {
    form.querySelector('#assume-price').value = String(defaults.price);
    form.querySelector('#assume-self').value = String(defaults.selfPct);
    form.querySelector('#assume-cost').value = String(costDefault);
    draw(false);
  });
  draw(false);
  replace(section, head, table, assumptionsNote, form);
  return section;
}

function uncertainty(r) {
  const u = r.uncertainty;
  if (!u) return h('span', {});
  return h('section', { class: 'fr-mt-3w', id: 'report-uncertainty' },
    h('h3', { class: 'fr-h6' }, t('map.report.uncertaintyTitle')),
    h('p', {}, t('map.report.uncertaintyBand', {
      low: n(u.annualKwhAcLow), high: n(u.annualKwhAcHigh), minus: n(u.relativeLow * 100), plus: n(u.relativeHigh * 100) })),
    u.reasons?.length ? h('ul', { class: 'fr-text--sm' }, u.reasons.map((reason) => h('li', {}, uncertaintyReason(reason)))) : '');
}

// The API words the band's reasons in English (SmartRegion.Rooftop.Uncertainty): the known ones in the page's language,
// any other as it comes.
const REASONS = [
  [/^typical-year weather and PV model: ±([\d.]+) %$/, (m) => t('map.uncertaintyReason.weather', { pct: n(Number(m[1]), 0) })],
  [/^roof inferred from footprint and heights \(no LOD2 model\): −([\d.]+) %\/\+([\d.]+) %$/,
    (m) => t('map.uncertaintyReason.inferredRoof', { low: n(Number(m[1]), 0), high: n(Number(m[2]), 0) })],
  [/^missing heights or ground altitude: ±([\d.]+) %$/, (m) => t('map.uncertaintyReason.missingHeights', { pct: n(Number(m[1]), 0) })],
  [/^weather station (\d+) km away: ±(.+)$/, (m) => t('map.uncertaintyReason.station', { km: m[1], pct: m[2] })],
];

function uncertaintyReason(text) {
  for (const [pattern, words] of REASONS) {
    const m = pattern.exec(text);
    if (m) return words(m);
  }
  return text;
}

function facesTable(r) {
  const col = (key) => h('th', { scope: 'col' }, t(key));
  return h('div', { class: 'sr-faces' },
    h('table', { id: 'report-faces', class: 'sr-table' },
      h('caption', {}, t('map.report.facesTitle')),
      h('thead', {}, h('tr', {}, col('map.faces.no'), col('map.faces.orientation'), col('map.faces.tilt'), col('map.faces.area'),
        col('map.faces.usable'), col('map.faces.irradiation'), col('map.faces.shading'), col('map.faces.panels'))),
      h('tbody', {}, (r.roofFaces ?? []).map((f) => h('tr', { 'data-face': String(f.faceNo) },
        h('td', {}, String(f.faceNo)),
        h('td', {}, f.tiltDeg < 0.5 ? orientationWords(f.azimuthDeg, f.tiltDeg) : `${orientationWords(f.azimuthDeg)} (${n(f.azimuthDeg)}°)`),
        h('td', {}, `${n(f.tiltDeg)}°`),
        h('td', {}, `${n(f.areaM2, 1)} m²`),
        h('td', {}, `${n(f.usableAreaM2, 1)} m²`),
        h('td', {}, n(f.annualIrradiationKwhPerM2)),
        h('td', {}, `${n(f.shadingLossFraction * 100)} %`),
        h('td', {}, n(f.panelCount)))))));
}

/**
 * "Correct my roof": each face's tilt and azimuth as the resident knows them, and the obstacles on it (obstacleList);
 * onWhatIf({ roofFaces, obstacles }) asks the API to compute
 * the roof again with them (POST …/what-if, nothing stored) and shows the answer. The faces go back with the outlines the
 * report gave. Every value is checked here first, each refusal said beside its field in the page's language; a refusal of the
 * API (400 invalid_field, `roofFaces[i].tiltDeg`, `obstacles[i].heightM`) goes beside the field it names, any other failure
 * under the button. roofMap() gives the 3D view's ObstacleMap (null without one): the obstacles drawn there, placed by a click.
 */
function correction(r, onWhatIf, roofMap) {
  const faces = (r.roofFaces ?? []).filter((f) => f.polygonWgs84);
  roofMap?.()?.stop();
  if (!onWhatIf || faces.length === 0) {
    roofMap?.()?.draw(r.building.id, []);
    return '';
  }
  const maxTilt = Number(r.provenance?.parameters?.roof?.lod2MaxTiltDeg?.value ?? 75);
  const col = (key) => h('th', { scope: 'col' }, t(key));
  const fields = new Map();   // "faceIndex.field" → { input, error, label }
  const cell = (f, i, field, label, name) => {
    const id = `correct-${f.faceNo}-${field}`;
    const error = h('p', { class: 'fr-error-text fr-mt-0', id: `${id}-error`, hidden: true });
    const shown = f[field] === null || f[field] === undefined ? '' : n(f[field]);
    const input = h('input', { class: 'fr-input', type: 'text', inputmode: 'decimal', id, autocomplete: 'off', value: shown,
      'data-face': String(f.faceNo), 'data-field': field, 'aria-label': t(label, { no: f.faceNo }) });
    // A value left as shown (rounded to the degree) goes back as the report had it, to the hundredth.
    fields.set(`${i}.${field}`, { input, error, label: t(name, { no: f.faceNo }), shown, original: f[field] });
    return h('td', {}, input);
  };
  // Each face's row, then a row for its messages (shown only when it has one): the inputs stay in line.
  const rows = faces.flatMap((f, i) => {
    const main = h('tr', {},
      h('th', { scope: 'row' }, String(f.faceNo)),
      h('td', { class: 'sr-correct__now' }, orientationWords(f.azimuthDeg, f.tiltDeg)),
      cell(f, i, 'tiltDeg', 'map.correct.tiltOf', 'map.correct.tiltName'),
      cell(f, i, 'azimuthDeg', 'map.correct.azimuthOf', 'map.correct.azimuthName'));
    return [main, errorRow(fields, 4, `${i}.tiltDeg`, `${i}.azimuthDeg`)];
  });
  const obstacles = obstacleList(faces, fields, r.simulation?.obstacles ?? [], { buildingId: r.building.id, roofMap });
  const status = h('p', { id: 'correct-status', class: 'fr-text--sm fr-mt-1w', role: 'status' });
  const submit = h('button', { class: 'fr-btn fr-btn--secondary fr-mt-1w', type: 'submit', id: 'correct-submit' }, t('map.correct.submit'));
  const form = h('form', { id: 'correct-form', novalidate: true },
    h('p', { class: 'fr-text--sm' }, t('map.correct.intro', { max: n(maxTilt) })),
    h('table', { class: 'sr-table sr-correct', id: 'correct-faces' },
      h('caption', { class: 'fr-sr-only' }, t('map.correct.title')),
      h('thead', {}, h('tr', {}, col('map.faces.no'), col('map.faces.orientation'), col('map.correct.tilt'), col('map.correct.azimuth'))),
      h('tbody', {}, rows)),
    obstacles.element,
    submit,
    status);
  const mark = (key, message) => {
    const { input, error, label, errorRow: row } = fields.get(key);
    input.classList.toggle(input.tagName === 'SELECT' ? 'fr-select--error' : 'fr-input--error', !!message);
    error.hidden = !message;
    error.textContent = message ? t('map.correct.fieldError', { label, message }) : '';
    if (message) { input.setAttribute('aria-invalid', 'true'); input.setAttribute('aria-describedby', error.id); }
    else { input.removeAttribute('aria-invalid'); input.removeAttribute('aria-describedby'); }
    row.hidden = [...row.querySelectorAll('.fr-error-text')].every((e) => e.hidden);
  };
  const read = () => {
    const bad = [];
    const roofFaces = faces.map((f, i) => {
      const tilt = degrees(fields.get(`${i}.tiltDeg`));
      const azimuth = degrees(fields.get(`${i}.azimuthDeg`));
      const tiltError = tilt.error ?? (tilt.value < 0 || tilt.value > maxTilt ? t('map.correct.tiltRange', { value: tilt.text, max: n(maxTilt) }) : null);
      const flat = !tiltError && tilt.value < 0.5;
      const azimuthError = flat && azimuth.empty ? null
        : azimuth.error ?? (azimuth.value < 0 || azimuth.value >= 360 ? t('map.correct.azimuthRange', { value: azimuth.text }) : null);
      mark(`${i}.tiltDeg`, tiltError);
      mark(`${i}.azimuthDeg`, azimuthError);
      if (tiltError) bad.push(fields.get(`${i}.tiltDeg`).input);
      if (azimuthError) bad.push(fields.get(`${i}.azimuthDeg`).input);
      const face = { polygonWgs84: f.polygonWgs84, tiltDeg: tilt.value };
      if (!(flat && azimuth.empty)) face.azimuthDeg = azimuth.value;
      return face;
    });
    const sent = obstacles.read(mark, bad);
    return { roofFaces, obstacles: sent, bad };
  };
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    if (submit.disabled) return;
    roofMap?.()?.stop();
    const { roofFaces, obstacles: sentObstacles, bad } = read();
    if (bad.length) {
      status.textContent = t('map.correct.invalid', { count: bad.length });
      bad[0].focus();
      return;
    }
    status.textContent = t('map.correct.computing');
    submit.disabled = true;
    form.setAttribute('aria-busy', 'true');
    try {
      await onWhatIf(sentObstacles.length ? { roofFaces, obstacles: sentObstacles } : { roofFaces });
    } catch (error) {
      const key = fieldOf(error.field ?? '', obstacles.keys);
      if (key && fields.has(key)) {
        mark(key, t('map.correct.refused', { message: error.detail ?? error.message }));
        fields.get(key).input.focus();
        status.textContent = t('map.correct.invalid', { count: 1 });
      } else {
        status.textContent = error.code === 'busy' ? t('map.correct.busy')
          : t('map.correct.failed', { message: error.detail ?? error.message });
      }
    } finally {
      submit.disabled = false;
      form.removeAttribute('aria-busy');
    }
  });
  return h('details', { class: 'fr-mt-3w sr-no-print', id: 'correct-box', open: r.simulation ? true : null },
    h('summary', {}, t('map.correct.title')), form);
}

/**
 * The degrees in a field as a resident types them ("35", "35,5", "35.5°"): { value, text }, or with error (in words) or
 * empty. A field left as shown gives the report's own value.
 */
function degrees({ input, shown, original }) {
  const text = input.value.trim();
  if (text === shown && Number.isFinite(original)) return { value: original, text };
  return decimal(text, /°$/, 'map.correct.empty', 'map.correct.notNumber');
}

/** Metres as a resident types them ("1,5", "1.5 m"): { value, text }, or with error (in words) or empty. */
function metres(input) {
  return decimal(input.value.trim(), /m$/i, 'map.correct.metresEmpty', 'map.correct.metresNotNumber');
}

function decimal(text, unit, emptyKey, notNumberKey) {
  if (text === '') return { empty: true, error: t(emptyKey), value: NaN, text };
  const value = Number(text.replace(/\s/g, '').replace(unit, '').replace(',', '.'));
  if (!Number.isFinite(value)) return { error: t(notNumberKey, { value: text }), value, text };
  return { value, text: n(value, Number.isInteger(value) ? 0 : 1) };
}

/** The form's field key an API refusal names (roofFaces[1].tiltDeg, obstacles[0].heightM), or null. */
function fieldOf(path, obstacleKeys) {
  const face = /^roofFaces\[(\d+)\]\.(tiltDeg|azimuthDeg)$/.exec(path);
  if (face) return `${face[1]}.${face[2]}`;
  const obstacle = /^obstacles\[(\d+)\]\.?(\w*)/.exec(path);
  if (!obstacle) return null;
  // polygonWgs84 is where it stands: off its face, or on another obstacle.
  const field = { heightM: 'heightM' }[obstacle[2]] ?? 'face';
  return obstacleKeys()[Number(obstacle[1])]?.[field] ?? null;
}

const OBSTACLE_KINDS = ['chimney', 'dormer', 'window', 'skylight', 'vent', 'antenna', 'tree', 'other'];
const OBSTACLE_SIZE_M = [0.2, 20];
const OBSTACLE_HEIGHT_M = [0, 50];   // the API's range (obstacles[i].heightM)
const OBSTACLE_DEFAULT = { kind: 'chimney', sizeM: 1, heightM: 1 };
// The API's slack (WhatIfCorrection): a centre this far (m) off its face still stands on it; overlaps this small (m²) are
// rounding, not one obstacle on another.
const ON_FACE_TOLERANCE_M = 0.05;
const OVERLAP_TOLERANCE_M2 = 0.01;
// A centre within this of the face's own (degrees, about 1 cm) was placed there by default, not by a click.
const SAME_POINT_DEG = 1e-7;

/**
 * The row under an inputs' row that holds their messages (hidden while there is none); each field learns its row.
 */
function errorRow(fields, columns, ...keys) {
  const row = h('tr', { class: 'sr-correct__errors', hidden: true }, h('td', { colspan: String(columns) }, keys.map((k) => fields.get(k).error)));
  for (const k of keys) fields.get(k).errorRow = row;
  return row;
}

/**
 * The obstacles on the roof (a chimney, a dormer, a tree over it): each a square of the given side, rising heightM above
 * its face (0–50 m), so that it keeps its area free of panels and casts its shade (POST …/what-if obstacles[], docs/solar.md).
 * Where it stands: where the resident clicked on the roof ("place on the roof", placing mode on the 3D view), else the
 * centre of the face chosen in the form (the keyboard's way, and the one without 3D). A simulation's own obstacles come
 * back in the form where the API says they stand (centreWgs84), and every obstacle is drawn on the roof as it is typed.
 * read(mark, bad) checks every field (and that no two overlap), marks the wrong ones and gives the request's obstacles;
 * keys() the field keys of each, for the API's refusals.
 */
function obstacleList(faces, fields, previous, { buildingId, roofMap }) {
  const list = h('ol', { class: 'fr-raw-list sr-obstacles__list', id: 'obstacle-list' });
  const items = [];
  let counter = 0;
  const status = h('p', { class: 'fr-text--sm fr-mb-1w', id: 'obstacle-status', role: 'status' });
  const map = () => roofMap?.() ?? null;
  const no = (item) => items.indexOf(item) + 1;
  const centreOf = (item) => item.position ?? (([lon, lat]) => ({ lon, lat }))(faceCentre(faces[Number(item.faceSelect.value)].polygonWgs84));
  const sizeOf = (item) => {
    const size = metres(item.size);
    return size.error || size.value < OBSTACLE_SIZE_M[0] || size.value > OBSTACLE_SIZE_M[1] ? null : size.value;
  };

  // Each obstacle's words (its number, where it stands, its fields' names) follow its place in the list.
  const label = (item) => {
    const n = no(item);
    item.title.textContent = t('map.correct.obstacleNo', { no: n });
    const faceNo = faces[Number(item.faceSelect.value)].faceNo;
    item.where.textContent = item.position ? t('map.correct.placedOn', { face: faceNo }) : t('map.correct.centreOf', { face: faceNo });
    for (const [key, control, of, name] of [
      [item.keys.face, item.faceSelect, 'map.correct.obstacleFaceOf', 'map.correct.obstacleFaceName'],
      [item.keys.sizeM, item.size, 'map.correct.obstacleSizeOf', 'map.correct.obstacleSizeName'],
      [item.keys.heightM, item.height, 'map.correct.obstacleHeightOf', 'map.correct.obstacleHeightName'],
    ]) {
      control.setAttribute('aria-label', t(of, { no: n }));
      fields.get(key).label = t(name, { no: n });
    }
    item.kindSelect.setAttribute('aria-label', t('map.correct.obstacleKindOf', { no: n }));
    item.move?.setAttribute('aria-label', t('map.correct.obstacleMoveOf', { no: n }));
    item.remove.setAttribute('aria-label', t('map.correct.obstacleRemove', { no: n }));
  };

  // The obstacles as typed, on the roof in 3D (those whose side and height are not numbers yet wait).
  const draw = () => map()?.draw(buildingId, items.flatMap((item) => {
    const sizeM = sizeOf(item);
    const height = metres(item.height);
    if (sizeM === null || height.error || height.value < OBSTACLE_HEIGHT_M[0] || height.value > OBSTACLE_HEIGHT_M[1]) return [];
    const { lon, lat } = centreOf(item);
    return [{ id: item.id, face: faces[Number(item.faceSelect.value)].polygonWgs84, lon, lat, sizeM, heightM: height.value }];
  }));

  const control = (key, el, labelKey, hint) => {
    fields.set(key, { input: el, error: h('p', { class: 'fr-error-text fr-mt-0', id: `${el.id}-error`, hidden: true }), label: '' });
    return h('div', { class: el.tagName === 'SELECT' ? 'fr-select-group' : 'fr-input-group' },
      h('label', { class: 'fr-label', for: el.id }, t(labelKey), hint ? h('span', { class: 'fr-hint-text' }, hint) : ''), el);
  };
  const add = ({ face = 0, kind = OBSTACLE_DEFAULT.kind, sizeM = OBSTACLE_DEFAULT.sizeM, heightM = OBSTACLE_DEFAULT.heightM, position = null } = {}) => {
    const id = ++counter;
    const keys = { face: `o${id}.face`, sizeM: `o${id}.sizeM`, heightM: `o${id}.heightM` };
    const faceSelect = h('select', { class: 'fr-select', id: `obstacle-${id}-face` },
      faces.map((f, i) => h('option', { value: String(i), selected: i === face ? true : null }, String(f.faceNo))));
    const kindSelect = h('select', { class: 'fr-select', id: `obstacle-${id}-kind` },
      OBSTACLE_KINDS.map((k) => h('option', { value: k, selected: k === kind ? true : null }, t(`map.correct.kind.${k}`))));
    const number = (suffix, value) => h('input', { class: 'fr-input', type: 'text', inputmode: 'decimal', id: `obstacle-${id}-${suffix}`,
      autocomplete: 'off', value: n(value, 1) });
    const size = number('size', sizeM);
    const height = number('height', heightM);
    const item = { id, keys, faceSelect, kindSelect, size, height, position,
      title: h('h4', { class: 'fr-text--sm fr-text--bold fr-mb-0 sr-obstacle__title', id: `obstacle-${id}-title` }),
      where: h('p', { class: 'fr-text--xs fr-mb-0 sr-muted', id: `obstacle-${id}-where` }) };
    const errors = h('div', { class: 'sr-obstacle__errors', hidden: true });
    item.remove = h('button', { class: 'fr-btn fr-btn--sm fr-btn--tertiary-no-outline', type: 'button', id: `obstacle-${id}-remove`,
      onclick: () => {
        map()?.stop();
        items.splice(items.indexOf(item), 1);
        item.element.remove();
        for (const k of Object.values(keys)) fields.delete(k);
        items.forEach(label);
        draw();
        addButton.focus();
      } }, t('map.correct.remove'));
    item.move = h('button', { class: 'fr-btn fr-btn--sm fr-btn--tertiary-no-outline sr-needs-3d', type: 'button', id: `obstacle-${id}-move`,
      onclick: () => place(item) }, t('map.correct.move'));
    // A face chosen in the list puts the obstacle at that face's centre.
    faceSelect.addEventListener('change', () => { item.position = null; label(item); });
    item.element = h('li', { class: 'sr-obstacle', id: `obstacle-${id}` },
      h('div', { class: 'sr-obstacle__head' }, h('div', {}, item.title, item.where), h('div', { class: 'sr-obstacle__actions' }, item.move, item.remove)),
      h('div', { class: 'sr-obstacle__fields' },
        control(keys.face, faceSelect, 'map.correct.obstacleFace'),
        h('div', { class: 'fr-select-group' }, h('label', { class: 'fr-label', for: kindSelect.id }, t('map.correct.obstacleKind')), kindSelect),
        control(keys.sizeM, size, 'map.correct.obstacleSize', 'm'),
        control(keys.heightM, height, 'map.correct.obstacleHeight', t('map.correct.obstacleHeightHint'))),
      errors);
    errors.append(...Object.values(keys).map((k) => fields.get(k).error));
    for (const k of Object.values(keys)) fields.get(k).errorRow = errors;
    items.push(item);
    list.append(item.element);
    label(item);
    return item;
  };

  /** Why a click cannot place item (null: a new one) there, or null with the face it stands on (its index) when it can. */
  const refusal = (hit, item) => {
    if (hit.buildingId === null || hit.lon === null) return { why: t('map.place.offRoof') };
    if (hit.buildingId !== buildingId) return { why: t('map.place.otherBuilding', { id: hit.buildingId }) };
    // The face under the click: the one whose outline holds it; where outlines meet in plan (a dormer), the highest.
    const under = faces.map((f, i) => ({ i, d: distanceToFaceM(f.polygonWgs84, hit.lon, hit.lat), z: altitudeOn(f.polygonWgs84, hit.lon, hit.lat) ?? 0 }))
      .filter((c) => c.d <= ON_FACE_TOLERANCE_M).sort((a, b) => b.z - a.z);
    if (!under.length) return { why: t('map.place.notOnFace') };
    const sizeM = (item && sizeOf(item)) ?? OBSTACLE_DEFAULT.sizeM;
    for (const other of items) {
      const otherSize = sizeOf(other);
      if (other === item || otherSize === null) continue;
      const c = centreOf(other);
      if (overlapM2({ lon: hit.lon, lat: hit.lat, sizeM }, { ...c, sizeM: otherSize }) > OVERLAP_TOLERANCE_M2) {
        return { why: t('map.place.overlaps', { no: no(other) }) };
      }
    }
    return { face: under[0].i };
  };

  /** Placing mode for item (null: a new obstacle, added where the click is taken). */
  const place = (item) => {
    const view = map();
    if (!view) {
      status.textContent = t('map.place.no3d');
      return;
    }
    const number = item ? no(item) : items.length + 1;
    status.textContent = t('map.place.started', { no: number });
    view.start({
      prompt: t('map.place.prompt', { no: number }),
      onPick: (hit) => {
        const { why, face } = refusal(hit, item);
        if (why) return why;
        const position = { lon: hit.lon, lat: hit.lat };
        if (item) {
          item.faceSelect.value = String(face);
          item.position = position;
          label(item);
        } else {
          item = add({ face, position });
        }
        draw();
        status.textContent = t('map.place.placed', { no: no(item), face: faces[face].faceNo });
        item.kindSelect.focus();
        return null;
      },
      onEnd: (placed) => {
        if (placed) return;
        status.textContent = t('map.place.cancelled');
        (item?.move ?? placeButton).focus();
      },
    });
  };

  for (const o of previous) {
    const face = (o.faceNo ?? 1) - 1;
    if (face < 0 || face >= faces.length) continue;
    const c = o.centreWgs84;
    const [lon, lat] = faceCentre(faces[face].polygonWgs84);
    const position = c && (Math.abs(c.lon - lon) > SAME_POINT_DEG || Math.abs(c.lat - lat) > SAME_POINT_DEG) ? { lon: c.lon, lat: c.lat } : null;
    add({ face, kind: o.kind, sizeM: Math.sqrt(o.planAreaM2 ?? 1), heightM: o.heightM ?? 0, position });
  }
  const addButton = h('button', { class: 'fr-btn fr-btn--sm fr-btn--tertiary', type: 'button', id: 'obstacle-add',
    onclick: () => { map()?.stop(); const item = add({}); draw(); item.size.focus(); } }, t('map.correct.obstacleAdd'));
  const placeButton = h('button', { class: 'fr-btn fr-btn--sm fr-btn--secondary sr-needs-3d', type: 'button', id: 'obstacle-place',
    onclick: () => place(null) }, t('map.correct.obstaclePlace'));
  const element = h('fieldset', { class: 'fr-mt-2w sr-obstacles', id: 'correct-obstacles' },
    h('legend', { class: 'fr-text--bold' }, t('map.correct.obstaclesTitle')),
    h('p', { class: 'fr-text--sm fr-mb-1w' }, t('map.correct.obstaclesIntro', { min: n(OBSTACLE_SIZE_M[0], 1), max: n(OBSTACLE_SIZE_M[1]),
      maxHeight: n(OBSTACLE_HEIGHT_M[1]) })),
    list,
    h('div', { class: 'sr-obstacles__add' }, placeButton, addButton),
    status);
  element.addEventListener('input', draw);
  element.addEventListener('change', draw);
  draw();

  const read = (mark, bad) => {
    const sent = items.map((item) => {
      const size = metres(item.size);
      const height = metres(item.height);
      const sizeError = size.error ?? (size.value < OBSTACLE_SIZE_M[0] || size.value > OBSTACLE_SIZE_M[1]
        ? t('map.correct.sizeRange', { value: size.text, min: n(OBSTACLE_SIZE_M[0], 1), max: n(OBSTACLE_SIZE_M[1]) }) : null);
      const heightError = height.error ?? (height.value < OBSTACLE_HEIGHT_M[0] || height.value > OBSTACLE_HEIGHT_M[1]
        ? t('map.correct.heightRange', { value: height.text, max: n(OBSTACLE_HEIGHT_M[1]) }) : null);
      // Two obstacles in one place (two left at the centre of one face, say): the later one is to move.
      const here = { ...centreOf(item), sizeM: sizeError ? 0 : size.value };
      const under = sizeError ? null : items.slice(0, items.indexOf(item)).find((other) => sizeOf(other) !== null
        && overlapM2(here, { ...centreOf(other), sizeM: sizeOf(other) }) > OVERLAP_TOLERANCE_M2);
      const faceError = under ? t('map.correct.overlaps', { no: no(under) }) : null;
      mark(item.keys.face, faceError);
      mark(item.keys.sizeM, sizeError);
      mark(item.keys.heightM, heightError);
      if (faceError) bad.push(item.faceSelect);
      if (sizeError) bad.push(item.size);
      if (heightError) bad.push(item.height);
      const face = Number(item.faceSelect.value);
      return { faceNo: face + 1, kind: item.kindSelect.value, heightM: height.value,
        polygonWgs84: sizeError ? null : squareAt(here.lon, here.lat, size.value) };
    });
    return sent;
  };
  return { element, read, keys: () => items.map((i) => i.keys) };
}

function provenance(r) {
  const p = r.provenance ?? {};
  const station = p.weatherStation;
  const sources = Object.entries(r.building.sourceIds ?? {}).map(([k, v]) => `${k} ${v}`).join(', ');
  const item = (key, value) => h('li', {}, h('strong', {}, t(key)), ' ', value);
  return h('section', { class: 'fr-mt-3w', id: 'report-provenance' },
    h('h3', { class: 'fr-h6' }, t('map.report.provenanceTitle')),
    h('ul', { class: 'fr-text--sm sr-provenance' },
      item('map.provenance.building', `${sources} (${r.building.roofOrigin === 'lod2' ? t('map.provenance.lod2') : t('map.provenance.inferred')})`),
      station ? item('map.provenance.weather', t('map.provenance.station', {
        name: station.name, source: station.source, licence: station.licence ?? '—', km: n(station.distanceKm, 1) })) : '',
      item('map.provenance.model', t('map.provenance.modelLine', { version: p.modelVersion ?? '—', run: p.runId ?? '—',
        date: p.computedAt ? formatDateTime(p.computedAt) : '—' })),
      item('map.provenance.method', t('map.provenance.methodLine'))));
}
