using SmartRegion.Geo;
using SmartRegion.Solar;
using SmartRegion.Solar.Finance;

namespace SmartRegion.Rooftop;

/// <summary>The self-consumed share of a year's production, as a curve of the annual production, for one weather station.</summary>
public static class SelfConsumptionProfile
{
    /// <summary>
    /// Self-consumption against annual production for this station: the reference plane's hourly shape (a south-facing 30°
    /// plane by default, finance.selfConsumptionReferencePlane) and the household profile, hours placed in local time (the
    /// household's day follows the clock, the sun follows UTC).
    /// </summary>
    public static SelfConsumption.Curve ForStation(StationSky sky, SolarParameters parameters)
    {
        var weather = sky.Weather;
        var hourly = PlaneOfArray.Hourly(sky, new PlaneOrientation(parameters.SelfConsumptionReferenceTiltDeg, parameters.SelfConsumptionReferenceAzimuthDeg), SkyModel.Perez, parameters.Albedo, null);
        var shape = new double[weather.Count];
        double total = 0;
        for (var h = 0; h < sky.Count; h++)
        {
            var w = hourly.BeamWPerM2[h] + hourly.SkyDiffuseWPerM2[h] + hourly.GroundReflectedWPerM2[h];
            shape[sky.RowIndex[h]] = w;
            total += w;
        }
        for (var i = 0; i < shape.Length; i++)
        {
            shape[i] = total > 0 ? shape[i] / total : 0;
        }
        var zone = RegionSettings.Current.TimeZone;
        var localHour = new int[weather.Count];
        var month = new int[weather.Count];
        for (var i = 0; i < weather.Count; i++)
        {
            var local = TimeZoneInfo.ConvertTimeFromUtc(DateTime.SpecifyKind(weather.SunInstantUtc(i), DateTimeKind.Utc), zone);
            localHour[i] = local.Hour;
            month[i] = weather.Month[i];
        }
        var load = SelfConsumption.HouseholdLoadKwh(month, localHour, parameters.Finance.HouseholdConsumptionKwhPerYear);
        return new SelfConsumption.Curve(shape, load);
    }
}
