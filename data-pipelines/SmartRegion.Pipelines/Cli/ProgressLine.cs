using System.Diagnostics;

namespace SmartRegion.Pipelines.Cli;

/// <summary>The CLI's one progress display, on stderr: a bar redrawn in place on a terminal (at most five times a second),
/// plain lines at most every few seconds otherwise.</summary>
internal sealed class ProgressLine(string label, TextWriter? output = null)
{
    private readonly TextWriter _out = output ?? Console.Error;
    private readonly bool _terminal = output is null && !Console.IsErrorRedirected;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private TimeSpan? _lastDrawn;
    private (string Text, double Fraction)? _pending; // the latest state not drawn yet (drawn by Done)

    /// <summary>Shows <paramref name="done"/> of <paramref name="total"/> with rate and ETA.</summary>
    public void Report(long done, long total, string unit, string? extra = null)
    {
        var elapsed = _clock.Elapsed;
        var interval = TimeSpan.FromMilliseconds(_terminal ? 200 : 5000);
        var throttled = _lastDrawn is not null && elapsed - _lastDrawn < interval;
        var rate = elapsed.TotalSeconds > 0 ? done / elapsed.TotalSeconds : 0;
        var eta = rate > 0 && total > done ? TimeSpan.FromSeconds((total - done) / rate) : TimeSpan.Zero;
        var fraction = total > 0 ? Math.Clamp(done / (double)total, 0, 1) : 0;
        var text = $"{label} {done:N0}/{total:N0} {unit} ({fraction:P0}) {rate:N0} {unit}/s, ETA {eta:hh\\:mm\\:ss}{(extra is null ? "" : " " + extra)}";
        if (throttled)
        {
            _pending = (text, fraction);
            return;
        }
        _lastDrawn = elapsed;
        Draw(text, fraction);
    }

    private void Draw(string text, double fraction)
    {
        _pending = null;
        if (_terminal)
        {
            const int width = 24;
            var filled = (int)Math.Round(fraction * width);
            _out.Write($"\r[{new string('#', filled)}{new string('.', width - filled)}] {text}   ");
        }
        else
        {
            _out.WriteLine(text);
        }
    }

    /// <summary>Shows how much of a file was read: in MB, or in kB for a file under 10 MB (which would read "0/0 MB").</summary>
    public void ReportBytes(long done, long total, string? extra = null)
    {
        var shift = total >= 10L << 20 ? 20 : 10;
        Report(done >> shift, total >> shift, shift == 20 ? "MB" : "kB", extra);
    }

    /// <summary>Shows the last state (if it was not drawn yet) and ends the progress line.</summary>
    public void Done()
    {
        if (_pending is { } last)
        {
            Draw(last.Text, last.Fraction);
        }
        if (_terminal)
        {
            _out.WriteLine();
        }
    }
}
