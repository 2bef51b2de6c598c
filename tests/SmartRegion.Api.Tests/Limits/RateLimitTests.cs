using System.Diagnostics.Metrics;
using System.Net;
using System.Net.Http.Headers;
using Microsoft.AspNetCore.Hosting;
using SmartRegion.Api.Tests.Catalog;
using SmartRegion.Testing;

namespace SmartRegion.Api.Tests.Limits;

public sealed class RateLimitTests(TestDatabase db) : CatalogTest(db)
{
    [Fact]
    public async Task Anonymous_OverBudget_429WithRetryAfter_KeyHasItsOwnBudget_HeadersOnEveryApiResponse()
    {
        var org = await Kit.OrgAsync("limits");
        var (_, key) = await Kit.UserWithKeyAsync(org, "viewer", ["read"]);
        await using var factory = Factory.WithWebHostBuilder(b =>
        {
            b.UseSetting("RateLimits:AnonymousPerMinute", "3");
            b.UseSetting("RateLimits:KeyPerMinute", "5");
        });
        long rejected = 0;
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Name == "SmartRegion.Api" && instrument.Name == "smartregion.rate_limit.rejections")
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        listener.SetMeasurementEventCallback<long>((_, value, _, _) => Interlocked.Add(ref rejected, value));
        listener.Start();

        using var anonymous = factory.CreateClient();
        var remaining = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            using var ok = await anonymous.GetAsync("/api/explore/v2.1/catalog/datasets", Ct);
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
            Assert.Equal("3", ok.Headers.GetValues("X-RateLimit-Limit").Single());
            remaining.Add(ok.Headers.GetValues("X-RateLimit-Remaining").Single());
            Assert.InRange(int.Parse(ok.Headers.GetValues("X-RateLimit-Reset").Single()), 1, 60);
        }
        Assert.Equal(["2", "1", "0"], remaining);
        using var refused = await anonymous.GetAsync("/ogc/collections", Ct);
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.InRange(int.Parse(refused.Headers.GetValues("Retry-After").Single()), 1, 60);
        Assert.Equal("0", refused.Headers.GetValues("X-RateLimit-Remaining").Single());
        Assert.Contains("rate_limited", await refused.Content.ReadAsStringAsync(Ct));
        using var explore = await anonymous.GetAsync("/api/explore/v2.1/catalog/datasets", Ct);
        Assert.Contains("\"error_code\":\"TooManyRequests\"", await explore.Content.ReadAsStringAsync(Ct));
        listener.RecordObservableInstruments();
        Assert.True(Interlocked.Read(ref rejected) >= 2, $"rejections counted: {rejected}");

        // The web pages and health are not API calls: never limited, no budget headers.
        using var page = await anonymous.GetAsync("/healthz", Ct);
        Assert.NotEqual(HttpStatusCode.TooManyRequests, page.StatusCode);
        Assert.False(page.Headers.Contains("X-RateLimit-Limit"));

        using var keyed = factory.CreateClient();
        keyed.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Apikey", key);
        using var withKey = await keyed.GetAsync("/api/v1/datasets", Ct);
        Assert.Equal(HttpStatusCode.OK, withKey.StatusCode);
        Assert.Equal("5", withKey.Headers.GetValues("X-RateLimit-Limit").Single());
        Assert.Equal("4", withKey.Headers.GetValues("X-RateLimit-Remaining").Single());
    }

    [Fact]
    public async Task Cors_ReadsFromAnyOrigin_NoCrossOriginWrites()
    {
        using var client = Kit.Client();
        using var get = new HttpRequestMessage(HttpMethod.Get, "/api/explore/v2.1/catalog/datasets");
        get.Headers.Add("Origin", "https://example.org");
        using var response = await client.SendAsync(get, Ct);
        Assert.Equal("*", response.Headers.GetValues("Access-Control-Allow-Origin").Single());
        Assert.Contains("X-RateLimit-Remaining", response.Headers.GetValues("Access-Control-Expose-Headers").Single());

        using var preflight = new HttpRequestMessage(HttpMethod.Options, "/api/v1/datasets");
        preflight.Headers.Add("Origin", "https://example.org");
        preflight.Headers.Add("Access-Control-Request-Method", "POST");
        using var answer = await client.SendAsync(preflight, Ct);
        Assert.False(answer.Headers.TryGetValues("Access-Control-Allow-Methods", out var methods) && methods.Any(m => m.Contains("POST", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Metadata_EtagThen304()
    {
        var published = await Explore.ExploreKit.PublishAsync(Kit);
        using var client = Kit.Client();
        foreach (var url in new[] { $"/api/explore/v2.1/catalog/datasets/{published.Id}", "/ogc/collections", $"/ogc/collections/{published.Id}", "/ogc" })
        {
            using var first = await client.GetAsync(url, Ct);
            Assert.Equal(HttpStatusCode.OK, first.StatusCode);
            var etag = first.Headers.ETag!.Tag;
            using var again = new HttpRequestMessage(HttpMethod.Get, url);
            again.Headers.TryAddWithoutValidation("If-None-Match", etag);
            using var second = await client.SendAsync(again, Ct);
            Assert.Equal(HttpStatusCode.NotModified, second.StatusCode);
            Assert.Empty(await second.Content.ReadAsByteArrayAsync(Ct));
        }
        // Records are data, not metadata: no buffering, no tag.
        using var records = await client.GetAsync($"/api/explore/v2.1/catalog/datasets/{published.Id}/records", Ct);
        Assert.Null(records.Headers.ETag);
    }
}
