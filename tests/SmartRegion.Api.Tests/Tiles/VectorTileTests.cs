using System.Net;
using System.Text;
using SmartRegion.Api.Tests.Catalog;
using SmartRegion.Testing;
using static SmartRegion.Api.Tests.Explore.ExploreKit;

namespace SmartRegion.Api.Tests.Tiles;

/// <summary>A Mapbox vector tile read back by the spec's own protobuf fields (layer 3, feature 2, keys 3, values 4).</summary>
internal sealed record MvtLayer(string Name, int Extent, List<Dictionary<string, object>> Features, List<ulong> Ids)
{
    public static List<MvtLayer> Decode(byte[] tile)
    {
        var layers = new List<MvtLayer>();
        var r = new Reader(tile);
        while (!r.End)
        {
            var (field, _) = r.Key();
            var bytes = r.Bytes();
            if (field == 3)
            {
                layers.Add(Layer(bytes));
            }
        }
        return layers;
    }

    private static MvtLayer Layer(byte[] data)
    {
        var r = new Reader(data);
        string name = "";
        var extent = 4096;
        var keys = new List<string>();
        var values = new List<object>();
        var features = new List<(ulong Id, List<uint> Tags)>();
        while (!r.End)
        {
            var (field, wire) = r.Key();
            switch (field)
            {
                case 1: name = Encoding.UTF8.GetString(r.Bytes()); break;
                case 2: features.Add(Feature(r.Bytes())); break;
                case 3: keys.Add(Encoding.UTF8.GetString(r.Bytes())); break;
                case 4: values.Add(Value(r.Bytes())); break;
                case 5: extent = (int)r.Varint(); break;
                default: r.Skip(wire); break;
            }
        }
        var decoded = features.Select(f =>
        {
            var props = new Dictionary<string, object>();
            for (var i = 0; i + 1 < f.Tags.Count; i += 2)
            {
                props[keys[(int)f.Tags[i]]] = values[(int)f.Tags[i + 1]];
            }
            return props;
        }).ToList();
        return new MvtLayer(name, extent, decoded, [.. features.Select(f => f.Id)]);
    }

    private static (ulong, List<uint>) Feature(byte[] data)
    {
        var r = new Reader(data);
        ulong id = 0;
        var tags = new List<uint>();
        while (!r.End)
        {
            var (field, wire) = r.Key();
            if (field == 1)
            {
                id = r.Varint();
            }
            else if (field == 2)
            {
                var packed = new Reader(r.Bytes());
                while (!packed.End)
                {
                    tags.Add((uint)packed.Varint());
                }
            }
            else
            {
                r.Skip(wire);
            }
        }
        return (id, tags);
    }

    private static object Value(byte[] data)
    {
        var r = new Reader(data);
        var (field, _) = r.Key();
        return field switch
        {
            1 => Encoding.UTF8.GetString(r.Bytes()),
            2 => BitConverter.ToSingle(r.Fixed(4)),
            3 => BitConverter.ToDouble(r.Fixed(8)),
            4 => (long)r.Varint(),
            5 => (long)r.Varint(),
            6 => ZigZag(r.Varint()),
            _ => r.Varint() != 0,
        };
    }

    private static long ZigZag(ulong v) => (long)(v >> 1) ^ -(long)(v & 1);

    private sealed class Reader(byte[] data)
    {
        private int _i;

        public bool End => _i >= data.Length;

        public ulong Varint()
        {
            ulong v = 0;
            for (var shift = 0; ; shift += 7)
            {
                var b = data[_i++];
                v |= (ulong)(b & 0x7F) << shift;
                if (b < 0x80)
                {
                    return v;
                }
            }
        }

        public (int Field, int Wire) Key()
        {
            var k = Varint();
            return ((int)(k >> 3), (int)(k & 7));
        }

        public byte[] Bytes()
        {
            var n = (int)Varint();
            var b = data[_i..(_i + n)];
            _i += n;
            return b;
        }

        public byte[] Fixed(int n)
        {
            var b = data[_i..(_i + n)];
            _i += n;
            return b;
        }

        public void Skip(int wire)
        {
            switch (wire)
            {
                case 0: Varint(); break;
                case 1: _i += 8; break;
                case 2: Bytes(); break;
                case 5: _i += 4; break;
            }
        }
    }
}

public sealed class VectorTileTests(TestDatabase db) : CatalogTest(db)
{
    // Zoom 14 tile holding the Saint-Denis / Aubervilliers / Pantin schools of ExploreKit.
    private static (int X, int Y) Tile14(double lon, double lat)
    {
        var n = 1 << 14;
        var x = (int)((lon + 180) / 360 * n);
        var latRad = lat * Math.PI / 180;
        var y = (int)((1 - Math.Log(Math.Tan(latRad) + 1 / Math.Cos(latRad)) / Math.PI) / 2 * n);
        return (x, y);
    }

    [Fact]
    public async Task Tile_HasTheFeaturesOfItsAreaWithTheirAttributes_EtagAnd304()
    {
        var published = await PublishAsync(Kit);
        using var client = Kit.Client();
        var (x, y) = Tile14(2.4025, 48.8945);
        using var response = await client.GetAsync($"/tiles/{published.Id}/14/{x}/{y}.mvt", Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/vnd.mapbox-vector-tile", response.Content.Headers.ContentType!.MediaType);
        Assert.Equal("public, max-age=300", response.Headers.CacheControl!.ToString());
        var layer = Assert.Single(MvtLayer.Decode(await response.Content.ReadAsByteArrayAsync(Ct)));
        Assert.Equal(published.Id, layer.Name);
        var pantin = layer.Features.Where(f => (string)f["commune"] == "Pantin").OrderBy(f => (long)f["id"]).ToList();
        Assert.Equal(2, pantin.Count);
        Assert.Equal("@mairie", pantin[1]["nom"]);
        Assert.Equal(450.25, Convert.ToDouble(pantin[1]["potentiel_kwh"]));
        Assert.Equal("2023-02-02", pantin[1]["mise_en_service"]);
        Assert.True((bool)pantin[1]["actif"]);

        var etag = response.Headers.ETag!.Tag;
        using var again = new HttpRequestMessage(HttpMethod.Get, $"/tiles/{published.Id}/14/{x}/{y}.mvt");
        again.Headers.TryAddWithoutValidation("If-None-Match", etag);
        using var notModified = await client.SendAsync(again, Ct);
        Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);

        // A tile in the Atlantic has nothing: 204.
        var (ox, oy) = Tile14(-30, 40);
        Assert.Equal(HttpStatusCode.NoContent, (await client.GetAsync($"/tiles/{published.Id}/14/{ox}/{oy}.mvt", Ct)).StatusCode);
        // Zoom 0 holds everything.
        var world = Assert.Single(MvtLayer.Decode(await client.GetByteArrayAsync($"/tiles/{published.Id}/0/0/0.mvt", Ct)));
        Assert.Equal(8, world.Features.Count);

        var (status, tilejson, _) = await GetJsonAsync(client, $"/tiles/{published.Id}/tilejson.json");
        Assert.Equal(200, status);
        Assert.Equal("3.0.0", tilejson.GetProperty("tilejson").GetString());
        Assert.EndsWith($"/tiles/{published.Id}/{{z}}/{{x}}/{{y}}.mvt", tilejson.GetProperty("tiles")[0].GetString());
        Assert.Equal("Number", tilejson.GetProperty("vector_layers")[0].GetProperty("fields").GetProperty("potentiel_kwh").GetString());
    }

    [Fact]
    public async Task Tile_GranteeGetsOnlyGrantedFieldsAndRows_OthersA404()
    {
        var published = await PublishAsync(Kit, "restricted");
        var partner = await Kit.OrgAsync("partner", "university");
        var (_, partnerKey) = await Kit.UserWithKeyAsync(partner, "viewer", ["read"]);
        await Kit.Datasets.CreateGrantAsync(published.DatasetId, partner.Id, "étude", DateTimeOffset.UtcNow.AddDays(5), ["id", "commune", "geom"],
            new Dictionary<string, string> { ["commune"] = "Pantin" }, null, Ct);
        using var grantee = Kit.Client(partnerKey);
        using var response = await grantee.GetAsync($"/tiles/{published.Id}/0/0/0.mvt", Ct);
        // Made for one caller: no cache keeps it.
        Assert.True(response.Headers.CacheControl!.NoStore);
        Assert.False(response.Headers.CacheControl.Public);
        var layer = Assert.Single(MvtLayer.Decode(await response.Content.ReadAsByteArrayAsync(Ct)));
        Assert.Equal(2, layer.Features.Count);
        Assert.All(layer.Features, f => Assert.Equal(["commune", "id"], f.Keys.Order(StringComparer.Ordinal)));
        using var anonymous = Kit.Client();
        Assert.Equal(HttpStatusCode.NotFound, (await anonymous.GetAsync($"/tiles/{published.Id}/0/0/0.mvt", Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await anonymous.GetAsync($"/tiles/{published.Id}/tilejson.json", Ct)).StatusCode);
    }

    [Theory]
    [InlineData("40/0/0", "z")]
    [InlineData("23/0/0", "z")]
    [InlineData("3/-1/0", "x")]
    [InlineData("3/8/0", "x")]
    [InlineData("3/0/8", "y")]
    [InlineData("a/0/0", "z")]
    [InlineData("3/0/99999999999999999999", "y")]
    public async Task Tile_BadCoordinates_Are400(string zxy, string parameter)
    {
        var published = await PublishAsync(Kit);
        using var client = Kit.Client();
        var (status, body, text) = await GetJsonAsync(client, $"/tiles/{published.Id}/{zxy}.mvt");
        Assert.True(status == 400, text);
        Assert.Equal(parameter, body.GetProperty("parameter").GetString());
    }
}
