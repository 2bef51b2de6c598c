namespace SmartRegion.Solar.Finance;

/// <summary>How much of a PV production a household uses as it is produced, from an hourly household load profile.</summary>
/// <remarks>
/// The load is a synthetic residential profile shaped like Enedis' RES1 base profile: winter-heavy months, a morning
/// and a strong evening peak. Hourly resolution overestimates self-consumption slightly (minute-scale mismatches are
/// averaged out), which is the usual limit of hourly studies. Because the result depends on the size of the
/// installation, <see cref="Curve"/> tabulates it once per weather station over a range of annual productions and
/// every building interpolates in that table.
/// </remarks>
public static class SelfConsumption
{
    // Share of the annual consumption in each month (sums to 1).
    private static readonly double[] MonthShare = [0.110, 0.098, 0.093, 0.079, 0.070, 0.062, 0.060, 0.058, 0.064, 0.078, 0.100, 0.128];

    // Relative consumption by local hour of day.
    private static readonly double[] HourShape =
        [0.55, 0.45, 0.40, 0.38, 0.38, 0.42, 0.62, 0.95, 1.05, 0.90, 0.82, 0.85, 0.95, 0.90, 0.80, 0.75, 0.80, 1.00, 1.35, 1.55, 1.50, 1.35, 1.10, 0.80];

    /// <summary>The household load (kWh) for each hour of a series, given each hour's month (1–12) and local hour (0–23).</summary>
    public static double[] HouseholdLoadKwh(ReadOnlySpan<int> month, ReadOnlySpan<int> localHour, double annualConsumptionKwh)
    {
        var n = month.Length;
        var monthWeight = new double[13];
        for (var i = 0; i < n; i++)
        {
            monthWeight[month[i]] += HourShape[localHour[i]];
        }
        var load = new double[n];
        for (var i = 0; i < n; i++)
        {
            var m = month[i];
            load[i] = monthWeight[m] > 0 ? annualConsumptionKwh * MonthShare[m - 1] * HourShape[localHour[i]] / monthWeight[m] : 0;
        }
        return load;
    }

    /// <summary>Self-consumed share of a production whose hourly shape is <paramref name="productionShape"/> (sums to 1), scaled to <paramref name="annualKwh"/>.</summary>
    public static double Fraction(ReadOnlySpan<double> productionShape, ReadOnlySpan<double> loadKwh, double annualKwh)
    {
        if (annualKwh <= 0)
        {
            return 0;
        }
        double used = 0;
        for (var i = 0; i < productionShape.Length; i++)
        {
            used += Math.Min(productionShape[i] * annualKwh, loadKwh[i]);
        }
        return used / annualKwh;
    }

    /// <summary>A table of the self-consumed fraction against annual production, for interpolation.</summary>
    public sealed class Curve
    {
        private readonly double[] _kwh;
        private readonly double[] _fraction;

        /// <summary>Tabulates the fraction at <paramref name="points"/> log-spaced annual productions from 100 kWh to 1 GWh.</summary>
        public Curve(ReadOnlySpan<double> productionShape, ReadOnlySpan<double> loadKwh, int points = 64)
        {
            _kwh = new double[points];
            _fraction = new double[points];
            for (var k = 0; k < points; k++)
            {
                _kwh[k] = 100 * Math.Pow(1e7 / 100, k / (double)(points - 1));
                _fraction[k] = Fraction(productionShape, loadKwh, _kwh[k]);
            }
        }

        /// <summary>The self-consumed fraction for an annual production (log-linear interpolation, clamped at the ends).</summary>
        public double At(double annualKwh)
        {
            if (annualKwh <= _kwh[0])
            {
                return _fraction[0];
            }
            if (annualKwh >= _kwh[^1])
            {
                return _fraction[^1];
            }
            var i = Array.BinarySearch(_kwh, annualKwh);
            if (i >= 0)
            {
                return _fraction[i];
            }
            i = ~i;
            var t = (Math.Log(annualKwh) - Math.Log(_kwh[i - 1])) / (Math.Log(_kwh[i]) - Math.Log(_kwh[i - 1]));
            return _fraction[i - 1] + t * (_fraction[i] - _fraction[i - 1]);
        }
    }
}
