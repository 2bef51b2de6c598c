using System.Globalization;

namespace SmartRegion.Parquet.Reading;

/// <summary>
/// The memory one read may take (the footer's structures, or one row group: its column chunks as read, each page
/// decompressed, the decoded values and the reader's temporaries), counted before each allocation so that what a hostile
/// file declares — pages, dictionaries or row counts of gigabytes, a decompression bomb, DELTA_BYTE_ARRAY prefixes that
/// repeat a long value — is refused before it is allocated, not after.
/// </summary>
/// <remarks>
/// The counts are the sizes asked for, not the GC's: an array counts its elements, a string two bytes a character, each
/// object a header. They over-count a little (a temporary is counted until the page or column that made it is done), never
/// under-count what the file can make the reader allocate.
/// </remarks>
internal sealed class MemoryBudget(long limitBytes)
{
    /// <summary>What one object costs beyond its content (header, method table, length), rounded up.</summary>
    public const int ObjectBytes = 24;

    public long LimitBytes { get; } = limitBytes;

    public long UsedBytes { get; private set; }

    /// <summary>Counts <paramref name="bytes"/> about to be allocated for <paramref name="what"/>; throws past the limit.</summary>
    public void Take(long bytes, string what)
    {
        if (bytes < 0 || bytes > LimitBytes - UsedBytes)
        {
            throw new MemoryBudgetException(
                $"{what} would take {Mb(bytes)} with {Mb(UsedBytes)} already in use, beyond the reader's memory budget of {Mb(LimitBytes)}");
        }
        UsedBytes += bytes;
    }

    /// <summary>Counts an array of <paramref name="count"/> elements of <paramref name="elementBytes"/> each.</summary>
    public void TakeArray(long count, int elementBytes, string what) => Take(count < 0 ? -1 : count * elementBytes + ObjectBytes, what);

    /// <summary>Returns what a finished temporary took.</summary>
    public void Give(long bytes) => UsedBytes = Math.Max(0, UsedBytes - bytes);

    /// <summary>Returns an array counted by <see cref="TakeArray"/>.</summary>
    public void GiveArray(long count, int elementBytes) => Give(count * elementBytes + ObjectBytes);

    /// <summary>The size of one element of an array of <typeparamref name="T"/> (a reference for strings and byte arrays).</summary>
    public static int ElementBytes<T>() => System.Runtime.CompilerServices.RuntimeHelpers.IsReferenceOrContainsReferences<T>()
        ? IntPtr.Size
        : System.Runtime.CompilerServices.Unsafe.SizeOf<T>();

    private static string Mb(long bytes) => bytes < 0
        ? "an impossible size"
        : bytes < 1 << 20
            ? string.Create(CultureInfo.InvariantCulture, $"{bytes:N0} bytes")
        : bytes >= 10 << 20
            ? string.Create(CultureInfo.InvariantCulture, $"{bytes / (1024.0 * 1024):N0} MB")
            : string.Create(CultureInfo.InvariantCulture, $"{bytes / (1024.0 * 1024):N1} MB");
}

/// <summary>A read would take more memory than its budget; the message says what asked for how much.</summary>
internal sealed class MemoryBudgetException(string message) : Exception(message);
