using System.Text;

namespace SmartRegion.Rooftop.Tests;

/// <summary>The solar API's byte path completes a stored report exactly as the text path does, whatever its size.</summary>
public sealed class ReportBytesTests
{
    private const string Members = "\"computedAt\":\"2026-12-07T10:00:00.0000000Z\",\"parameters\":{\"lossesPct\":14,\"name\":\"défaut\"}";

    [Theory]
    [InlineData(0)]
    [InlineData(40_000)]
    [InlineData(120_000)] // past the large object heap's threshold as a string, and past the pool's smaller buckets
    public async Task CompleteProvenanceUtf8_SameBytesAsTheTextPath(int padding)
    {
        var stored = $"{{\"building\":{{\"id\":7,\"label\":\"Rue de l'Été {new string('x', padding)}\"}},\"provenance\":{{\"runId\":3,\"weatherStation\":{{\"name\":\"Orly\"}}}}}}";
        var bytes = Encoding.UTF8.GetBytes(stored);
        using var stream = new MemoryStream(bytes);

        using var report = await ReportDocument.CompleteProvenanceUtf8Async(stream, bytes.Length, Encoding.UTF8.GetBytes(Members), TestContext.Current.CancellationToken);

        Assert.Equal(ReportDocument.CompleteProvenance(stored, Members), Encoding.UTF8.GetString(report.Memory.Span));
        Assert.EndsWith("\"name\":\"Orly\"}," + Members + "}}", Encoding.UTF8.GetString(report.Memory.Span), StringComparison.Ordinal);
    }

    [Fact]
    public async Task CompleteProvenanceUtf8_StoredDocumentWithoutItsProvenanceTail_Refused()
    {
        var bytes = Encoding.UTF8.GetBytes("{\"building\":{\"id\":7}");
        using var stream = new MemoryStream(bytes);

        var e = await Assert.ThrowsAsync<FormatException>(async () =>
            await ReportDocument.CompleteProvenanceUtf8Async(stream, bytes.Length, Encoding.UTF8.GetBytes(Members), TestContext.Current.CancellationToken));
        Assert.Contains("provenance", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Dispose_GivesTheBufferBackOnce()
    {
        var report = ReportBytes.Of("{\"a\":1}");
        Assert.Equal("{\"a\":1}", Encoding.UTF8.GetString(report.Memory.Span));
        report.Dispose();
        report.Dispose();
        Assert.Throws<ObjectDisposedException>(() => report.Memory);
    }
}
