using System.Diagnostics;

namespace SmartRegion.Pipelines.Cli;

/// <summary>A progress line on stderr: redrawn in place on a terminal, plain lines at most every few seconds otherwise.</summary>
internal sealed class ProgressLine(string label, TextWriter? output = null)
{
    private readonly TextWriter _out = output ?? Console.Error;
    private readonly bool _terminal = output is null && !Console.IsErrorRedirected;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private TimeSpan? _lastPlain;

    /// <summary>Shows <paramref name="done"/> of <paramref name="total"/> with rate and ETA.</summary>
    public void Report(long done, long total, string unit, string? extra = null)
    {
        var elapsed = _clock.Elapsed;
        var rate = elapsed.TotalSeconds > 0 ? done / elapsed.TotalSeconds : 0;
        var eta = rate > 0 && total > done ? TimeSpan.FromSeconds((total - done) / rate) : TimeSpan.Zero;
        var fraction = total > 0 ? Math.Clamp(done / (double)total, 0, 1) : 0;
        var text = $"{label} {done:N0}/{total:N0} {unit} ({fraction:P0}) {rate:N0} {unit}/s, ETA {eta:hh\\:mm\\:ss}{(extra is null ? "" : " " + extra)}";
        if (_terminal)
        {
            const int width = 24;
            var filled = (int)Math.Round(fraction * width);
            _out.Write($"\r[{new string('#', filled)}{new string('.', width - filled)}] {text}   ");
        }
        else if (_lastPlain is null || elapsed - _lastPlain >= TimeSpan.FromSeconds(5) || done >= total)
        {
            _out.WriteLine(text);
            _lastPlain = elapsed;
        }
    }

    /// <summary>Ends the progress line.</summary>
    public void Done()
    {
        if (_terminal)
        {
            _out.WriteLine();
        }
    }
}
