using System.Text;
using Npgsql;
using SmartRegion.Data.RegionLoading;
using SmartRegion.Testing;

namespace SmartRegion.Data.Tests.RegionLoading;

// Attributes are sent to jsonb with their keys already in jsonb's order: the stored value must be exactly what PostgreSQL
// makes of the source's own text.
public sealed class JsonbKeyOrderTests(TestDatabase db)
{
    private static string Order(string json)
    {
        var input = Encoding.UTF8.GetBytes(json);
        var output = new byte[input.Length];
        var length = JsonbKeyOrder.Write(input, output);
        return Encoding.UTF8.GetString(output, 0, length);
    }

    [Theory]
    // Shorter keys first, then bytewise; values untouched, whatever they hold (brackets, commas, quotes in strings).
    [InlineData("""{ "bb": 1, "a" : "x\"},[" , "ccc": {"z": 1, "y": [1, {"q": "}"}]}, "ab": null }""",
        """{"a" : "x\"},[","ab": null,"bb": 1,"ccc": {"z": 1, "y": [1, {"q": "}"}]}}""")]
    [InlineData("""{"é":true,"z":false,"Z":-1.5e3}""", """{"Z":-1.5e3,"z":false,"é":true}""")] // "é" is two bytes
    // A repeated key keeps its place after the other (jsonb keeps the last).
    [InlineData("""{"k":2,"a":0,"k":1}""", """{"a":0,"k":2,"k":1}""")]
    // Left as they are: already in order, empty, a key with an escape, not an object, not JSON.
    [InlineData("""{"a":1, "bb":2}""", """{"a":1, "bb":2}""")]
    [InlineData("{ }", "{ }")]
    [InlineData("""{"b\u0061":1,"a":2}""", """{"b\u0061":1,"a":2}""")]
    [InlineData("[1,2]", "[1,2]")]
    [InlineData("""{"b":1,"a":""", """{"b":1,"a":""")]
    public void Write_KeysInJsonbOrder(string json, string expected) => Assert.Equal(expected, Order(json));

    [Fact]
    public async Task Write_RandomObjects_PostgreSqlStoresTheSameJsonbInTheSameKeyOrder()
    {
        var random = new Random(20261202);
        string[] names = ["id", "ID", "hauteur", "nature", "usage_1", "é", "ü_x", "a", "ab", "b", "cleabs", "nombre_d_etages", "z", "Z"];
        string[] values = ["1", "-2.5e-3", "null", "true", "false", "\"Indifférenciée\"", "\"a, \\\"quoted\\\" } ]\"", "[1, {\"b\": 2, \"a\": [3]}]", "{}", "{\"y\": 1, \"x\": {\"w\": null}}"];
        var objects = new List<string>();
        for (var n = 0; n < 300; n++)
        {
            var members = Enumerable.Range(0, random.Next(0, 12))
                .Select(_ => $"{Space(random)}\"{names[random.Next(names.Length)]}\"{Space(random)}:{Space(random)}{values[random.Next(values.Length)]}{Space(random)}");
            objects.Add("{" + string.Join(",", members) + "}");
        }
        await using var conn = await db.DataSource.OpenConnectionAsync(TestContext.Current.CancellationToken);
        foreach (var json in objects)
        {
            var ordered = Order(json);
            await using var cmd = new NpgsqlCommand("""
                SELECT a::jsonb = b::jsonb AND a::jsonb::text = b::jsonb::text,
                       -- without repeated keys, jsonb's own key order is the order written
                       (SELECT count(DISTINCT k) FROM jsonb_object_keys(a::jsonb) k) <> (SELECT count(*) FROM json_object_keys(a::json) k)
                       OR ARRAY(SELECT jsonb_object_keys(a::jsonb)) = ARRAY(SELECT json_object_keys(b::json))
                FROM (SELECT @a AS a, @b AS b) v
                """, conn);
            cmd.Parameters.AddWithValue("a", json);
            cmd.Parameters.AddWithValue("b", ordered);
            await using var r = await cmd.ExecuteReaderAsync(TestContext.Current.CancellationToken);
            await r.ReadAsync(TestContext.Current.CancellationToken);
            Assert.True(r.GetBoolean(0), $"{json} → {ordered}: not the same jsonb");
            Assert.True(r.GetBoolean(1), $"{json} → {ordered}: not in jsonb's key order");
        }
    }

    private static string Space(Random random) => random.Next(4) switch { 0 => "", 1 => " ", 2 => "\n  ", _ => "\t" };
}
