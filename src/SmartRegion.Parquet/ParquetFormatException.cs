namespace SmartRegion.Parquet;

/// <summary>
/// A Parquet file is malformed or uses something this library does not support.
/// The message names the file and, when known, the row group, column chunk and page.
/// </summary>
public sealed class ParquetFormatException : Exception
{
    public ParquetFormatException(string message) : base(message) { }

    public ParquetFormatException(string message, Exception inner) : base(message, inner) { }
}

/// <summary>An internal "this is corrupt" signal, turned into a <see cref="ParquetFormatException"/> with the location added.</summary>
internal sealed class CorruptDataException(string message) : Exception(message);
