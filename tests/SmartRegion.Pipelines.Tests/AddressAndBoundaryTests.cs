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
        using var table = new CsvTable(File.OpenRead(path), "bal");
        var (tested, within30m) = (0, 0);
        while (table.Next() is { } row)
        {
            var street = row[table.Column("voie_nom")];
            var number = row[table.Column("numero")];
            if (street.Length == 0 || number is "" or "99999")
            {
                continue;
            }
            var words = street.Split(' ');
            var longest = words.OrderByDescending(w => w.Length).First();
            var typo = longest.Length > 5 ? longest.Remove(longest.Length / 2, 1) : longest;
            var query = $"{number} {string.Join(' ', words.Select(w => w == longest ? typo : w))} mont-bonvillers"
                .Replace("Rue ", "r. ", StringComparison.Ordinal).Replace("é", "e", StringComparison.Ordinal).ToUpperInvariant();
            var best = (await AddressSearch.GeocodeAsync(db.DataSource, query, 1, Ct)).FirstOrDefault();
            tested++;
            var x = double.Parse(row[table.Column("x")], CultureInfo.InvariantCulture);
            var y = double.Parse(row[table.Column("y")], CultureInfo.InvariantCulture);
            if (best is not null && Math.Sqrt(Math.Pow(best.XLambert93 - x, 2) + Math.Pow(best.YLambert93 - y, 2)) <= 30)
            {
                within30m++;
            }
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
        using var table = new CsvTable(File.OpenRead(path), "schools");
        var (rows, numbered) = (0, 0);
        while (table.Next() is { } row)
        {
            rows++;
            var q = AddressSearch.Parse($"{row[table.Column("adresse_1")]}, {row[table.Column("code_postal")]} {row[table.Column("nom_commune")]}");
            Assert.Equal(row[table.Column("code_postal")], q.Postcode);
            Assert.EndsWith("saint denis", q.Text);
            numbered += q.Number is null ? 0 : 1;
        }
        Assert.Equal(83, rows);
        TestContext.Current.SendDiagnosticMessage($"Saint-Denis schools: {numbered}/83 addresses carry a house number");
        Assert.True(numbered >= 70, $"{numbered}");
    }

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
}
