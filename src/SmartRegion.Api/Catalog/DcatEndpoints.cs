using System.Globalization;
using System.Text.Json;
using SmartRegion.Data.Catalog;

namespace SmartRegion.Api.Catalog;

/// <summary>DCAT-AP 3 metadata: the catalogue (paged) and each dataset, as JSON-LD and Turtle, listing only what the caller may see.</summary>
internal static class DcatEndpoints
{
    private const string FileType = "http://publications.europa.eu/resource/authority/file-type/";
    private const string AccessRight = "http://publications.europa.eu/resource/authority/access-right/";

    public static WebApplication MapDcatEndpoints(this WebApplication app)
    {
        foreach (var (extension, mediaType) in new[] { ("jsonld", "application/ld+json"), ("ttl", "text/turtle") })
        {
            app.MapGet($"/catalog.{extension}", async (HttpContext ctx, CatalogSearch search, int? page, int? pageSize) =>
            {
                var size = Math.Clamp(pageSize ?? 100, 1, 500);
                var number = Math.Clamp(page ?? 1, 1, 100_000);
                var result = await search.SearchAsync(ctx.Caller(),
                    new SearchRequest(null, null, null, null, null, null, null, "created", number, size), ctx.RequestAborted);
                var baseUrl = BaseUrl(ctx);
                var graph = new RdfGraph();
                var catalog = new RdfTerm.Iri($"{baseUrl}/catalog");
                graph.Add(catalog, "rdf:type", new RdfTerm.Iri("dcat:Catalog"));
                graph.Add(catalog, "dct:title", "SmartRegion", "fr");
                graph.Add(catalog, "dct:description", "Catalogue des données ouvertes et partagées de la région.", "fr");
                graph.Add(catalog, "foaf:homepage", new RdfTerm.Iri(baseUrl + "/"));
                graph.Add(catalog, "dct:language", new RdfTerm.Iri("http://publications.europa.eu/resource/authority/language/FRA"));
                var platform = new RdfTerm.Iri($"{baseUrl}/organisations/platform");
                graph.Add(catalog, "dct:publisher", platform);
                graph.Add(platform, "rdf:type", new RdfTerm.Iri("foaf:Agent"));
                graph.Add(platform, "foaf:name", "SmartRegion");
                if (result.Items.Count > 0)
                {
                    graph.Add(catalog, "dct:modified", RdfGraph.DateTime(result.Items.Max(d => d.ModifiedAt)));
                }
                foreach (var d in result.Items)
                {
                    graph.Add(catalog, "dcat:dataset", AddDataset(graph, d, baseUrl));
                }
                var view = new RdfTerm.Iri($"{baseUrl}/catalog.{extension}?page={number}&pageSize={size}");
                graph.Add(view, "rdf:type", new RdfTerm.Iri("hydra:PartialCollectionView"));
                graph.Add(view, "hydra:totalItems", RdfGraph.Typed(result.Total.ToString(CultureInfo.InvariantCulture), "xsd:integer"));
                graph.Add(view, "hydra:first", new RdfTerm.Iri($"{baseUrl}/catalog.{extension}?page=1&pageSize={size}"));
                if (number > 1)
                {
                    graph.Add(view, "hydra:previous", new RdfTerm.Iri($"{baseUrl}/catalog.{extension}?page={number - 1}&pageSize={size}"));
                }
                if ((long)number * size < result.Total)
                {
                    graph.Add(view, "hydra:next", new RdfTerm.Iri($"{baseUrl}/catalog.{extension}?page={number + 1}&pageSize={size}"));
                }
                graph.Add(catalog, "hydra:view", view);
                return Results.Text(extension == "ttl" ? graph.ToTurtle() : graph.ToJsonLd(), mediaType);
            })
            .WithTags("DCAT-AP")
            .WithSummary($"The catalogue in DCAT-AP 3 ({mediaType})")
            .WithDescription("Paged with hydra links: ?page= and ?pageSize= (at most 500).");

            app.MapGet($"/api/v1/datasets/{{id}}/dcat.{extension}", async (string id, HttpContext ctx) =>
            {
                var gate = await DatasetGate.OpenAsync(ctx, id, AccessLevel.Read, "read");
                if (gate.Denied is not null)
                {
                    return gate.Denied;
                }
                await gate.LogReadAsync(ctx, $"dcat.{extension}");
                var graph = new RdfGraph();
                AddDataset(graph, gate.Dataset!, BaseUrl(ctx));
                return Results.Text(extension == "ttl" ? graph.ToTurtle() : graph.ToJsonLd(), mediaType);
            })
            .WithTags("DCAT-AP")
            .WithSummary($"One dataset in DCAT-AP 3 ({mediaType})");
        }
        return app;
    }

    internal static string BaseUrl(HttpContext ctx) => ctx.RequestServices.GetRequiredService<Infrastructure.PublicUrls>().Base;

    internal static RdfTerm.Iri AddDataset(RdfGraph g, DatasetRecord d, string baseUrl)
    {
        var m = d.Metadata;
        var api = $"{baseUrl}/api/v1/datasets/{d.Slug}";
        var ds = new RdfTerm.Iri(api);
        g.Add(ds, "rdf:type", new RdfTerm.Iri("dcat:Dataset"));
        g.Add(ds, "dct:identifier", d.Slug);
        g.Add(ds, "dct:title", m.Title, "fr");
        g.Add(ds, "dct:description", m.DescriptionMd.Length > 0 ? m.DescriptionMd : m.Title, "fr");
        g.Add(ds, "dct:issued", RdfGraph.DateTime(d.CreatedAt));
        g.Add(ds, "dct:modified", RdfGraph.DateTime(d.ModifiedAt));
        g.Add(ds, "dct:accessRights", new RdfTerm.Iri(AccessRight + m.Visibility switch
        {
            "public" => "PUBLIC",
            "restricted" => "RESTRICTED",
            _ => "NON_PUBLIC",
        }));
        var publisher = new RdfTerm.Iri($"{baseUrl}/organisations/{d.OwnerOrgSlug}");
        g.Add(ds, "dct:publisher", publisher);
        g.Add(publisher, "rdf:type", new RdfTerm.Iri("foaf:Agent"));
        g.Add(publisher, "foaf:name", d.OwnerOrgName);
        foreach (var k in m.Keywords)
        {
            g.Add(ds, "dcat:keyword", k, "fr");
        }
        foreach (var t in m.Themes)
        {
            g.Add(ds, "dcat:theme", new RdfTerm.Iri(Vocabulary.ThemeBase + t));
        }
        if (m.UpdateFrequency is { } f)
        {
            g.Add(ds, "dct:accrualPeriodicity", new RdfTerm.Iri(Vocabulary.FrequencyBase + f));
        }
        if (m.LandingPage is { } landing)
        {
            g.Add(ds, "dcat:landingPage", RdfGraph.SafeIri(landing));
        }
        if (m.ContactName is not null || m.ContactEmail is not null)
        {
            var contact = g.NewBlank();
            g.Add(ds, "dcat:contactPoint", contact);
            g.Add(contact, "rdf:type", new RdfTerm.Iri("vcard:Kind"));
            g.Add(contact, "vcard:fn", m.ContactName ?? m.ContactEmail);
            if (m.ContactEmail is { } email)
            {
                g.Add(contact, "vcard:hasEmail", RdfGraph.SafeIri("mailto:" + email));
            }
        }
        if (m.SpatialBboxWgs84 is { } b)
        {
            var place = g.NewBlank();
            g.Add(ds, "dct:spatial", place);
            g.Add(place, "rdf:type", new RdfTerm.Iri("dct:Location"));
            g.Add(place, "dcat:bbox", RdfGraph.Typed(string.Create(CultureInfo.InvariantCulture,
                $"POLYGON(({b[0]} {b[1]}, {b[2]} {b[1]}, {b[2]} {b[3]}, {b[0]} {b[3]}, {b[0]} {b[1]}))"), "gsp:wktLiteral"));
        }
        foreach (var commune in m.SpatialCommunes)
        {
            g.Add(ds, "dct:spatial", new RdfTerm.Iri($"https://geo.api.gouv.fr/communes/{commune}"));
        }
        if (m.TemporalStart is not null || m.TemporalEnd is not null)
        {
            var period = g.NewBlank();
            g.Add(ds, "dct:temporal", period);
            g.Add(period, "rdf:type", new RdfTerm.Iri("dct:PeriodOfTime"));
            g.Add(period, "dcat:startDate", m.TemporalStart is { } s ? RdfGraph.Typed(s.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), "xsd:date") : null);
            g.Add(period, "dcat:endDate", m.TemporalEnd is { } e ? RdfGraph.Typed(e.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), "xsd:date") : null);
        }
        if (d.CurrentVersionNumber is { } version)
        {
            g.Add(ds, "dcat:version", version.ToString(CultureInfo.InvariantCulture));
        }
        if (d.CurrentProvenanceJson is { } provenance)
        {
            AddProvenance(g, ds, publisher, provenance);
        }
        if (d.CurrentVersionNumber is not null)
        {
            foreach (var (ext, type, media) in new[] { ("csv", "CSV", "text/csv"), ("geojson", "GEOJSON", "application/geo+json"), ("parquet", "PARQUET", "application/vnd.apache.parquet") })
            {
                var dist = new RdfTerm.Iri($"{api}/export.{ext}");
                g.Add(ds, "dcat:distribution", dist);
                g.Add(dist, "rdf:type", new RdfTerm.Iri("dcat:Distribution"));
                g.Add(dist, "dct:title", $"{m.Title} ({type})", "fr");
                g.Add(dist, "dcat:accessURL", new RdfTerm.Iri($"{api}/records"));
                g.Add(dist, "dcat:downloadURL", dist);
                g.Add(dist, "dct:format", new RdfTerm.Iri(FileType + type));
                g.Add(dist, "dcat:mediaType", new RdfTerm.Iri($"https://www.iana.org/assignments/media-types/{media}"));
                g.Add(dist, "dct:license", RdfGraph.SafeIri(d.LicenceUri));
                g.Add(dist, "dct:modified", RdfGraph.DateTime(d.ModifiedAt));
                g.Add(dist, "adms:status", new RdfTerm.Iri("http://publications.europa.eu/resource/authority/distribution-status/COMPLETED"));
            }
        }
        return ds;
    }

    /// <summary>
    /// A platform-made version's provenance (a solar run) in DCAT-AP 3 / PROV-O terms: a dct:ProvenanceStatement and
    /// adms:versionNotes for people, prov:wasGeneratedBy an activity (times, software version, the inputs it used) for machines.
    /// </summary>
    private static void AddProvenance(RdfGraph g, RdfTerm.Iri ds, RdfTerm.Iri publisher, string provenanceJson)
    {
        using var doc = JsonDocument.Parse(provenanceJson);
        var p = doc.RootElement;
        string? Text(JsonElement e, string name) => e.TryGetProperty(name, out var v) && v.ValueKind != JsonValueKind.Null
            ? (v.ValueKind == JsonValueKind.String ? v.GetString() : v.GetRawText())
            : null;
        RdfTerm? Time(string name) => p.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String && v.TryGetDateTimeOffset(out var t)
            ? RdfGraph.DateTime(t)
            : null;
        string? Utc(string name) => p.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String && v.TryGetDateTimeOffset(out var t)
            ? t.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture)
            : null;
        if (Text(p, "kind") == "solar-aggregate")
        {
            AddAggregateProvenance(g, ds, publisher, p);
            return;
        }
        var runId = Text(p, "runId");
        var model = Text(p, "modelVersion");
        var parameters = Text(p, "parametersSha256");
        var station = p.TryGetProperty("weatherStation", out var s) && s.ValueKind == JsonValueKind.Object ? s : (JsonElement?)null;
        var ingests = p.TryGetProperty("ingestRuns", out var i) && i.ValueKind == JsonValueKind.Array ? i.EnumerateArray().ToList() : [];
        var summary = string.Create(CultureInfo.InvariantCulture,
            $"Calcul solaire SmartRegion n° {runId} terminé le {Utc("completedAt")} : modèle {model}, paramètres sha256 {parameters}, " +
            $"station météo {(station is { } st ? Text(st, "name") : "inconnue")}, chargements lus {string.Join(", ", ingests.Select(x => Text(x, "id")))}.");

        var activity = AddActivity(g, ds, summary, $"solar-run-{runId}", $"Calcul solaire n° {runId}");
        g.Add(activity, "prov:startedAtTime", Time("startedAt"));
        g.Add(activity, "prov:endedAtTime", Time("completedAt"));
        g.Add(activity, "prov:wasAssociatedWith", publisher);
        var software = g.NewBlank();
        g.Add(activity, "prov:wasAssociatedWith", software);
        g.Add(software, "rdf:type", new RdfTerm.Iri("prov:SoftwareAgent"));
        g.Add(software, "rdfs:label", "SmartRegion solar model");
        g.Add(software, "dcat:version", model);
        if (Text(p, "timings") is { } timings)
        {
            g.Add(activity, "rdfs:comment", $"timings: {timings}");
        }
        var parametersEntity = g.NewBlank();
        g.Add(activity, "prov:used", parametersEntity);
        g.Add(parametersEntity, "rdf:type", new RdfTerm.Iri("prov:Entity"));
        g.Add(parametersEntity, "rdfs:label", "parameters");
        var checksum = g.NewBlank();
        g.Add(parametersEntity, "spdx:checksum", checksum);
        g.Add(checksum, "rdf:type", new RdfTerm.Iri("spdx:Checksum"));
        g.Add(checksum, "spdx:algorithm", new RdfTerm.Iri("spdx:checksumAlgorithm_sha256"));
        g.Add(checksum, "spdx:checksumValue", RdfGraph.Typed(parameters ?? "", "xsd:hexBinary"));
        if (station is { } w)
        {
            var entity = g.NewBlank();
            g.Add(activity, "prov:used", entity);
            g.Add(entity, "rdf:type", new RdfTerm.Iri("prov:Entity"));
            g.Add(entity, "dct:identifier", $"weather-station-{Text(w, "id")}");
            g.Add(entity, "rdfs:label", $"station météo {Text(w, "name")} ({Text(w, "source")})", "fr");
            g.Add(entity, "rdfs:comment", Text(w, "licence") is { } licence ? $"licence: {licence}" : null);
        }
        foreach (var ingest in ingests)
        {
            var entity = g.NewBlank();
            g.Add(activity, "prov:used", entity);
            g.Add(entity, "rdf:type", new RdfTerm.Iri("prov:Entity"));
            g.Add(entity, "dct:identifier", $"ingest-run-{Text(ingest, "id")}");
            g.Add(entity, "rdfs:label", $"{Text(ingest, "kind")} {Text(ingest, "source")}: {Text(ingest, "fileName")}");
        }
    }

    /// <summary>
    /// A version's provenance statement (<paramref name="summary"/>, also its version notes) and the prov:Activity that
    /// generated it; returns the activity for its times, agents and inputs.
    /// </summary>
    private static RdfTerm AddActivity(RdfGraph g, RdfTerm.Iri ds, string summary, string identifier, string label)
    {
        g.Add(ds, "adms:versionNotes", summary, "fr");
        var statement = g.NewBlank();
        g.Add(ds, "dct:provenance", statement);
        g.Add(statement, "rdf:type", new RdfTerm.Iri("dct:ProvenanceStatement"));
        g.Add(statement, "rdfs:label", summary, "fr");
        var activity = g.NewBlank();
        g.Add(ds, "prov:wasGeneratedBy", activity);
        g.Add(activity, "rdf:type", new RdfTerm.Iri("prov:Activity"));
        g.Add(activity, "dct:identifier", identifier);
        g.Add(activity, "rdfs:label", label, "fr");
        return activity;
    }

    /// <summary>
    /// The provenance of a version the barometer derived from solar runs: a statement for people, and an activity (the
    /// refresh) that used each run's results, for machines.
    /// </summary>
    private static void AddAggregateProvenance(RdfGraph g, RdfTerm.Iri ds, RdfTerm.Iri publisher, JsonElement p)
    {
        var refreshId = p.TryGetProperty("refreshId", out var id) ? id.GetRawText() : "?";
        var runs = p.TryGetProperty("runs", out var r) && r.ValueKind == JsonValueKind.Array ? r.EnumerateArray().ToList() : [];
        string Field(JsonElement e, string name) => e.TryGetProperty(name, out var v) && v.ValueKind != JsonValueKind.Null
            ? (v.ValueKind == JsonValueKind.String ? v.GetString()! : v.GetRawText())
            : "?";
        var summary = string.Create(CultureInfo.InvariantCulture,
            $"Agrégats par commune n° {refreshId} des résultats solaires SmartRegion, calculés le {Field(p, "refreshedAt")} à partir des calculs " +
            $"{string.Join(", ", runs.Select(run => $"n° {Field(run, "runId")} (modèle {Field(run, "modelVersion")})"))} ; hypothèses sha256 {Field(p, "parametersSha256")}.");
        var activity = AddActivity(g, ds, summary, $"barometer-refresh-{refreshId}", $"Agrégation par commune n° {refreshId}");
        g.Add(activity, "prov:endedAtTime", p.TryGetProperty("refreshedAt", out var at) && at.TryGetDateTimeOffset(out var t) ? RdfGraph.DateTime(t) : null);
        g.Add(activity, "prov:wasAssociatedWith", publisher);
        foreach (var run in runs)
        {
            var entity = g.NewBlank();
            g.Add(activity, "prov:used", entity);
            g.Add(entity, "rdf:type", new RdfTerm.Iri("prov:Entity"));
            g.Add(entity, "dct:identifier", $"solar-run-{Field(run, "runId")}");
            g.Add(entity, "rdfs:label", $"résultats du calcul solaire n° {Field(run, "runId")} (modèle {Field(run, "modelVersion")})", "fr");
        }
    }
}
