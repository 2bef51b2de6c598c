// The solar API's finance model (SmartRegion.Solar.Finance.FinanceModel.Evaluate), in the page: the report shows the
// API's figures as they are; when the resident edits an assumption (electricity price, self-consumption, cost per kWp)
// the figures are computed again here with the same formula and the run's other parameters.

/** The value of a size band list [{upToKwp, eurPerKwp|eurPerKwh}] for an installation of kwp. */
export function forSize(bands, kwp, key) {
  for (const band of bands) if (kwp <= band.upToKwp) return band[key];
  return bands.length ? bands[bands.length - 1][key] : 0;
}

/** The finance parameters of a run, from its provenance.parameters (config/solar-defaults.json's shape). */
export function financeParameters(parameters) {
  const f = parameters?.finance ?? {};
  const v = (node, fallback) => (node && typeof node === 'object' && 'value' in node ? node.value : node ?? fallback);
  return {
    installedCostEurPerKwpByBand: v(f.installedCostEurPerKwpByBand, []),
    selfConsumptionPremiumEurPerKwpByBand: v(f.selfConsumptionPremiumEurPerKwpByBand, []),
    electricityPriceEurPerKwh: v(f.electricityPriceEurPerKwh, 0),
    electricityPriceEscalationPerYear: v(f.electricityPriceEscalationPerYear, 0),
    surplusTariffEurPerKwhByBand: v(f.surplusTariffEurPerKwhByBand, []),
    annualMaintenanceFractionOfCost: v(f.annualMaintenanceFractionOfCost, 0),
    moduleDegradationPerYear: v(f.moduleDegradationPerYear, 0),
    analysisYears: v(f.analysisYears, 20),
    gridCo2KgPerKwh: v(parameters?.climate?.gridCo2KgPerKwh, 0),
  };
}

/**
 * Cost, savings and payback of an installation: kwp, annualKwhAc, the self-consumed fraction, and the parameters
 * (costEurPerKwp, when given, replaces the size bands' installed cost).
 */
export function evaluate(kwp, annualKwhAc, selfConsumedFraction, p, costEurPerKwp = null) {
  if (!(kwp > 0) || !(annualKwhAc > 0)) {
    return { installedCostEur: 0, premiumEur: 0, netCostEur: 0, selfConsumedFraction: 0, firstYearSavingsEur: 0,
      firstYearSurplusRevenueEur: 0, paybackYears: null, netGainEur: 0, analysisYears: p.analysisYears, co2AvoidedKgPerYear: 0 };
  }
  const fraction = Math.min(Math.max(selfConsumedFraction, 0), 1);
  const cost = kwp * (costEurPerKwp ?? forSize(p.installedCostEurPerKwpByBand, kwp, 'eurPerKwp'));
  const premium = kwp * forSize(p.selfConsumptionPremiumEurPerKwpByBand, kwp, 'eurPerKwp');
  const netCost = Math.max(0, cost - premium);
  const tariff = forSize(p.surplusTariffEurPerKwhByBand, kwp, 'eurPerKwh');
  const maintenance = cost * p.annualMaintenanceFractionOfCost;
  let cumulative = -netCost, total = 0, firstSavings = 0, firstSurplus = 0, payback = null;
  for (let year = 1; year <= p.analysisYears; year++) {
    const production = annualKwhAc * Math.pow(1 - p.moduleDegradationPerYear, year - 1);
    const price = p.electricityPriceEurPerKwh * Math.pow(1 + p.electricityPriceEscalationPerYear, year - 1);
    const saved = production * fraction * price;
    const surplus = production * (1 - fraction) * tariff;
    const net = saved + surplus - maintenance;
    if (year === 1) { firstSavings = saved; firstSurplus = surplus; }
    if (payback === null && net > 0 && cumulative + net >= 0) payback = year - 1 + -cumulative / net;
    cumulative += net;
    total += net;
  }
  return { installedCostEur: cost, premiumEur: premium, netCostEur: netCost, selfConsumedFraction: fraction,
    firstYearSavingsEur: firstSavings, firstYearSurplusRevenueEur: firstSurplus, paybackYears: payback,
    netGainEur: total - netCost, analysisYears: p.analysisYears, co2AvoidedKgPerYear: annualKwhAc * p.gridCo2KgPerKwh };
}
