namespace SmartRegion.Parquet;

/// <summary>
/// A Parquet file is malformed or uses something this library does not support.
/// The message names the file and, when known, the row group, column chunk and page.
/// </summary>
public sealed class ParquetFormatException : Exception
{
    public ParquetFormatException(string message) : base(message) { }

    public ParquetFormatException(string message, Exception inner) : base(message, inner) => OverBudget = inner is Reading.MemoryBudgetException;

    /// <summary>
    /// The file may be well formed, but reading it would take more memory than <see cref="ParquetReaderOptions.MemoryBudgetBytes"/>
    /// (what it declares, or what its pages expand to).
    /// </summary>
    public bool OverBudget { get; }
}

/// <summary>An internal "this is corrupt" signal, turned into a <see cref="ParquetFormatException"/> with the location added.</summary>
internal sealed class CorruptDataException(string message) : Exception(message);

/// <summary>The file uses a feature this library does not implement (a codec, an encoding, nested lists).</summary>
internal sealed class UnsupportedException(string message) : Exception(message);
