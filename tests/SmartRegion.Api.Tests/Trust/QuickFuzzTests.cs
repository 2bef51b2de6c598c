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

    /// <summary>
    /// How many requests to send: 3 rounds of every operation for every caller (about 900) unless
    /// <c>SMARTREGION_FUZZ_REQUESTS</c> asks for more — bench/fuzz runs this same test with 100,000, with
    /// <c>SMARTREGION_FUZZ_CLIENTS</c> concurrent clients and the figures written as JSON to <c>SMARTREGION_FUZZ_REPORT</c>.
    /// </summary>
    private static int Target => int.TryParse(Environment.GetEnvironmentVariable("SMARTREGION_FUZZ_REQUESTS"), out var n) && n > 0 ? n : 0;

    [Fact]
    public async Task EveryOperation_HostileValues_No5xx_NoInternalText_HiddenAnswersAsAbsent()
    {
        using var anonymous = world.Client(null);
        var doc = JsonDocument.Parse(await anonymous.GetStringAsync("/openapi/v1.json", Ct)).RootElement;
        var operations = Operations(doc);
        Assert.True(operations.Count > 50, $"{operations.Count} operations in the OpenAPI document");
        var callers = new[] { "anonymous", "other", "grantee" };
        var target = Target;
        var clients = target > 0 && int.TryParse(Environment.GetEnvironmentVariable("SMARTREGION_FUZZ_CLIENTS"), out var c) && c > 0 ? c : 1;
        var tally = new Tally();
        // Each client walks every caller x operation in turn with its own seeded generator, until the target is reached
        // (or, for the quick version, 3 rounds).
        var clock = System.Diagnostics.Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, clients).Select(client => Task.Run(async () =>
        {
            var random = new Random(18 + client);
            var http = callers.ToDictionary(k => k, k => world.Client(world.Keys[k]));
            try
            {
                for (var round = 0; target > 0 ? tally.Requests < target : round < 3; round++)
                {
                    foreach (var caller in callers)
                    {
                        foreach (var op in operations)
                        {
                            if (target > 0 && tally.Requests >= target)
                            {
                                return;
                            }
                            await FuzzOnceAsync(http[caller], caller, op, random, tally);
                        }
                    }
                }
            }
            finally
            {
                foreach (var h in http.Values)
                {
                    h.Dispose();
                }
            }
        }, Ct)));
        var seconds = clock.Elapsed.TotalSeconds;
        var summary = $"{tally.Requests} requests over {operations.Count} operations in {seconds:0.0} s ({tally.Requests / seconds:0} req/s, {clients} client(s)): "
            + string.Join(", ", tally.Statuses.Select(s => $"{s.Key}: {s.Value}")) + $"; {tally.LeakChecks} hidden/absent pairs";
        TestContext.Current.TestOutputHelper?.WriteLine(summary);
        if (Environment.GetEnvironmentVariable("SMARTREGION_FUZZ_REPORT") is { Length: > 0 } report)
        {
            var peer = await BenignPeerAsync(operations, callers, clients, Math.Min(Math.Max(target / 10, 1000), 10_000));
            await File.WriteAllTextAsync(report, JsonSerializer.Serialize(new
            {
                operations = operations.Count, clients, requests = tally.Requests, seconds = Math.Round(seconds, 1),
                requestsPerSecond = Math.Round(tally.Requests / seconds, 1), statuses = tally.Statuses, leakChecks = tally.LeakChecks,
                designed503 = tally.Designed503, failures = tally.Failures.Count, firstFailures = tally.Failures.Take(30),
                peer = new { what = "well-formed GETs of the public dataset's operations, same callers and clients", peer.Requests, seconds = Math.Round(peer.Seconds, 1),
                    requestsPerSecond = Math.Round(peer.Requests / peer.Seconds, 1), peer.Statuses },
                summary,
            }, new JsonSerializerOptions { WriteIndented = true }), Ct);
        }
        Assert.True(tally.Failures.Count == 0, $"{tally.Failures.Count} of {tally.Requests}:\n" + string.Join('\n', tally.Failures.Take(30)));
    }

    /// <summary>What the clients found, shared between them.</summary>
    private sealed class Tally
    {
        private int _requests;

        public int Requests => Volatile.Read(ref _requests);

        public int LeakChecks;

        public int Designed503;

        public SortedDictionary<int, int> Statuses { get; } = [];

        public List<string> Failures { get; } = [];

        public void Count(int status)
        {
            Interlocked.Increment(ref _requests);
            lock (Statuses)
            {
                Statuses[status] = Statuses.GetValueOrDefault(status) + 1;
            }
        }

        public void Fail(string failure)
        {
            lock (Failures)
            {
                Failures.Add(failure);
            }
        }
    }

    /// <summary>One request of <paramref name="op"/> with hostile values; when it names a dataset, the same with an absent one.</summary>
    private async Task FuzzOnceAsync(HttpClient client, string caller, Operation op, Random random, Tally tally)
    {
        var hidden = world.Datasets["private"];
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
        tally.Count(first.Status);
        // The one designed 5xx: the 3D tileset before any is built (a state of the service, with Retry-After).
        var notBuilt = first.Status == 503 && first.Body.Contains("\"code\":\"tiles_not_built\"", StringComparison.Ordinal);
        if (notBuilt)
        {
            Interlocked.Increment(ref tally.Designed503);
        }
        if ((first.Status >= 500 && !notBuilt) || InternalText.Find(first.Body) is not null)
        {
            tally.Fail($"{caller} {op.Method} {first.Url}: {first.Status} {Shorten(first.Body)}");
        }
        if (datasetSlots.Count > 0 && caller != "grantee" && first.Status != 401)
        {
            var other = await SendAsync(client, op.Method, first.Url.Replace(hidden, absent, StringComparison.Ordinal), body);
            tally.Count(other.Status);
            Interlocked.Increment(ref tally.LeakChecks);
            if (other.Status != first.Status || Normalise(other.Body, absent) != Normalise(first.Body, hidden))
            {
                tally.Fail($"{caller} {op.Method} {first.Url}: hidden {first.Status}, absent {other.Status} ({Shorten(first.Body)} | {Shorten(other.Body)})");
            }
        }
    }

    /// <summary>
    /// The benchmark's peer, in the same run on the same host: well-formed requests — every GET operation, its path
    /// parameters naming the public dataset (or a plain word), no query — by the same callers and as many clients.
    /// </summary>
    private async Task<(int Requests, double Seconds, SortedDictionary<int, int> Statuses)> BenignPeerAsync(
        List<Operation> operations, string[] callers, int clients, int target)
    {
        var gets = operations.Where(o => o.Method == "GET").ToList();
        var tally = new Tally();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, clients).Select(_ => Task.Run(async () =>
        {
            var http = callers.ToDictionary(k => k, k => world.Client(world.Keys[k]));
            try
            {
                while (tally.Requests < target)
                {
                    foreach (var caller in callers)
                    {
                        foreach (var op in gets)
                        {
                            var url = op.Parameters.Where(p => p.In == "path").Aggregate(op.Path, (u, p) =>
                                u.Replace("{" + p.Name + "}", NamesDataset(op.Path, p.Name) ? world.Datasets["public"] : "1", StringComparison.Ordinal));
                            tally.Count((await SendAsync(http[caller], "GET", url, null)).Status);
                        }
                    }
                }
            }
            finally
            {
                foreach (var h in http.Values)
                {
                    h.Dispose();
                }
            }
        }, Ct)));
        return (tally.Requests, clock.Elapsed.TotalSeconds, tally.Statuses);
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
