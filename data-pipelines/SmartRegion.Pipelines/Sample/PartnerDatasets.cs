using System.Security.Cryptography;
using System.Text.Json;
using Npgsql;
using SmartRegion.Data.Catalog;
using SmartRegion.Data.Catalog.Uploads;
using SmartRegion.Pipelines.Cli;

namespace SmartRegion.Pipelines.Sample;

/// <summary>
/// The demo's partner organisations and their open datasets: two real partner-style files (../shared/data/partners, see
/// its README) published in the catalogue exactly as a partner's upload would be — organisation, dataset metadata, a
/// version read from the file in place by the catalogue's own upload job, then published — so that the 3D map lists them
/// as layers and the catalogue, the explore and OGC APIs serve them.
/// </summary>
public static class PartnerDatasets
{
    /// <summary>One partner file: who publishes it and how it is described.</summary>
    public sealed record Spec(string FileName, string OrgSlug, string OrgName, string OrgKind, string DatasetSlug, string Title,
        string DescriptionMd, string LicenceId, string[] Themes, string[] Keywords, string LandingPage);

    /// <summary>What became of one file.</summary>
    public sealed record Outcome(string Dataset, string Organisation, string Status, int? Version, long? Rows, string? Error = null);

    public static readonly IReadOnlyList<Spec> Files =
    [
        new("seine-saint-denis_ecoles_potentiel_solaire_d4g.geojson", "data-for-good", "Data For Good", "association",
            "ecoles-seine-saint-denis-potentiel-solaire", "Potentiel solaire des écoles de Seine-Saint-Denis",
            """
            Les 1 130 écoles, collèges et lycées de Seine-Saint-Denis avec le potentiel solaire de leurs toits (surface utile,
            rayonnement, potentiel), calculé par l'association Data For Good (projet « 13_potentiel_solaire », code sous licence
            MIT) à partir de données publiées sous Licence Ouverte 2.0. Exemple de jeu de données d'un partenaire associatif.
            """,
            "etalab-2.0", ["EDUC", "ENER"], ["écoles", "solaire", "Seine-Saint-Denis"],
            "https://github.com/dataforgoodfr/13_potentiel_solaire"),
        new("paris_arbres_plantes.csv", "ville-de-paris", "Ville de Paris", "public_agency",
            "arbres-plantes-paris", "Les arbres plantés",
            """
            Les 7 263 arbres plantés récemment par la Ville de Paris : emplacement, essence, genre, hauteur, circonférence et date
            de plantation. Export du jeu « Les arbres plantés » de Paris Data (ODbL). Exemple de jeu de données d'une collectivité
            partenaire.
            """,
            "odbl-1.0", ["ENVI"], ["arbres", "végétalisation", "Paris"],
            "https://opendata.paris.fr/explore/dataset/les-arbres-plantes/"),
    ];

    /// <summary>
    /// Publishes every file of <paramref name="folder"/> not yet published (an already published dataset is left as it is).
    /// Fails with the file's name when one is missing or its upload job fails; nothing half-published stays visible.
    /// </summary>
    public static async Task<List<Outcome>> PublishAsync(NpgsqlDataSource dataSource, string folder, TextWriter log, CancellationToken cancellationToken)
    {
        var missing = Files.Select(f => Path.Combine(folder, f.FileName)).Where(p => !File.Exists(p)).ToList();
        if (missing.Count > 0)
        {
            throw new CliFailureException($"partner file(s) not found: {string.Join(", ", missing)}");
        }
        var accounts = new AccountStore(dataSource);
        var datasets = new DatasetStore(dataSource);
        var versions = new VersionStore(dataSource);
        var admin = Caller.Anonymous with { IsPlatformAdmin = true };
        var outcomes = new List<Outcome>();
        foreach (var spec in Files)
        {
            var org = await accounts.FindOrganisationAsync(spec.OrgSlug, cancellationToken)
                ?? await accounts.CreateOrganisationAsync(spec.OrgSlug, spec.OrgName, spec.OrgKind, cancellationToken);
            var (dataset, _) = await datasets.FindAsync(spec.DatasetSlug, admin, cancellationToken);
            if (dataset is { CurrentVersionNumber: { } current })
            {
                outcomes.Add(new Outcome(spec.DatasetSlug, org.Slug, "already published", current, dataset.CurrentRowCount));
                continue;
            }
            dataset ??= await datasets.CreateAsync(spec.DatasetSlug, org.Id, new DatasetMetadata(spec.Title,
                string.Join(' ', spec.DescriptionMd.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)),
                spec.OrgName, null, spec.LicenceId, spec.Keywords, spec.Themes, null, [], null, null, "IRREG", spec.LandingPage, "public"),
                null, cancellationToken);
            var path = Path.GetFullPath(Path.Combine(folder, spec.FileName));
            log.WriteLine($"sample partners: {spec.OrgName} publishes {spec.DatasetSlug} from {spec.FileName}…");
            var (bytes, sha) = await HashAsync(path, cancellationToken);
            var options = new UploadOptions(ServerFile: path);
            var format = Path.GetExtension(path) == ".csv" ? "csv" : "geojson";
            var (version, jobId) = await versions.CreateUploadAsync(dataset.Id, format, spec.FileName, bytes, sha,
                JsonSerializer.Serialize(options, JsonSerializerOptions.Web), null, cancellationToken);
            var error = await RunJobAsync(dataSource, versions, jobId, folder, cancellationToken);
            if (error is not null)
            {
                throw new CliFailureException($"{spec.FileName}: the upload job failed: {error}");
            }
            var published = await versions.PublishAsync(dataset.Id, version.Number, null, false, cancellationToken);
            outcomes.Add(new Outcome(spec.DatasetSlug, org.Slug, "published", published.Number, published.RowCount));
        }
        return outcomes;
    }

    /// <summary>
    /// Runs upload jobs as the Api's worker does (oldest queued first) until <paramref name="jobId"/> has run; when a running
    /// Api's worker took it first, waits for that worker. Returns the job's error, or null when it is done.
    /// </summary>
    private static async Task<string?> RunJobAsync(NpgsqlDataSource dataSource, VersionStore versions, long jobId, string folder,
        CancellationToken cancellationToken)
    {
        // Server files are read per organisation (Catalog:ServerFileRoots): the operator who runs this command names the
        // partners' folder, so each example partner may read that folder, and only that one, for this run.
        var roots = new ServerFileRoots(Files.Select(f => f.OrgSlug).Distinct()
            .ToDictionary(slug => slug, IReadOnlyList<string> (_) => [Path.GetFullPath(folder)]));
        var runner = new UploadJobRunner(dataSource, Path.GetTempPath(), new UploadLimits(), roots);
        var worker = $"cli-sample-partners-{Environment.ProcessId}";
        while (true)
        {
            var job = await versions.ClaimJobAsync(worker, cancellationToken);
            if (job is not null)
            {
                var error = await runner.RunAsync(job, cancellationToken);
                await versions.FinishJobAsync(job.JobId, error, cancellationToken);
                if (job.JobId != jobId)
                {
                    continue;
                }
                return error;
            }
            var status = await versions.GetJobAsync(jobId, cancellationToken);
            switch (status?.Status)
            {
                case "done":
                    return null;
                case "failed":
                    return status.Error ?? "failed";
                case null:
                    return "the job disappeared";
            }
            await Task.Delay(500, cancellationToken);
        }
    }

    private static async Task<(long Bytes, string Sha256)> HashAsync(string path, CancellationToken cancellationToken)
    {
        await using var stream = File.OpenRead(path);
        var hash = await SHA256.HashDataAsync(stream, cancellationToken);
        return (stream.Length, Convert.ToHexStringLower(hash));
    }
}
