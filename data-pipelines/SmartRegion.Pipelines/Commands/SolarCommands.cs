using System.Globalization;
using SmartRegion.Pipelines.Cli;
using SmartRegion.Solar;

namespace SmartRegion.Pipelines.Commands;

/// <summary><c>solar position | poa | pv</c>: the science kernel on the command line (no database).</summary>
internal static class SolarCommands
{
    public const string Usage = """
        solar position --lat DEG --lon DEG --time ISO8601 [--elevation M] [--pressure HPA] [--temperature C] [--delta-t S]
                          sun position (NREL SPA) and the day's sunrise, transit and sunset, as JSON
        solar poa --weather FILE [--format auto|pvgis-csv|pvgis-json|epw|nsrdb] [--time-shift-min N] --tilt DEG --azimuth DEG
                  [--model isotropic|haydavies|perez] [--albedo A] [--horizon "az:elev,…" | --horizon-file FILE]
                          annual and monthly plane-of-array irradiation, kWh/m²
        solar pv  (the poa options) [--kwp 1] [--losses 0.14] [--gamma-pdc -0.0037] [--inverter-efficiency 0.96] [--iam physical|none]
                          DC and AC energy of a PVWatts system, kWh
        """;

    public static async Task<int> RunAsync(string[] args, CancellationToken cancellationToken)
    {
        var verb = args.FirstOrDefault() ?? throw new CliUsageException("solar needs a subcommand: position | poa | pv");
        var options = CliArgs.Parse(args.Skip(1));
        switch (verb)
        {
            case "position":
                Position(options);
                return 0;
            case "poa":
                await SolarYieldCommands.PlaneOfArrayAsync(options, cancellationToken);
                return 0;
            case "pv":
                await SolarYieldCommands.PvAsync(options, cancellationToken);
                return 0;
            default:
                throw new CliUsageException($"unknown solar subcommand '{verb}' (expected position | poa | pv)");
        }
    }

    private static void Position(CliArgs options)
    {
        var lat = options.RequiredDouble("lat", -90, 90);
        var lon = options.RequiredDouble("lon", -180, 180);
        var timeText = options.RequiredString("time");
        var elevation = options.Double("elevation", -500, 9000) ?? 0;
        var pressure = options.Double("pressure", 1, 2000) ?? 1013.25;
        var temperature = options.Double("temperature", -100, 100) ?? 12;
        var deltaT = options.Double("delta-t", -8000, 8000) ?? 69;
        options.RejectUnknown();
        if (!DateTimeOffset.TryParse(timeText, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time))
        {
            throw new CliUsageException($"--time: '{timeText}' is not an ISO 8601 date and time (e.g. 2003-10-17T12:30:30-07:00)");
        }
        var p = SolarPosition.Spa(time.UtcDateTime, lat, lon, elevation, pressure, temperature, deltaT);
        var day = SolarPosition.SpaSunriseTransitSunset(DateOnly.FromDateTime(time.DateTime), time.Offset, lat, lon, deltaT);
        CliJson.Write(new
        {
            zenithDeg = p.ZenithDeg,
            apparentZenithDeg = p.ApparentZenithDeg,
            azimuthDeg = p.AzimuthDeg,
            elevationDeg = p.ElevationDeg,
            apparentElevationDeg = p.ApparentElevationDeg,
            equationOfTimeMin = p.EquationOfTimeMin,
            sunriseUtc = FormatUtc(day.SunriseUtc),
            transitUtc = FormatUtc(day.TransitUtc),
            sunsetUtc = FormatUtc(day.SunsetUtc),
        });
    }

    private static string? FormatUtc(DateTime? utc) =>
        utc is { } t ? new DateTime((t.Ticks + TimeSpan.TicksPerSecond / 2) / TimeSpan.TicksPerSecond * TimeSpan.TicksPerSecond, DateTimeKind.Utc)
            .ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture) : null;
}
