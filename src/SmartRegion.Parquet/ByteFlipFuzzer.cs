using System.Diagnostics;
using System.Runtime.InteropServices;

namespace SmartRegion.Parquet;

/// <summary>Outcome of a fuzz run: how valid files with random byte flips fared in the reader.</summary>
/// <remarks>
/// <see cref="SlowestCase"/> is the CPU time of the calling thread where the OS gives it (Linux), else wall time: a runaway
/// case spends CPU, while a case descheduled on a busy machine only waits, and only the first is a reader's bug.
/// </remarks>
public sealed record FuzzReport(int Cases, int Rejected, int Accepted, TimeSpan Elapsed, TimeSpan SlowestCase, IReadOnlyList<string> Failures);

/// <summary>
/// Flips random bytes of valid Parquet files and reads them back in full: every case must either read or fail
/// with one <see cref="ParquetFormatException"/> whose cause is a checked condition, never a crash or a runaway.
/// </summary>
public static class ByteFlipFuzzer
{
    private static readonly Type[] BugTypes =
    [
        typeof(IndexOutOfRangeException), typeof(ArgumentOutOfRangeException), typeof(NullReferenceException),
        typeof(InvalidCastException), typeof(OverflowException), typeof(ArgumentException), typeof(InvalidOperationException),
    ];

    public static async Task<FuzzReport> RunAsync(IReadOnlyList<byte[]> files, int cases, int seed, CancellationToken cancellationToken)
    {
        var random = new Random(seed);
        var options = new ParquetReaderOptions { MaxRowGroupRows = 1 << 20 };
        var failures = new List<string>();
        int rejected = 0, accepted = 0;
        var total = Stopwatch.StartNew();
        var slowest = TimeSpan.Zero;
        for (var i = 0; i < cases; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var source = files[random.Next(files.Count)];
            var bytes = (byte[])source.Clone();
            var flips = 1 + random.Next(4);
            for (var f = 0; f < flips; f++)
            {
                // Half the flips land in the last 10% (the footer), where one byte changes the file's structure.
                var position = random.Next(2) == 0
                    ? random.Next(bytes.Length)
                    : bytes.Length - 1 - random.Next(Math.Max(1, bytes.Length / 10));
                bytes[position] = random.Next(3) == 0 ? (byte)(bytes[position] ^ (1 << random.Next(8))) : (byte)random.Next(256);
            }
            if (random.Next(20) == 0)
            {
                Array.Resize(ref bytes, random.Next(bytes.Length)); // truncation
            }
            var caseStart = CaseClock();
            try
            {
                await using var reader = await ParquetReader.OpenAsync(new MemoryStream(bytes), $"case-{i}.parquet", cancellationToken, options);
                await foreach (var _ in reader.ReadAsync(null, null, cancellationToken))
                {
                }
                accepted++;
            }
            catch (ParquetFormatException e)
            {
                rejected++;
                if (e.InnerException is { } inner && BugTypes.Contains(inner.GetType()))
                {
                    failures.Add($"case {i} (seed {seed}): {e.Message}\n{inner.StackTrace}");
                }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                failures.Add($"case {i} (seed {seed}): {e.GetType().Name}: {e.Message}\n{e.StackTrace}");
            }
            var spent = CaseClock() - caseStart;
            if (spent > slowest)
            {
                slowest = spent;
            }
        }
        return new FuzzReport(cases, rejected, accepted, total.Elapsed, slowest, failures);
    }

    /// <summary>The calling thread's CPU time on Linux (reading an in-memory file never leaves the thread), else the wall clock.</summary>
    private static TimeSpan CaseClock()
    {
        if (OperatingSystem.IsLinux() && _threadClock)
        {
            try
            {
                if (ClockGetTime(ClockThreadCpuTimeId, out var t) == 0)
                {
                    return TimeSpan.FromTicks(t.Seconds * TimeSpan.TicksPerSecond + t.Nanoseconds / 100);
                }
            }
            catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
            {
            }
            _threadClock = false;
        }
        return Stopwatch.GetElapsedTime(0);
    }

    private static bool _threadClock = true;

    private const int ClockThreadCpuTimeId = 3;

    [StructLayout(LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    [DllImport("libc", EntryPoint = "clock_gettime")]
    private static extern int ClockGetTime(int clock, out TimeSpec time);
}
