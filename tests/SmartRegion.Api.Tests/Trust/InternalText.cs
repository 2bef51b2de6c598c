using System.Text.RegularExpressions;

namespace SmartRegion.Api.Tests.Trust;

/// <summary>
/// Text that tells how the platform is built rather than what the caller asked: exception type names, stack lines,
/// driver and SQL errors, source paths. None of it may reach a response body (property 10).
/// </summary>
public static partial class InternalText
{
    /// <summary>The first internal fragment of <paramref name="body"/>, or null when there is none.</summary>
    public static string? Find(string body)
    {
        var m = Pattern().Match(body);
        return m.Success ? m.Value : null;
    }

    [GeneratedRegex(@"[A-Za-z]+Exception\b|\bat [A-Z][\w.]+\.[\w<>]+\(|\.cs:line \d|\bNpgsql|SQLSTATE|\bSystem\.[A-Z]|\bMicrosoft\.[A-Z]|\bSmartRegion\.[A-Z]|\bpg_[a-z]+\(|syntax error at or near|violates (check|unique|foreign key) constraint|\brelation ""[^""]+"" does not exist|/home/|/work/|/tmp/|\\\\Users\\\\")]
    private static partial Regex Pattern();
}
