using System.Diagnostics;
using System.Runtime.InteropServices;

namespace SmartRegion.Rooftop;

/// <summary>Where a tile's computation spends its time (Stopwatch ticks, summed over tiles and threads).</summary>
public sealed class TilePhaseTimes
{
    /// <summary>Roof faces of the tile's buildings and neighbours, and the skyline index.</summary>
    public long RoofTicks;

    /// <summary>Sample grids of the target faces.</summary>
    public long SamplingTicks;

    /// <summary>Each sample's horizon.</summary>
    public long HorizonTicks;

    /// <summary>Plane-of-array irradiation under each sample's horizon.</summary>
    public long IrradiationTicks;

    /// <summary>Panel packing and PV energy.</summary>
    public long PanelTicks;

    /// <summary>Statistics, geometry, configurations, finance and the result documents.</summary>
    public long OtherTicks;

    /// <summary>The report document each building's result carries (<see cref="ReportDocument"/>).</summary>
    public long ReportTicks;

    /// <summary>Adds the time since <paramref name="since"/> to <paramref name="phase"/>; returns now.</summary>
    public long Add(ref long phase, long since)
    {
        var now = Now();
        Interlocked.Add(ref phase, now - since);
        return now;
    }

    /// <summary>
    /// The calling thread's CPU time in Stopwatch ticks where the OS gives it (Linux), else the wall clock: on a shared
    /// machine the phases' CPU seconds are what compares from run to run.
    /// </summary>
    public static long Now()
    {
        if (_threadClock && OperatingSystem.IsLinux())
        {
            try
            {
                if (ClockGetTime(3 /* CLOCK_THREAD_CPUTIME_ID */, out var ts) == 0)
                {
                    return (long)((ts.Seconds * 1_000_000_000.0 + ts.Nanoseconds) * (Stopwatch.Frequency / 1e9));
                }
            }
            catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
            {
            }
            _threadClock = false;
        }
        return Stopwatch.GetTimestamp();
    }

    private static bool _threadClock = true;

    [StructLayout(LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    [DllImport("libc", EntryPoint = "clock_gettime")]
    private static extern int ClockGetTime(int clock, out TimeSpec time);

    /// <summary>Seconds per phase.</summary>
    public object Seconds() => new
    {
        roofs = S(RoofTicks),
        sampling = S(SamplingTicks),
        horizon = S(HorizonTicks),
        irradiation = S(IrradiationTicks),
        panels = S(PanelTicks),
        other = S(OtherTicks),
        report = S(ReportTicks),
    };

    private static double S(long ticks) => Math.Round(ticks / (double)Stopwatch.Frequency, 2);
}
