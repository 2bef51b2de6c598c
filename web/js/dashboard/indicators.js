// The barometer's figures as the pages show them: which field of an area, its unit, how to format it, and whether
// the map can colour communes by it. Labels and units are dictionary keys (dashboard.indicators.<key>.*).
import { t, formatNumber } from '../common/i18n.js';

const share = (v) => formatNumber(v, { style: 'percent', maximumFractionDigits: 1 });
// n decimals, but never fewer than three significant digits below 10^(2-n): a district's 48.5 kWc installed reads
// "0,0485 MWc", not "0,05 MWc" (the unit stays that of the column and of the map's legend).
const decimals = (n) => (v) => (v !== 0 && Math.abs(v) < 10 ** (2 - n)
  ? formatNumber(v, { maximumSignificantDigits: 3 })
  : formatNumber(v, { maximumFractionDigits: n }));

/** key: the field of an area in GET /api/v1/barometer; value(area) when it is not a plain field. */
export const INDICATORS = [
  { key: 'potentialGwhPerYear', format: decimals(2), map: true },
  { key: 'installableMwp', format: decimals(2), map: true },
  { key: 'potentialShareOfResidentialUse', format: share, map: true },
  { key: 'co2AvoidableTPerYear', format: decimals(0), map: true },
  { key: 'usableAreaM2', format: decimals(0), map: true },
  { key: 'meanIrradiationKwhPerM2', format: decimals(0), map: true },
  { key: 'wellSuitedShare', format: share, map: true, value: (a) => wellSuitedShare(a) },
  { key: 'buildingsAnalysed', format: decimals(0), map: true },
  { key: 'roofAreaM2', format: decimals(0) },
  { key: 'buildings', format: decimals(0) },
  { key: 'residentialUseGwhPerYear', format: decimals(2) },
  { key: 'installedMwp', format: decimals(2), map: true },
  { key: 'installedShareOfInstallable', format: share, map: true },
];

export const indicator = (key) => INDICATORS.find((i) => i.key === key);

/** An area's value for an indicator (null when it has none). */
export function valueOf(area, key) {
  const i = indicator(key);
  const v = i?.value ? i.value(area) : area?.[key];
  return v === undefined || v === null || Number.isNaN(v) ? null : v;
}

/** The value with its unit, in the page's language ("—" when there is none). */
export function formatted(area, key) {
  const v = valueOf(area, key);
  if (v === null) return '—';
  const unit = t(`dashboard.indicators.${key}.unit`);
  return unit ? `${indicator(key).format(v)} ${unit}` : indicator(key).format(v);
}

/** Share of the computed buildings whose best roof face is in the two best suitability classes. */
export function wellSuitedShare(area) {
  const classes = area?.suitability ?? [];
  if (!area?.buildingsAnalysed || classes.length < 2) return null;
  return classes.slice(-2).reduce((sum, c) => sum + c.buildings, 0) / area.buildingsAnalysed;
}

export const label = (key) => t(`dashboard.indicators.${key}.label`);
