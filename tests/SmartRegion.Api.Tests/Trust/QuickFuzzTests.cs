using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using SmartRegion.Api.Tests.Catalog;

namespace SmartRegion.Api.Tests.Trust;

/// <summary>
/// The fuzz benchmark's quick version (issue 18): every operation of the OpenAPI document, as anonymous, as another
/// organisation and as a grantee, with hostile values in every path and query parameter and in JSON bodies. No answer is a
/// 5xx, none carries internal text, and where a request names a dataset, naming a dataset the caller cannot see answers
/// exactly as naming one that does not exist (status and body, the ids aside).
/// </summary>
public sealed partial class QuickFuzzTests(MatrixWorld world) : IClassFixture<MatrixWorld>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static readonly string[] Hostile =
    [
        "", " ", "%00", "a%00b", "%01", "-1", "0", "99999999999999999999", "1e309", "NaN", "-9223372036854775808", "1.5",
        "'; DROP TABLE catalog.dataset; --", "\" OR 1=1 --", "../../../../etc/passwd", "%2e%2e%2f%2e%2e%2fetc", "<script>alert(1)</script>",
        "{}", "[]", "null", "true", "%F0%9F%92%A9", "%C3%28", "*", "%", "_", ",", ",,,", "a,b,c", "1,2,3,4", "-180,-90,180,90",
        "2.35,48.93,2.36,48.94", "select(", "count(*)", "x%20like%20%27%25%27", "2026-13-45", "9999-12-31T23:59:59Z",
        new string('a', 5000), string.Concat(Enumerable.Repeat("(", 500)),
    ];

    private sealed record Operation(string Method, string Path, IReadOnlyList<(string Name, string In)> Parameters, bool HasBody);

    private static List<Operation> Operations(JsonElement doc)
    {
        var list = new List<Operation>();
        foreach (var path in doc.GetProperty("paths").EnumerateObject())
        {
            foreach (var op in path.Value.EnumerateObject())
            {
                if (op.Name is not ("get" or "post" or "put" or "patch" or "delete"))
                {
                    continue;
                }
                var parameters = op.Value.TryGetProperty("parameters", out var ps)
                    ? ps.EnumerateArray().Select(p => (p.GetProperty("name").GetString()!, p.GetProperty("in").GetString()!)).ToList()
                    : [];
                list.Add(new Operation(op.Name.ToUpperInvariant(), path.Name, parameters, op.Value.TryGetProperty("requestBody", out _)));
            }
        }
        return list;
    }

    /// <summary>A path parameter that names a dataset (the leak check swaps a hidden one for an absent one there).</summary>
    private static bool NamesDataset(string path, string parameter) =>
        (path.Contains("/datasets/", StringComparison.Ordinal) || path.Contains("/collections/", StringComparison.Ordinal))
        && path.Contains("{" + parameter + "}", StringComparison.Ordinal)
        && parameter is "id" or "dataset_id" or "datasetId" or "collectionId" or "slug";

    [Fact]
    public async Task EveryOperation_HostileValues_No5xx_NoInternalText_HiddenAnswersAsAbsent()
    {
        using var anonymous = world.Client(null);
        var doc = JsonDocument.Parse(await anonymous.GetStringAsync("/openapi/v1.json", Ct)).RootElement;
        var operations = Operations(doc);
        Assert.True(operations.Count > 50, $"{operations.Count} operations in the OpenAPI document");
        var random = new Random(18);
        var statuses = new SortedDictionary<int, int>();
        var failures = new List<string>();
        var hidden = world.Datasets["private"];
        var requests = 0;
        foreach (var caller in new[] { "anonymous", "other", "grantee" })
        {
            using var client = world.Client(world.Keys[caller]);
            foreach (var op in operations)
            {
                for (var round = 0; round < 3; round++)
                {
                    var values = op.Parameters.ToDictionary(p => p.Name, _ => Hostile[random.Next(Hostile.Length)]);
                    var datasetSlots = op.Parameters.Where(p => p.In == "path" && NamesDataset(op.Path, p.Name)).Select(p => p.Name).ToList();
                    var absent = CatalogKit.Unique("absent");
                    string Url(string? dataset)
                    {
                        var url = op.Path;
                        foreach (var (name, where) in op.Parameters.Where(p => p.In == "path"))
                        {
                            // A NUL in the path is refused by Kestrel before routing (TestServer's decoder throws instead).
                            var value = dataset is not null && datasetSlots.Contains(name) ? dataset
                                : Uri.EscapeDataString(Uri.UnescapeDataString(values[name].Replace("%00", "%01", StringComparison.Ordinal)));
                            url = url.Replace("{" + name + "}", value.Length == 0 ? "x" : value, StringComparison.Ordinal);
                        }
                        var query = string.Join('&', op.Parameters.Where(p => p.In == "query").Where(_ => random.Next(3) > 0)
                            .Select(p => $"{Uri.EscapeDataString(p.Name)}={values[p.Name]}"));
                        return query.Length == 0 ? url : $"{url}?{query}";
                    }
                    var body = op.HasBody ? Body(random) : null;
                    var first = await SendAsync(client, op.Method, datasetSlots.Count > 0 ? Url(hidden) : Url(null), body);
                    requests++;
                    statuses[first.Status] = statuses.GetValueOrDefault(first.Status) + 1;
                    // The one designed 5xx: the 3D tileset before any is built (a state of the service, with Retry-After).
                    var notBuilt = first.Status == 503 && first.Body.Contains("\"code\":\"tiles_not_built\"", StringComparison.Ordinal);
                    if ((first.Status >= 500 && !notBuilt) || InternalText.Find(first.Body) is not null)
                    {
                        failures.Add($"{caller} {op.Method} {first.Url}: {first.Status} {Shorten(first.Body)}");
                    }
                    if (datasetSlots.Count > 0 && caller != "grantee" && first.Status != 401)
                    {
                        var other = await SendAsync(client, op.Method, first.Url.Replace(hidden, absent, StringComparison.Ordinal), body);
                        requests++;
                        if (other.Status != first.Status || Normalise(other.Body, absent) != Normalise(first.Body, hidden))
                        {
                            failures.Add($"{caller} {op.Method} {first.Url}: hidden {first.Status}, absent {other.Status} ({Shorten(first.Body)} | {Shorten(other.Body)})");
                        }
                    }
                }
            }
        }
        TestContext.Current.TestOutputHelper?.WriteLine($"{requests} requests over {operations.Count} operations: " +
            string.Join(", ", statuses.Select(s => $"{s.Key}: {s.Value}")));
        Assert.True(failures.Count == 0, $"{failures.Count} of {requests}:\n" + string.Join('\n', failures.Take(30)));
    }

    private static string? Body(Random random) => random.Next(6) switch
    {
        0 => "not json",
        1 => "[1,2]",
        2 => """{"id":"\u0000","title":{"a":1},"visibility":"everyone","licence":5}""",
        3 => """{"organisation":"x","purpose":"\u0000","expiresAt":"2030-13-45","fields":[],"rowFilter":{"":""}}""",
        4 => "{" + string.Concat(Enumerable.Repeat("\"a\":{", 200)) + "1" + new string('}', 201),
        _ => """{"version":"one","path":123,"name":"\u0000","scopes":["root"],"email":5,"password":null}""",
    };

    private static async Task<(string Url, int Status, string Body)> SendAsync(HttpClient client, string method, string url, string? body)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), url);
        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        }
        using var response = await client.SendAsync(request, Ct);
        return (url, (int)response.StatusCode, await response.Content.ReadAsStringAsync(Ct));
    }

    private static string Normalise(string body, string id) => TraceIds().Replace(body.Replace(id, "{id}", StringComparison.Ordinal), "");

    [GeneratedRegex("\"(traceId|requestId)\":\"[^\"]*\"")]
    private static partial Regex TraceIds();

    private static string Shorten(string s) => s.Length > 300 ? s[..300] + "…" : s;
}
