using System.Diagnostics;

namespace SmartRegion.Pipelines.Ingest;

/// <summary>A progress bar on a terminal (stderr), plain lines every few seconds otherwise.</summary>
internal sealed class Progress(string label, long totalBytes, TextWriter output, bool isTerminal)
{
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private long _lastDrawMs = -10_000;

    public static Progress ForConsole(string label, long totalBytes) => new(label, totalBytes, Console.Error, !Console.IsErrorRedirected);

    public void Report(long bytesDone, int features)
    {
        var now = _clock.ElapsedMilliseconds;
        if (now - _lastDrawMs < (isTerminal ? 200 : 5000))
        {
            return;
        }
        _lastDrawMs = now;
        var fraction = totalBytes > 0 ? Math.Clamp((double)bytesDone / totalBytes, 0, 1) : 0;
        var rate = features / Math.Max(_clock.Elapsed.TotalSeconds, 1e-3);
        if (isTerminal)
        {
            const int width = 30;
            var filled = (int)(fraction * width);
            output.Write($"\r{label} [{new string('#', filled)}{new string('.', width - filled)}] {fraction * 100,5:F1}%  {features:N0} features  {rate:N0}/s ");
        }
        else
        {
            output.WriteLine($"{label}: {fraction * 100:F1}% ({features:N0} features, {rate:N0}/s)");
        }
    }

    public void Done()
    {
        if (isTerminal)
        {
            output.Write("\r" + new string(' ', 100) + "\r");
        }
    }
}
