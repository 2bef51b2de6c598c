namespace SmartRegion.Solar;

/// <summary>The sun seen from a site at one instant (angles in degrees; azimuth clockwise from north).</summary>
/// <param name="ZenithDeg">Topocentric zenith angle, without atmospheric refraction.</param>
/// <param name="ApparentZenithDeg">Topocentric zenith angle corrected for refraction (the SPA report's θ).</param>
/// <param name="AzimuthDeg">Topocentric azimuth, compass degrees.</param>
/// <param name="EquationOfTimeMin">Equation of time, minutes.</param>
public readonly record struct SunPosition(double ZenithDeg, double ApparentZenithDeg, double AzimuthDeg, double EquationOfTimeMin)
{
    public double ElevationDeg => 90.0 - ZenithDeg;

    public double ApparentElevationDeg => 90.0 - ApparentZenithDeg;
}

/// <summary>Sunrise, transit and sunset of one local day as UTC instants; rise and set are null in polar day or night.</summary>
public readonly record struct SunriseTransitSunset(DateTime? SunriseUtc, DateTime TransitUtc, DateTime? SunsetUtc);

/// <summary>Solar position by the NREL Solar Position Algorithm.</summary>
/// <remarks>
/// Reda, I. and Andreas, A. (2004, revised 2008). Solar Position Algorithm for Solar Radiation Applications.
/// Solar Energy 76(5), 577–589; NREL/TP-560-34302. Uncertainty ±0.0003° for years −2000…6000. Sunrise, transit
/// and sunset follow appendix A.2 of the report (h0′ = −0.8333°: solar radius plus standard refraction).
/// </remarks>
public static class SolarPosition
{
    private const double SunRadiusDeg = 0.26667;
    private const double StandardRefractionAtHorizonDeg = 0.5667;
    private static readonly DateTime UnixEpoch = new(1970, 1, 1, 0, 0, 0, DateTimeKind.Utc);

    /// <summary>The Julian day of a UTC instant (UT1 taken equal to UTC: |UT1 − UTC| &lt; 0.9 s).</summary>
    public static double JulianDay(DateTime utc) => 2440587.5 + (utc - UnixEpoch).Ticks / (double)TimeSpan.TicksPerDay;

    /// <summary>The sun's position by NREL SPA.</summary>
    /// <param name="utc">The instant (its Kind must be Utc or Unspecified meaning UTC).</param>
    /// <param name="latitudeDeg">Geodetic latitude, north positive.</param>
    /// <param name="longitudeDeg">Longitude, east positive.</param>
    /// <param name="elevationM">Site elevation above sea level, m.</param>
    /// <param name="pressureHpa">Annual mean local pressure, hPa (mbar), for refraction.</param>
    /// <param name="temperatureC">Annual mean local temperature, °C, for refraction.</param>
    /// <param name="deltaTSeconds">ΔT = TT − UT, s (about 69 s in 2020).</param>
    /// <param name="atmosphericRefractionDeg">Refraction at sunrise/sunset, degrees; below −(solar radius + this) no refraction is applied.</param>
    public static SunPosition Spa(DateTime utc, double latitudeDeg, double longitudeDeg, double elevationM = 0,
        double pressureHpa = 1013.25, double temperatureC = 12, double deltaTSeconds = 67,
        double atmosphericRefractionDeg = StandardRefractionAtHorizonDeg)
    {
        var jd = JulianDay(utc);
        var g = Geocentric(jd, deltaTSeconds);

        // Observer local hour angle and topocentric correction (parallax).
        var h = Angles.Normalize360Deg(g.NuDeg + longitudeDeg - g.AlphaDeg);
        var xiDeg = 8.794 / (3600.0 * g.RadiusAu);
        var phi = latitudeDeg * Angles.DegToRad;
        var u = Math.Atan(0.99664719 * Math.Tan(phi));
        var x = Math.Cos(u) + elevationM / 6378140.0 * Math.Cos(phi);
        var y = 0.99664719 * Math.Sin(u) + elevationM / 6378140.0 * Math.Sin(phi);
        var xi = xiDeg * Angles.DegToRad;
        var hRad = h * Angles.DegToRad;
        var delta = g.DeltaDeg * Angles.DegToRad;
        var dAlpha = Math.Atan2(-x * Math.Sin(xi) * Math.Sin(hRad), Math.Cos(delta) - x * Math.Sin(xi) * Math.Cos(hRad));
        var deltaPrime = Math.Atan2((Math.Sin(delta) - y * Math.Sin(xi)) * Math.Cos(dAlpha),
            Math.Cos(delta) - x * Math.Sin(xi) * Math.Cos(hRad));
        var hPrime = hRad - dAlpha;

        var e0 = Math.Asin(Math.Sin(phi) * Math.Sin(deltaPrime) + Math.Cos(phi) * Math.Cos(deltaPrime) * Math.Cos(hPrime)) * Angles.RadToDeg;
        var dE = 0.0;
        if (e0 >= -1 * (SunRadiusDeg + atmosphericRefractionDeg))
        {
            dE = pressureHpa / 1010.0 * (283.0 / (273.0 + temperatureC))
                 * 1.02 / (60.0 * Math.Tan((e0 + 10.3 / (e0 + 5.11)) * Angles.DegToRad));
        }
        var gamma = Math.Atan2(Math.Sin(hPrime), Math.Cos(hPrime) * Math.Sin(phi) - Math.Tan(deltaPrime) * Math.Cos(phi)) * Angles.RadToDeg;
        var azimuth = Angles.Normalize360Deg(gamma + 180.0);

        var m = Angles.Normalize360Deg(280.4664567 + g.Jme * (360007.6982779 + g.Jme * (0.03032028 + g.Jme * (1.0 / 49931.0
            + g.Jme * (-1.0 / 15300.0 + g.Jme * (-1.0 / 2000000.0))))));
        var eot = LimitMinutes(4.0 * (m - 0.0057183 - g.AlphaDeg + g.DeltaPsiDeg * Math.Cos(g.EpsilonDeg * Angles.DegToRad)));

        return new SunPosition(90.0 - e0, 90.0 - (e0 + dE), azimuth, eot);
    }

    /// <summary>
    /// Sunrise, sun transit and sunset of a local calendar day (SPA report appendix A.2, as in NREL's spa.c: times
    /// are day fractions of that date's 0 h UT, wrapped to the local day).
    /// </summary>
    /// <param name="localDate">The calendar date in the site's standard time.</param>
    /// <param name="utcOffset">The local standard time's offset from UTC.</param>
    public static SunriseTransitSunset SpaSunriseTransitSunset(DateOnly localDate, TimeSpan utcOffset,
        double latitudeDeg, double longitudeDeg, double deltaTSeconds = 67,
        double atmosphericRefractionDeg = StandardRefractionAtHorizonDeg)
    {
        var day0Utc = localDate.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc);
        var jd0 = JulianDay(day0Utc);
        var nu = Geocentric(jd0, deltaTSeconds).NuDeg;
        Span<double> alpha = stackalloc double[3];
        Span<double> delta = stackalloc double[3];
        for (var i = 0; i < 3; i++)
        {
            var gi = Geocentric(jd0 + i - 1, 0);
            alpha[i] = gi.AlphaDeg;
            delta[i] = gi.DeltaDeg;
        }
        var h0Prime = -1 * (SunRadiusDeg + atmosphericRefractionDeg);
        var phi = latitudeDeg * Angles.DegToRad;
        var mTransit = (alpha[1] - longitudeDeg - nu) / 360.0;
        var tzHours = utcOffset.TotalHours;
        var localMidnightUtc = day0Utc - utcOffset;

        var arg = (Math.Sin(h0Prime * Angles.DegToRad) - Math.Sin(phi) * Math.Sin(delta[1] * Angles.DegToRad))
                  / (Math.Cos(phi) * Math.Cos(delta[1] * Angles.DegToRad));
        var m = new double[3]; // transit, rise, set
        m[0] = LimitZeroToOne(mTransit);
        var polar = Math.Abs(arg) > 1;
        var h0 = polar ? 0 : LimitDegrees180(Math.Acos(arg) * Angles.RadToDeg);
        m[1] = LimitZeroToOne(mTransit - h0 / 360.0);
        m[2] = LimitZeroToOne(mTransit + h0 / 360.0);

        var hPrime = new double[3];
        var hAlt = new double[3];
        var deltaPrime = new double[3];
        for (var i = 0; i < 3; i++)
        {
            var nuI = nu + 360.985647 * m[i];
            var n = m[i] + deltaTSeconds / 86400.0;
            var alphaPrime = Interpolate(alpha, n);
            deltaPrime[i] = Interpolate(delta, n);
            hPrime[i] = LimitDegrees180PlusMinus(nuI + longitudeDeg - alphaPrime);
            hAlt[i] = Math.Asin(Math.Sin(phi) * Math.Sin(deltaPrime[i] * Angles.DegToRad)
                + Math.Cos(phi) * Math.Cos(deltaPrime[i] * Angles.DegToRad) * Math.Cos(hPrime[i] * Angles.DegToRad)) * Angles.RadToDeg;
        }

        DateTime ToUtc(double dayFraction) =>
            localMidnightUtc + TimeSpan.FromHours(24.0 * LimitZeroToOne(dayFraction + tzHours / 24.0));

        var transit = ToUtc(m[0] - hPrime[0] / 360.0);
        if (polar)
        {
            return new SunriseTransitSunset(null, transit, null);
        }
        double RiseSet(int i) => m[i] + (hAlt[i] - h0Prime)
            / (360.0 * Math.Cos(deltaPrime[i] * Angles.DegToRad) * Math.Cos(phi) * Math.Sin(hPrime[i] * Angles.DegToRad));
        return new SunriseTransitSunset(ToUtc(RiseSet(1)), transit, ToUtc(RiseSet(2)));
    }

    /// <summary>Geocentric right ascension, declination, apparent sidereal time and their by-products (SPA steps 3.1–3.8).</summary>
    private static Geo Geocentric(double jd, double deltaTSeconds)
    {
        var jde = jd + deltaTSeconds / 86400.0;
        var jc = (jd - 2451545.0) / 36525.0;
        var jce = (jde - 2451545.0) / 36525.0;
        var jme = jce / 10.0;

        var lDeg = Angles.Normalize360Deg(SumSeries(SpaTables.L, jme) * Angles.RadToDeg);
        var bDeg = SumSeries(SpaTables.B, jme) * Angles.RadToDeg;
        var r = SumSeries(SpaTables.R, jme);

        var theta = Angles.Normalize360Deg(lDeg + 180.0);
        var beta = -bDeg;

        Span<double> x = stackalloc double[5];
        x[0] = 297.85036 + jce * (445267.111480 + jce * (-0.0019142 + jce / 189474.0));
        x[1] = 357.52772 + jce * (35999.050340 + jce * (-0.0001603 - jce / 300000.0));
        x[2] = 134.96298 + jce * (477198.867398 + jce * (0.0086972 + jce / 56250.0));
        x[3] = 93.27191 + jce * (483202.017538 + jce * (-0.0036825 + jce / 327270.0));
        x[4] = 125.04452 + jce * (-1934.136261 + jce * (0.0020708 + jce / 450000.0));
        double sumPsi = 0, sumEps = 0;
        for (var i = 0; i < SpaTables.NutationY.GetLength(0); i++)
        {
            double arg = 0;
            for (var j = 0; j < 5; j++)
            {
                arg += x[j] * SpaTables.NutationY[i, j];
            }
            arg *= Angles.DegToRad;
            sumPsi += (SpaTables.NutationAbcd[i, 0] + SpaTables.NutationAbcd[i, 1] * jce) * Math.Sin(arg);
            sumEps += (SpaTables.NutationAbcd[i, 2] + SpaTables.NutationAbcd[i, 3] * jce) * Math.Cos(arg);
        }
        var dPsi = sumPsi / 36000000.0;
        var dEps = sumEps / 36000000.0;

        var u = jme / 10.0;
        var eps0 = 84381.448 + u * (-4680.93 + u * (-1.55 + u * (1999.25 + u * (-51.38 + u * (-249.67 + u * (-39.05
            + u * (7.12 + u * (27.87 + u * (5.79 + u * 2.45)))))))));
        var eps = eps0 / 3600.0 + dEps;

        var dTau = -20.4898 / (3600.0 * r);
        var lambda = (theta + dPsi + dTau) * Angles.DegToRad;
        var epsRad = eps * Angles.DegToRad;
        var betaRad = beta * Angles.DegToRad;

        var nu0 = Angles.Normalize360Deg(280.46061837 + 360.98564736629 * (jd - 2451545.0) + jc * jc * (0.000387933 - jc / 38710000.0));
        var nu = nu0 + dPsi * Math.Cos(epsRad);

        var alpha = Angles.Normalize360Deg(Math.Atan2(Math.Sin(lambda) * Math.Cos(epsRad) - Math.Tan(betaRad) * Math.Sin(epsRad),
            Math.Cos(lambda)) * Angles.RadToDeg);
        var deltaDeg = Math.Asin(Math.Sin(betaRad) * Math.Cos(epsRad) + Math.Cos(betaRad) * Math.Sin(epsRad) * Math.Sin(lambda)) * Angles.RadToDeg;
        return new Geo(alpha, deltaDeg, nu, r, dPsi, eps, jme);
    }

    private static double SumSeries(double[][,] tables, double jme)
    {
        double total = 0, power = 1;
        foreach (var t in tables)
        {
            double s = 0;
            for (var i = 0; i < t.GetLength(0); i++)
            {
                s += t[i, 0] * Math.Cos(t[i, 1] + t[i, 2] * jme);
            }
            total += s * power;
            power *= jme;
        }
        return total / 1e8;
    }

    private static double Interpolate(ReadOnlySpan<double> v, double n)
    {
        var a = v[1] - v[0];
        var b = v[2] - v[1];
        if (Math.Abs(a) >= 2.0)
        {
            a = LimitZeroToOne(a);
        }
        if (Math.Abs(b) >= 2.0)
        {
            b = LimitZeroToOne(b);
        }
        return v[1] + n * (a + b + (b - a) * n) / 2.0;
    }

    private static double LimitZeroToOne(double v)
    {
        var r = v - Math.Floor(v);
        return r < 0 ? r + 1 : r;
    }

    private static double LimitDegrees180(double deg)
    {
        var d = deg / 180.0;
        var r = 180.0 * (d - Math.Floor(d));
        return r < 0 ? r + 180.0 : r;
    }

    private static double LimitDegrees180PlusMinus(double deg)
    {
        var d = deg / 360.0;
        var r = 360.0 * (d - Math.Floor(d));
        if (r < -180.0)
        {
            r += 360.0;
        }
        else if (r > 180.0)
        {
            r -= 360.0;
        }
        return r;
    }

    private static double LimitMinutes(double minutes) =>
        minutes < -20.0 ? minutes + 1440.0 : minutes > 20.0 ? minutes - 1440.0 : minutes;

    private readonly record struct Geo(double AlphaDeg, double DeltaDeg, double NuDeg, double RadiusAu, double DeltaPsiDeg, double EpsilonDeg, double Jme);
}
