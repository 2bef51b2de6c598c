using System.Globalization;
using SmartRegion.Data.Geocoding;
using SmartRegion.Geo.Readers;
using SmartRegion.Geo.Text;
using SmartRegion.Pipelines.Ingest;
using SmartRegion.Testing;
using static SmartRegion.Pipelines.Tests.Fixtures;

namespace SmartRegion.Pipelines.Tests;

public sealed class AddressAndBoundaryTests(TestDatabase db)
{
    [Fact]
    public async Task Geocode_BalAddressesWithTyposAccentsAndAbbreviations_FirstMatchWithin30m()
    {
        var path = SharedData.Require("addresses/bal_54084_mont-bonvillers.csv");
        var r = await AddressIngest.RunAsync(db.DataSource, new AddressIngestOptions(path, "auto", null, null, null, UniqueSource("bal")), Ct);
        Assert.Equal("bal", r.Format);
        Assert.Equal(0, r.Rejected);

        // Ground truth: each address's own Lambert-93 position. The query is what a resident types: upper case,
        // no accents, "r." for "rue", one letter missing from the longest word of the street name.
        using var table = new CsvReader(File.OpenRead(path), "bal");
        var (tested, within30m) = (0, 0);
        while (table.Next()?.Fields is { } row)
        {
            var street = Field(table, row, "voie_nom");
            var number = Field(table, row, "numero");
            if (street.Length == 0 || number is "" or "99999")
            {
                continue;
            }
            tested++;
            within30m += await FirstWithin30mAsync(ResidentQuery($"{number} {street}", "mont-bonvillers"),
                (double.Parse(Field(table, row, "x"), CultureInfo.InvariantCulture), double.Parse(Field(table, row, "y"), CultureInfo.InvariantCulture))) ? 1 : 0;
        }
        TestContext.Current.SendDiagnosticMessage($"BAL Mont-Bonvillers: {within30m}/{tested} degraded queries first within 30 m");
        Assert.True(tested > 450);
        Assert.True(within30m >= tested * 0.95, $"{within30m}/{tested} first within 30 m");
    }

    [Fact]
    public void Parse_SaintDenisSchoolAddresses_FindsNumberAndPostcode()
    {
        // The 83 schools are the issue's ground truth, but no BAN/BAL extract of Saint-Denis exists in ../shared/data:
        // geocoding them against their own file would be circular. What can be checked honestly is the query parsing.
        var path = SharedData.Require("addresses/saint-denis_etablissements_scolaires_adresses.csv");
        using var table = new CsvReader(File.OpenRead(path), "schools");
        var (rows, numbered) = (0, 0);
        while (table.Next()?.Fields is { } row)
        {
            rows++;
            var q = AddressSearch.Parse($"{Field(table, row, "adresse_1")}, {Field(table, row, "code_postal")} {Field(table, row, "nom_commune")}");
            Assert.Equal(Field(table, row, "code_postal"), q.Postcode);
            Assert.EndsWith("saint denis", q.Text);
            numbered += q.Number is null ? 0 : 1;
        }
        Assert.Equal(83, rows);
        TestContext.Current.SendDiagnosticMessage($"Saint-Denis schools: {numbered}/83 addresses carry a house number");
        Assert.True(numbered >= 70, $"{numbered}");
    }

    [Fact]
    public async Task Geocode_SaintDenisSchools_AsWrittenAndAsResidentsType_FirstWithin30m()
    {
        // The issue's ground truth. No BAN/BAL extract of Saint-Denis is in ../shared/data, so the schools file is also the
        // reference the geocoder searches: what this measures is the parsing and ranking among the 83 (schools of one street,
        // of one number, of similar names), not the coverage of a real address base.
        var path = SharedData.Require("addresses/saint-denis_etablissements_scolaires_adresses.csv");
        var r = await AddressIngest.RunAsync(db.DataSource, new AddressIngestOptions(path, "auto", null, null, null, UniqueSource("schools")), Ct);
        Assert.Equal((83, 0), (r.Accepted, r.Rejected));
        // Schools that share an address are placed apart ("10 rue Pasteur" holds two schools 51 m apart), so an answer is
        // right when it is within 30 m of any school at that address.
        using var table = new CsvReader(File.OpenRead(path), "schools");
        var schools = new List<(string Address, string Postcode, string Commune, double X, double Y)>();
        while (table.Next()?.Fields is { } row)
        {
            schools.Add((Field(table, row, "adresse_1"), Field(table, row, "code_postal"), Field(table, row, "nom_commune"),
                double.Parse(Field(table, row, "coordx_origine"), CultureInfo.InvariantCulture), double.Parse(Field(table, row, "coordy_origine"), CultureInfo.InvariantCulture)));
        }
        var (asWritten, asTyped) = (0, 0);
        var missed = new List<string>();
        foreach (var school in schools)
        {
            var places = schools.Where(o => o.Address == school.Address).Select(o => (o.X, o.Y)).ToArray();
            asWritten += await FirstWithin30mAsync($"{school.Address}, {school.Postcode} {school.Commune}", places) ? 1 : 0;
            var typed = ResidentQuery(school.Address, "st-denis");
            if (await FirstWithin30mAsync(typed, places))
            {
                asTyped++;
            }
            else
            {
                missed.Add(typed);
            }
        }
        TestContext.Current.SendDiagnosticMessage($"Saint-Denis schools: {asWritten}/{schools.Count} as written and {asTyped}/{schools.Count} as a "
            + $"resident types them first within 30 m of a school at that address; missed: {string.Join(" | ", missed)}");
        Assert.Equal(83, schools.Count);
        // Measured 83/83 and 83/83 (as typed it was 67/83 while the label alone, "10 rue Pasteur", was searched).
        Assert.Equal(83, asWritten);
        Assert.True(asTyped >= 80, $"{asTyped}/83 as typed; missed: {string.Join(" | ", missed)}");
    }

    [Fact]
    public async Task IngestAddresses_Windows1252PipeDelimitedWithABadRow_LoadedAsAPartnerUploadWouldBe()
    {
        // The same file a partner may upload to the catalogue (same reader): Windows-1252, '|' delimiter, one short row.
        var text = "id|numero|voie_nom|code_postal|commune_nom|long|lat\n"
            + "w1252-1|12|Rue de l'Église|93200|Saint-Denis|2.3585|48.9358\n"
            + "w1252-2|3|Allée des Tilleuls|93200|Saint-Denis\n"
            + "w1252-3|7|Place du Caquet|93200|Saint-Denis|2.3578|48.9362\n";
        var path = TempFile("adresses-1252.csv", System.Text.CodePagesEncodingProvider.Instance.GetEncoding(1252)!.GetBytes(text));
        var source = UniqueSource("w1252");
        var r = await AddressIngest.RunAsync(db.DataSource, new AddressIngestOptions(path, "auto", null, null, null, source), Ct);
        Assert.Equal((3, 2, 1), (r.Read, r.Accepted, r.Rejected));
        Assert.Equal("line 3: (row): 5 fields where the header has 7", $"line {r.Rejections[0].Line}: {r.Rejections[0].Field}: {r.Rejections[0].Reason}");
        Assert.Equal("12 Rue de l'Église 93200 Saint-Denis",
            await ScalarAsync<string>(db, "SELECT label FROM region.address WHERE source = @s AND source_id = 'w1252-1'", ("s", source)));
    }

    /// <summary>
    /// What a resident types: upper case, no accents, "r." for "rue", "av." for "avenue", one letter missing from the longest
    /// word, the commune's short name and no postcode.
    /// </summary>
    private static string ResidentQuery(string numberAndStreet, string commune)
    {
        var words = numberAndStreet.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var longest = words.OrderByDescending(w => w.Length).First();
        var typo = longest.Length > 5 ? longest.Remove(longest.Length / 2, 1) : longest;
        return $"{string.Join(' ', words.Select(w => w == longest ? typo : w.ToLowerInvariant() switch { "rue" => "r.", "avenue" => "av.", _ => w }))} {commune}"
            .Replace("é", "e", StringComparison.Ordinal).Replace("è", "e", StringComparison.Ordinal).ToUpperInvariant();
    }

    private async Task<bool> FirstWithin30mAsync(string query, params (double X, double Y)[] places) =>
        (await AddressSearch.GeocodeAsync(db.DataSource, query, 1, Ct)).FirstOrDefault() is { } best
        && places.Any(p => Math.Sqrt(Math.Pow(best.XLambert93 - p.X, 2) + Math.Pow(best.YLambert93 - p.Y, 2)) <= 30);

    [Theory]
    [InlineData("10 rue Pasteur", null, "93200", "Saint-Denis", "10 rue pasteur 93200 saint denis", "rue pasteur")]
    [InlineData("10 bis rue Pasteur 93200 Saint-Denis", null, "93200", "Saint-Denis", "10 bis rue pasteur 93200 saint denis", "rue pasteur")]
    [InlineData("12 Rue de la Paix 54xxx Mont-Bonvillers", "Rue de la Paix", null, "Mont-Bonvillers", "12 rue de la paix 54xxx mont bonvillers", "rue de la paix")]
    [InlineData("Lieu-dit Les Prés", null, null, null, "lieu dit les pres", "lieu dit les pres")]
    public void SearchTexts_LabelCompletedWithPostcodeAndCommune_StreetWithoutNumber(string label, string? street, string? postcode, string? commune,
        string expectedLabel, string expectedStreet) =>
        Assert.Equal((expectedLabel, expectedStreet), AddressIngest.SearchTexts(label, street, postcode, commune));

    [Theory]
    [InlineData("12, Av. du Président-Wilson", "12 avenue du president wilson")]
    [InlineData("ÉCOLE ÉLÉMENTAIRE Œuvre", "ecole elementaire oeuvre")]
    [InlineData("r. St-Denis", "rue saint denis")]
    public void Normalize_FrenchAddressText_IsLowerUnaccentedExpanded(string input, string expected) =>
        Assert.Equal(expected, SearchText.Normalize(input));

    [Fact]
    public async Task IngestBoundaries_IleDeFranceFiles_CommunesDepartementsRegion()
    {
        var communes = await BoundaryIngest.RunAsync(db.DataSource, new BoundaryIngestOptions(SharedData.Require("admin/communes-ile-de-france.geojson"), "commune", null, null, null), Ct);
        var departements = await BoundaryIngest.RunAsync(db.DataSource, new BoundaryIngestOptions(SharedData.Require("admin/departements-ile-de-france.geojson"), "departement", null, null, null), Ct);
        // The region file is a single Feature, not a FeatureCollection, and has only "code"/"nom".
        var region = await BoundaryIngest.RunAsync(db.DataSource, new BoundaryIngestOptions(SharedData.Require("admin/region-ile-de-france.geojson"), "region", null, null, null), Ct);
        Assert.Equal((1276, 8, 1), (communes.Accepted, departements.Accepted, region.Accepted));
        // Saint-Denis (93066) lies in Seine-Saint-Denis (93) and contains its basilica (2.3597 E, 48.9356 N).
        Assert.True(await ScalarAsync<bool>(db, """
            SELECT ST_Contains(d.geometry, ST_PointOnSurface(c.geometry)) AND c.name = 'Saint-Denis'
                   AND ST_Intersects(c.geometry, ST_Transform(ST_SetSRID(ST_MakePoint(2.3597, 48.9356), 4326), 2154))
            FROM region.boundary c, region.boundary d WHERE c.level = 'commune' AND c.code = '93066' AND d.level = 'departement' AND d.code = '93'
            """));
        var areaKm2 = await ScalarAsync<double>(db, "SELECT ST_Area(geometry) / 1e6 FROM region.boundary WHERE level = 'region'");
        Assert.InRange(areaKm2, 11_900, 12_200); // Île-de-France: 12,012 km²
        var again = await BoundaryIngest.RunAsync(db.DataSource, new BoundaryIngestOptions(SharedData.Require("admin/departements-ile-de-france.geojson"), "departement", null, null, null), Ct);
        Assert.Equal(8, again.Unchanged);
    }

    [Fact]
    public async Task IngestAddresses_BadCoordinates_NameTheColumnAtFault()
    {
        var path = TempFile("bad-addresses.csv", "id;numero;voie_nom;lat;lon\n1;12;rue X;91;2.3\n2;13;rue Y;abc;2.3\n3;14;rue Z;48.9;\n4;15;rue W;48.9;2.35\n");
        var r = await AddressIngest.RunAsync(db.DataSource, new AddressIngestOptions(path, "auto", "lat", "lon", null, UniqueSource("badaddr")), Ct);
        Assert.Equal((4, 1), (r.Read, r.Accepted));
        var byLine = r.Rejections.ToDictionary(p => p.Line!.Value, p => (p.Field, p.Reason));
        Assert.Equal(("lon/lat", "(2.3, 91) is far outside the area of EPSG:4326"), byLine[2]);
        Assert.Equal(("lat", "'abc' is not a number"), byLine[3]);
        Assert.Equal(("lon", "is empty"), byLine[4]);
    }

    /// <summary>A named field of a record as text ("" when empty).</summary>
    private static string Field(CsvReader table, string?[] row, string column) => row[table.Column(column)] ?? "";
}
