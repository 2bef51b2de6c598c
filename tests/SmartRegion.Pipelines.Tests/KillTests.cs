using System.Diagnostics;
using System.Globalization;
using System.Text;
using SmartRegion.Pipelines.Ingest;
using SmartRegion.Testing;
using static SmartRegion.Pipelines.Tests.Fixtures;

namespace SmartRegion.Pipelines.Tests;

/// <summary>A load killed with SIGKILL in the middle leaves the previous state, and the next run succeeds.</summary>
public sealed class KillTests(TestDatabase db)
{
    [Fact]
    public async Task IngestKilled_MidRun_PreviousStateIntactAndNextRunSucceeds()
    {
        var source = UniqueSource("kill");
        var small = TempFile("v1.geojson", Collection2154(SquareFeature("K1", 652000, 6862000), SquareFeature("K2", 652100, 6862000)));
        await BuildingIngest.RunAsync(db.DataSource, Options(small, source), null, Ct);
        var before = await ScalarAsync<string>(db, "SELECT string_agg(source_id || ':' || ingest_run_id, ',' ORDER BY source_id) FROM region.building WHERE source = @s", ("s", source));

        // A file large enough to take several seconds, of which K1 is one (it would be updated by a finished run).
        var big = BigFile(80_000);
        // The CLI's own build output (artifacts/bin/SmartRegion.Pipelines/<config>/) sits beside this test's.
        var cli = Path.Combine(AppContext.BaseDirectory.Replace($"{Path.DirectorySeparatorChar}SmartRegion.Pipelines.Tests{Path.DirectorySeparatorChar}",
            $"{Path.DirectorySeparatorChar}SmartRegion.Pipelines{Path.DirectorySeparatorChar}", StringComparison.Ordinal), "SmartRegion.Pipelines.dll");
        Assert.True(File.Exists(cli), cli);
        var start = new ProcessStartInfo("dotnet", [cli, "ingest", "buildings", big, "--source", source, "--replace-source", "--report", big + ".report.json"])
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
        };
        start.Environment["SMARTREGION_DB"] = db.ConnectionString;
        using var process = Process.Start(start)!;
        // Wait until the load's transaction is open and rows are streaming, then kill without warning.
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (DateTime.UtcNow < deadline && !process.HasExited)
        {
            var running = await ScalarAsync<long>(db, "SELECT count(*) FROM region.ingest_run WHERE source = @s AND status = 'running' AND backend_pid IS NOT NULL", ("s", source));
            if (running == 1)
            {
                break;
            }
            await Task.Delay(50, Ct);
        }
        await Task.Delay(1000, Ct);
        Assert.False(process.HasExited, "the load finished before it could be killed: make the file bigger");
        process.Kill(entireProcessTree: true); // SIGKILL: no cleanup code runs
        await process.WaitForExitAsync(Ct);

        Assert.Equal(before, await ScalarAsync<string>(db, "SELECT string_agg(source_id || ':' || ingest_run_id, ',' ORDER BY source_id) FROM region.building WHERE source = @s", ("s", source)));
        Assert.Equal(0L, await ScalarAsync<long>(db, "SELECT count(*) FROM region.building WHERE source = @s AND retired_run_id IS NOT NULL", ("s", source)));

        // The server notices the dead session; the next run records the killed one as abandoned and succeeds.
        await WaitForBackendGoneAsync(source);
        var next = await BuildingIngest.RunAsync(db.DataSource, Options(small, source), null, Ct);
        Assert.Equal("succeeded", next.Status);
        Assert.Equal("abandoned", await ScalarAsync<string>(db, "SELECT status FROM region.ingest_run WHERE source = @s ORDER BY id OFFSET 1 LIMIT 1", ("s", source)));
    }

    private async Task WaitForBackendGoneAsync(string source)
    {
        for (var i = 0; i < 100; i++)
        {
            var alive = await ScalarAsync<long>(db, """
                SELECT count(*) FROM region.ingest_run r JOIN pg_stat_activity a ON a.pid = r.backend_pid
                WHERE r.source = @s AND r.status = 'running'
                """, ("s", source));
            if (alive == 0)
            {
                return;
            }
            await Task.Delay(100, Ct);
        }
    }

    private static string BigFile(int count)
    {
        var sb = new StringBuilder(count * 220);
        var features = new string[count];
        for (var i = 0; i < count; i++)
        {
            features[i] = SquareFeature(i == 0 ? "K1" : "big" + i.ToString(CultureInfo.InvariantCulture), 640_000 + (i % 300 * 20), 6_850_000 + (i / 300 * 20));
        }
        return TempFile("big.geojson", Collection2154(features));
    }
}
