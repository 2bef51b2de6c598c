using SmartRegion.Pipelines.Cli;
using SmartRegion.Solar;
using SmartRegion.Solar.Weather;

namespace SmartRegion.Pipelines.Commands;

/// <summary><c>solar poa</c> and <c>solar pv</c>: one plane over a weather file, hour by hour.</summary>
internal static class SolarYieldCommands
{
    public static async Task PlaneOfArrayAsync(CliArgs options, CancellationToken cancellationToken)
    {
        var input = ReadPlaneOptions(options);
        options.RejectUnknown();
        var (sky, poa) = await ComputeAsync(input, cancellationToken);
        var monthly = new double[12];
        for (var h = 0; h < sky.Count; h++)
        {
            monthly[sky.Month[h]] += (poa.BeamWPerM2[h] + poa.SkyDiffuseWPerM2[h] + poa.GroundReflectedWPerM2[h]) / 1000;
        }
        var beam = poa.BeamWPerM2.Sum() / 1000;
        var diffuse = poa.SkyDiffuseWPerM2.Sum() / 1000;
        var ground = poa.GroundReflectedWPerM2.Sum() / 1000;
        CliJson.Write(new
        {
            annualKwhPerM2 = beam + diffuse + ground,
            monthlyKwhPerM2 = monthly,
            beamKwhPerM2 = beam,
            skyDiffuseKwhPerM2 = diffuse,
            groundReflectedKwhPerM2 = ground,
            skyViewFactor = poa.SkyViewFactor,
            timeConvention = sky.Weather.TimeConvention,
        });
    }

    public static async Task PvAsync(CliArgs options, CancellationToken cancellationToken)
    {
        var input = ReadPlaneOptions(options);
        var system = new PvSystem(
            Kwp: options.Double("kwp", 0, 1e6) ?? 1,
            LossesFraction: options.Double("losses", 0, 0.99) ?? 0.14,
            GammaPdcPerC: options.Double("gamma-pdc", -0.05, 0.05) ?? -0.0037,
            InverterEfficiency: options.Double("inverter-efficiency", 0.01, 1) ?? 0.96,
            PhysicalIam: options.Choice("iam", "physical", "physical", "none") == "physical");
        options.RejectUnknown();
        var (sky, poa) = await ComputeAsync(input, cancellationToken);
        var y = PvYield.Compute(sky, poa, system);
        CliJson.Write(new
        {
            annualKwhDc = y.AnnualKwhDc,
            annualKwhAc = y.AnnualKwhAc,
            specificYieldKwhPerKwp = y.SpecificYieldKwhPerKwp,
            monthlyKwhAc = y.MonthlyKwhAc,
        });
    }

    private sealed record PlaneInput(string Weather, WeatherFormat Format, TimeSpan? Shift, PlaneOrientation Plane,
        SkyModel Model, double Albedo, string? HorizonText, string? HorizonFile);

    private static PlaneInput ReadPlaneOptions(CliArgs options)
    {
        var weather = options.RequiredString("weather");
        var formatName = options.Choice("format", "auto", "auto", "pvgis-csv", "pvgis-json", "epw", "nsrdb");
        var shift = options.Double("time-shift-min", -1440, 1440);
        var tilt = options.RequiredDouble("tilt", 0, 180);
        var azimuth = options.RequiredDouble("azimuth", 0, 360);
        var model = options.Choice("model", "perez", "isotropic", "haydavies", "perez") switch
        {
            "isotropic" => SkyModel.Isotropic,
            "haydavies" => SkyModel.HayDavies,
            _ => SkyModel.Perez,
        };
        var albedo = options.Double("albedo", 0, 1) ?? 0.2;
        var horizonText = options.String("horizon");
        var horizonFile = options.String("horizon-file");
        if (horizonText is not null && horizonFile is not null)
        {
            throw new CliUsageException("give --horizon or --horizon-file, not both");
        }
        return new PlaneInput(weather, WeatherFile.ParseFormat(formatName)!.Value, shift is { } s ? TimeSpan.FromMinutes(s) : null,
            new PlaneOrientation(tilt, azimuth), model, albedo, horizonText, horizonFile);
    }

    private static async Task<(StationSky Sky, PlaneHourly Poa)> ComputeAsync(PlaneInput input, CancellationToken cancellationToken)
    {
        HorizonProfile? horizon = null;
        if (input.HorizonText is { } text)
        {
            try
            {
                horizon = HorizonProfile.Parse(text);
            }
            catch (ArgumentException e)
            {
                throw new CliUsageException($"--horizon: {e.Message}");
            }
        }
        try
        {
            if (input.HorizonFile is { } file)
            {
                if (!File.Exists(file))
                {
                    throw new CliFailureException($"--horizon-file: {file} does not exist");
                }
                horizon = HorizonProfile.ParseCsv(await File.ReadAllTextAsync(file, cancellationToken), file);
            }
            if (!File.Exists(input.Weather))
            {
                throw new CliFailureException($"--weather: {input.Weather} does not exist");
            }
            var weather = await WeatherFile.ReadAsync(input.Weather, input.Format, input.Shift, cancellationToken);
            var sky = StationSky.Compute(weather);
            return (sky, PlaneOfArray.Hourly(sky, input.Plane, input.Model, input.Albedo, horizon));
        }
        catch (WeatherFileException e)
        {
            throw new CliFailureException(e.Message);
        }
    }
}
