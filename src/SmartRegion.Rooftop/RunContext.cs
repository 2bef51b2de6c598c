using NetTopologySuite.Geometries;
using SmartRegion.Geo;
using SmartRegion.Geo.Crs;
using SmartRegion.Solar;
using SmartRegion.Solar.Finance;
using SmartRegion.Solar.Weather;

namespace SmartRegion.Rooftop;

/// <summary>Everything a tile computation needs that is the same for the whole run.</summary>
public sealed class SolarRunContext
{
    public required SolarParameters Parameters { get; init; }

    public required StationSky Sky { get; init; }

    public required double StationLatitudeDeg { get; init; }

    public required double StationLongitudeDeg { get; init; }

    /// <summary>The station's name, for the reason given to buildings too far from it.</summary>
    public string StationName { get; init; } = "the run's station";

    public required SelfConsumption.Curve SelfConsumptionCurve { get; init; }

    /// <summary>The run as its reports name it; without it (a computation outside a stored run) no report document is written.</summary>
    public ReportProvenance? Provenance { get; init; }

    /// <summary>Storage CRS → WGS84, one per thread (ProjNet transforms keep state).</summary>
    public ThreadLocal<CrsTransform> ToWgs84 { get; } = new(() => CrsTransform.Create(RegionSettings.Srid, 4326));

    /// <summary>Unshaded PV yield per orientation (1° tilt, 2° azimuth buckets), shared by all workers.</summary>
    public PvYieldCache YieldCache { get; private init; } = new();

    /// <summary>Roof faces of the run's buildings, inferred once for the several tiles that load a building.</summary>
    internal BuildingCache<PreparedBuilding> Roofs { get; } = new();

    /// <summary>The batch kernel for this station (Perez, the run's albedo), built once and shared: Evaluate is thread-safe.</summary>
    public PlaneOfArrayBatch Batch => LazyInitializer.EnsureInitialized(ref _batch, ref _batchLock, () => new PlaneOfArrayBatch(Sky, SkyModel.Perez, Parameters.Albedo));

    private PlaneOfArrayBatch? _batch;
    private object? _batchLock;

    /// <summary>The run context for a weather series (the station is where the series was measured).</summary>
    public static SolarRunContext Create(SolarParameters parameters, WeatherSeries series, string stationName, ReportProvenance? provenance = null)
    {
        var sky = StationSky.Compute(series, parameters.HorizonSectors);
        return new SolarRunContext
        {
            Parameters = parameters,
            Sky = sky,
            StationLatitudeDeg = series.LatitudeDeg,
            StationLongitudeDeg = series.LongitudeDeg,
            StationName = stationName,
            SelfConsumptionCurve = SelfConsumptionProfile.ForStation(sky, parameters),
            Provenance = provenance,
        };
    }

    /// <summary>
    /// This run with other module and finance parameters (a "what if" of one building): the station's sky, the batch kernel
    /// and the unshaded yields are shared (they depend on the weather and the PV model only, which stay the run's); the
    /// self-consumption curve is made again when the household or its reference plane changed; the roof cache starts empty.
    /// </summary>
    public SolarRunContext WithParameters(SolarParameters parameters)
    {
        var p = Parameters;
        if (parameters.Albedo != p.Albedo || parameters.SystemLosses != p.SystemLosses || parameters.GammaPdcPerC != p.GammaPdcPerC
            || parameters.InverterEfficiency != p.InverterEfficiency || parameters.HorizonSectors != p.HorizonSectors)
        {
            throw new ArgumentException("the weather and PV model parameters of a run cannot change in a what-if", nameof(parameters));
        }
        var sameCurve = parameters.Finance.HouseholdConsumptionKwhPerYear == p.Finance.HouseholdConsumptionKwhPerYear
            && parameters.SelfConsumptionReferenceTiltDeg == p.SelfConsumptionReferenceTiltDeg
            && parameters.SelfConsumptionReferenceAzimuthDeg == p.SelfConsumptionReferenceAzimuthDeg;
        return new SolarRunContext
        {
            Parameters = parameters,
            Sky = Sky,
            StationLatitudeDeg = StationLatitudeDeg,
            StationLongitudeDeg = StationLongitudeDeg,
            StationName = StationName,
            SelfConsumptionCurve = sameCurve ? SelfConsumptionCurve : SelfConsumptionProfile.ForStation(Sky, parameters),
            Provenance = Provenance,
            YieldCache = YieldCache,
            _batch = Batch,
        };
    }

    /// <summary>Great-circle distance (km) from a point in the storage CRS to the run's station.</summary>
    public double StationDistanceKm(Point centre)
    {
        var (lon, lat) = ToWgs84.Value!.Transform(centre.X, centre.Y);
        const double r = 6371.0088;
        double p1 = lat * Math.PI / 180, p2 = StationLatitudeDeg * Math.PI / 180;
        double dp = p2 - p1, dl = (StationLongitudeDeg - lon) * Math.PI / 180;
        var a = Math.Sin(dp / 2) * Math.Sin(dp / 2) + Math.Cos(p1) * Math.Cos(p2) * Math.Sin(dl / 2) * Math.Sin(dl / 2);
        return 2 * r * Math.Asin(Math.Sqrt(a));
    }
}
