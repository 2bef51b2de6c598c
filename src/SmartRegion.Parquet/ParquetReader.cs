using System.Runtime.CompilerServices;
using SmartRegion.Parquet.Compression;
using SmartRegion.Parquet.Format;
using SmartRegion.Parquet.Reading;
using SmartRegion.Parquet.Thrift;

namespace SmartRegion.Parquet;

/// <summary>Limits that keep a hostile or corrupt file from exhausting memory.</summary>
public sealed class ParquetReaderOptions
{
    /// <summary>Row groups declaring more rows are refused (a value array is allocated per row group).</summary>
    public int MaxRowGroupRows { get; init; } = 1 << 24;

    /// <summary>Footers larger than this are refused.</summary>
    public int MaxFooterBytes { get; init; } = 64 << 20;

    /// <summary>
    /// The most memory the footer's structures, and then the reading of one row group (its column chunks, each page
    /// decompressed, the decoded values), may take; a file that needs more is refused before the allocation past it, with
    /// a <see cref="ParquetFormatException"/> (<see cref="ParquetFormatException.OverBudget"/>) naming what asked for it.
    /// </summary>
    public long MemoryBudgetBytes { get; init; } = 1L << 30;
}

/// <summary>A row-group filter: keep row groups whose statistics may hold values in [Min, Max] (either bound may be null).</summary>
public sealed record ColumnRange(string Column, object? Min, object? Max);

/// <summary>One column chunk as the footer describes it.</summary>
public sealed record ColumnChunkInfo(
    string Path, string PhysicalType, string Codec, IReadOnlyList<string> Encodings, long ValueCount,
    long CompressedBytes, long UncompressedBytes, long? NullCount, object? Min, object? Max);

/// <summary>One row group as the footer describes it.</summary>
public sealed record RowGroupInfo(int Index, long RowCount, long TotalBytes, IReadOnlyList<ColumnChunkInfo> Columns);

/// <summary>The decoded columns of one row group.</summary>
public sealed class RowGroupData(int index, int rowCount, IReadOnlyList<ColumnData> columns)
{
    public int Index { get; } = index;

    public int RowCount { get; } = rowCount;

    public IReadOnlyList<ColumnData> Columns { get; } = columns;

    public ColumnData this[string name] => Columns.FirstOrDefault(c => c.Column.Name == name)
        ?? throw new KeyNotFoundException($"column '{name}' was not read");
}

/// <summary>
/// Reads a Parquet file: footer on open, then row groups on demand as typed column arrays, with column projection
/// and row-group skipping by statistics. Any malformed input raises one <see cref="ParquetFormatException"/> that
/// names the file and, when known, the row group, column chunk and page.
/// </summary>
public sealed class ParquetReader : IAsyncDisposable
{
    private readonly Stream _stream;
    private readonly bool _ownsStream;
    private readonly ParquetReaderOptions _options;
    private readonly FileMetaData _meta;
    private readonly List<LeafColumn> _leaves;
    private readonly long _dataEnd;
    private readonly SemaphoreSlim _gate = new(1, 1);

    private ParquetReader(Stream stream, bool ownsStream, string name, ParquetReaderOptions options, FileMetaData meta, List<LeafColumn> leaves, long dataEnd)
    {
        _stream = stream;
        _ownsStream = ownsStream;
        _options = options;
        _meta = meta;
        _leaves = leaves;
        _dataEnd = dataEnd;
        Name = name;
        Schema = new ParquetSchema(leaves.Select(l => l.Column));
        Metadata = meta.KeyValues.GroupBy(kv => kv.Key).ToDictionary(g => g.Key, g => g.Last().Value);
        RowGroups = meta.RowGroups.Select(Describe).ToList();
    }

    /// <summary>The file name used in error messages.</summary>
    public string Name { get; }

    /// <summary>The leaf columns; fields of a struct are named by their dotted path.</summary>
    public ParquetSchema Schema { get; }

    public long RowCount => _meta.NumRows;

    public string? CreatedBy => _meta.CreatedBy;

    /// <summary>The footer's key-value metadata (for GeoParquet, the <c>geo</c> key).</summary>
    public IReadOnlyDictionary<string, string?> Metadata { get; }

    public IReadOnlyList<RowGroupInfo> RowGroups { get; }

    public static async Task<ParquetReader> OpenAsync(string path, CancellationToken cancellationToken, ParquetReaderOptions? options = null)
    {
        var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, useAsync: true);
        try
        {
            return await OpenAsync(stream, Path.GetFileName(path), cancellationToken, options);
        }
        catch
        {
            await stream.DisposeAsync();
            throw;
        }
    }

    /// <summary>Opens a seekable stream; the reader owns it unless <paramref name="leaveOpen"/>.</summary>
    public static async Task<ParquetReader> OpenAsync(Stream stream, string name, CancellationToken cancellationToken, ParquetReaderOptions? options = null, bool leaveOpen = false)
    {
        if (!stream.CanSeek)
        {
            throw new ArgumentException("the stream must be seekable (Parquet's footer is at the end)", nameof(stream));
        }
        options ??= new ParquetReaderOptions();
        var length = stream.Length;
        string Fail(string message) => $"{name}: {message}";
        if (length < 12)
        {
            throw new ParquetFormatException(Fail($"not a Parquet file: {length} bytes is too short (truncated?)"));
        }
        var head = new byte[4];
        await ReadAtAsync(stream, 0, head, cancellationToken);
        var tail = new byte[8];
        await ReadAtAsync(stream, length - 8, tail, cancellationToken);
        if (tail.AsSpan(4).SequenceEqual("PARE"u8))
        {
            throw new ParquetFormatException(Fail("the footer is encrypted (PARE); encrypted Parquet is not supported"));
        }
        if (!head.AsSpan().SequenceEqual("PAR1"u8) || !tail.AsSpan(4).SequenceEqual("PAR1"u8))
        {
            throw new ParquetFormatException(Fail("not a Parquet file: the magic number PAR1 is missing at the start or end (truncated or another format?)"));
        }
        var footerLength = BitConverter.ToInt32(tail, 0);
        if (footerLength <= 0 || footerLength > length - 12)
        {
            throw new ParquetFormatException(Fail($"footer length {footerLength} is beyond the file ({length} bytes); the file is truncated or corrupt"));
        }
        if (footerLength > options.MaxFooterBytes)
        {
            throw new ParquetFormatException(Fail($"footer of {footerLength} bytes is larger than the limit of {options.MaxFooterBytes}"));
        }
        var footer = new byte[footerLength];
        var dataEnd = length - 8 - footerLength;
        await ReadAtAsync(stream, dataEnd, footer, cancellationToken);
        FileMetaData meta;
        List<LeafColumn> leaves;
        try
        {
            meta = FileMetaData.Read(new CompactReader(footer, 0, footer.Length, new MemoryBudget(options.MemoryBudgetBytes)));
            leaves = BuildSchema(meta);
            Validate(meta, leaves, options, dataEnd);
        }
        catch (Exception e) when (IsFormatProblem(e))
        {
            throw new ParquetFormatException(Fail($"footer: {Describe(e)}"), e);
        }
        return new ParquetReader(stream, !leaveOpen, name, options, meta, leaves, dataEnd);
    }

    /// <summary>Whether row group <paramref name="index"/> may hold rows matching every range, judging by its statistics.</summary>
    public bool MayMatch(int index, IReadOnlyList<ColumnRange> where)
    {
        foreach (var range in where)
        {
            var column = Schema.IndexOf(range.Column);
            if (column < 0)
            {
                throw new ArgumentException($"no column '{range.Column}' in {Name}", nameof(where));
            }
            var info = RowGroups[index].Columns[column];
            if (info.Min is null || info.Max is null)
            {
                continue;
            }
            if ((range.Min is not null && Compare(info.Max, range.Min) < 0) || (range.Max is not null && Compare(info.Min, range.Max) > 0))
            {
                return false;
            }
        }
        return true;
    }

    private static int Compare(object a, object b) => a is string sa && b is string sb
        ? string.CompareOrdinal(sa, sb)
        : a.GetType() == b.GetType() ? ((IComparable)a).CompareTo(b)
        : throw new ArgumentException($"a {b.GetType().Name} bound cannot be compared with {a.GetType().Name} statistics");

    /// <summary>Yields every row group (or only those whose statistics may match <paramref name="where"/>) with the chosen columns (all when null).</summary>
    public async IAsyncEnumerable<RowGroupData> ReadAsync(IReadOnlyList<string>? columns = null, IReadOnlyList<ColumnRange>? where = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        for (var i = 0; i < RowGroups.Count; i++)
        {
            if (where is not null && !MayMatch(i, where))
            {
                continue;
            }
            yield return await ReadRowGroupAsync(i, columns, cancellationToken);
        }
    }

    /// <summary>Decodes one row group's chosen columns (all when null), in the order asked.</summary>
    public async Task<RowGroupData> ReadRowGroupAsync(int index, IReadOnlyList<string>? columns, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, RowGroups.Count);
        var wanted = columns is null
            ? Enumerable.Range(0, _leaves.Count).ToList()
            : columns.Select(c => Schema.IndexOf(c) is var i and >= 0 ? i : throw new ArgumentException($"no column '{c}' in {Name}", nameof(columns))).ToList();
        var group = _meta.RowGroups[index];
        var rows = (int)group.NumRows;
        var result = new List<ColumnData>(wanted.Count);
        var budget = new MemoryBudget(_options.MemoryBudgetBytes);
        foreach (var c in wanted)
        {
            var leaf = _leaves[c];
            var chunk = group.Columns[c];
            var meta = chunk.MetaData!;
            var (start, size) = ChunkRange(meta);
            var at = new ChunkDecoder.Position();
            string Where() => $"{Name}: row group {index}, column chunk '{leaf.Name}' (offset {start})" + (at.Page >= 0 ? $", page {at.Page} at offset {at.Offset}" : "");
            if (meta.Codec is not (Codec.Uncompressed or Codec.Snappy or Codec.Gzip or Codec.Zstd))
            {
                throw new ParquetFormatException($"{Where()}: codec {PageCodec.CodecName(meta.Codec)} not supported (supported: UNCOMPRESSED, SNAPPY, GZIP, ZSTD)");
            }
            try
            {
                budget.TakeArray(size, 1, "the column chunk as read");
            }
            catch (MemoryBudgetException e)
            {
                throw new ParquetFormatException($"{Where()}: {e.Message}", e);
            }
            var bytes = new byte[size];
            await _gate.WaitAsync(cancellationToken);
            try
            {
                await ReadAtAsync(_stream, start, bytes, cancellationToken);
            }
            finally
            {
                _gate.Release();
            }
            try
            {
                var (values, nulls) = ChunkDecoder.Decode(leaf, meta, bytes, start, rows, at, budget);
                budget.GiveArray(size, 1);
                result.Add(new ColumnData(leaf.Column, leaf.Convert(values, budget), nulls));
            }
            catch (Exception e) when (IsFormatProblem(e))
            {
                throw new ParquetFormatException($"{Where()}: {Describe(e)}", e);
            }
        }
        return new RowGroupData(index, rows, result);
    }

    public async ValueTask DisposeAsync()
    {
        if (_ownsStream)
        {
            await _stream.DisposeAsync();
        }
        _gate.Dispose();
    }

    private static (long Start, int Size) ChunkRange(ColumnMetaData meta)
    {
        var start = meta.DictionaryPageOffset is { } d && d > 0 && d < meta.DataPageOffset ? d : meta.DataPageOffset;
        return (start, (int)meta.TotalCompressedSize);
    }

    private static bool IsFormatProblem(Exception e) => e is CorruptDataException or UnsupportedException or MemoryBudgetException or InvalidDataException
        or OverflowException or IndexOutOfRangeException or ArgumentOutOfRangeException or ArgumentException or InvalidCastException
        or FormatException;

    // Our own decoding errors carry their message; anything else is a decoder bug met on bad input, still reported cleanly.
    private static string Describe(Exception e) => e switch
    {
        CorruptDataException or UnsupportedException or MemoryBudgetException => e.Message,
        _ => $"corrupt data ({e.GetType().Name}: {e.Message})",
    };

    private static List<LeafColumn> BuildSchema(FileMetaData meta)
    {
        var schema = meta.Schema;
        if (schema.Count == 0)
        {
            throw new CorruptDataException("the schema is empty");
        }
        var leaves = new List<LeafColumn>();
        var next = 1;
        void Walk(int children, List<string> path, int def, int depth)
        {
            if (depth > 16)
            {
                throw new UnsupportedException("the schema is nested more than 16 levels deep");
            }
            for (var k = 0; k < children; k++)
            {
                if (next >= schema.Count)
                {
                    throw new CorruptDataException($"the schema declares more children than its {schema.Count} elements");
                }
                var e = schema[next++];
                if (e.Name.Length == 0)
                {
                    throw new CorruptDataException($"schema element {next - 1} has no name");
                }
                var name = string.Join('.', path.Append(e.Name));
                if (e.RepetitionType == Repetition.Repeated)
                {
                    throw new UnsupportedException($"column '{name}' is repeated (a list or map); only flat columns and structs are supported");
                }
                var d = def + (e.RepetitionType == Repetition.Optional ? 1 : 0);
                if (e.Type is null)
                {
                    if (e.NumChildren <= 0)
                    {
                        throw new CorruptDataException($"group '{name}' has no children");
                    }
                    Walk(e.NumChildren, [.. path, e.Name], d, depth + 1);
                    continue;
                }
                leaves.Add(new LeafColumn
                {
                    Path = [.. path, e.Name],
                    Element = e,
                    MaxDef = d,
                    Column = LeafColumn.Describe(name, e, d > 0, path.Count > 0 ? string.Join('.', path) : null),
                });
            }
        }
        var root = schema[0];
        if (root.NumChildren < 0 || root.NumChildren > schema.Count - 1)
        {
            throw new CorruptDataException($"the schema root declares {root.NumChildren} children but {schema.Count - 1} elements follow");
        }
        Walk(root.NumChildren, [], 0, 0);
        if (next != schema.Count)
        {
            throw new CorruptDataException($"the schema has {schema.Count - next} elements outside the tree");
        }
        if (leaves.Select(l => l.Name).Distinct(StringComparer.Ordinal).Count() != leaves.Count)
        {
            throw new UnsupportedException("two columns have the same name");
        }
        return leaves;
    }

    private static void Validate(FileMetaData meta, List<LeafColumn> leaves, ParquetReaderOptions options, long dataEnd)
    {
        for (var g = 0; g < meta.RowGroups.Count; g++)
        {
            var group = meta.RowGroups[g];
            if (group.Columns.Count != leaves.Count)
            {
                throw new CorruptDataException($"row group {g} has {group.Columns.Count} column chunks, the schema {leaves.Count} columns");
            }
            if (group.NumRows < 0 || group.NumRows > options.MaxRowGroupRows)
            {
                throw new CorruptDataException($"row group {g} declares {group.NumRows} rows (limit {options.MaxRowGroupRows})");
            }
            for (var c = 0; c < leaves.Count; c++)
            {
                var chunk = group.Columns[c];
                var where = $"row group {g}, column chunk '{leaves[c].Name}'";
                if (chunk.FilePath is not null)
                {
                    throw new UnsupportedException($"{where} lives in another file ({chunk.FilePath})");
                }
                var m = chunk.MetaData ?? throw new CorruptDataException($"{where} has no metadata");
                if (m.Type != leaves[c].Element.Type)
                {
                    throw new CorruptDataException($"{where} is {m.Type} but the schema says {leaves[c].Element.Type}");
                }
                var (start, _) = ChunkRange(m);
                if (start < 4 || m.TotalCompressedSize < 0 || m.TotalCompressedSize > int.MaxValue || start + m.TotalCompressedSize > dataEnd)
                {
                    throw new CorruptDataException($"{where} spans bytes {start}..{start + m.TotalCompressedSize}, outside the data section (4..{dataEnd})");
                }
            }
        }
    }

    private RowGroupInfo Describe(RowGroup group, int index)
    {
        var columns = new List<ColumnChunkInfo>();
        for (var c = 0; c < _leaves.Count; c++)
        {
            var leaf = _leaves[c];
            var m = group.Columns[c].MetaData!;
            var s = m.Statistics;
            var (minBytes, maxBytes) = s is null ? (null, null)
                : s.MinValue is not null || s.MaxValue is not null ? (s.MinValue, s.MaxValue)
                : TrustsLegacyOrder(leaf) ? (s.Min, s.Max) : (null, null);
            columns.Add(new ColumnChunkInfo(
                leaf.Name, m.Type.ToString().ToUpperInvariant(), PageCodec.CodecName(m.Codec), m.Encodings.Select(Enc.Name).ToList(), m.NumValues,
                m.TotalCompressedSize, m.TotalUncompressedSize, s?.NullCount,
                ChunkDecoder.StatValue(leaf, minBytes), ChunkDecoder.StatValue(leaf, maxBytes)));
        }
        return new RowGroupInfo(index, group.NumRows, group.TotalByteSize, columns);
    }

    // The deprecated min/max were written in signed order; only trust them where that is the type's order.
    private static bool TrustsLegacyOrder(LeafColumn leaf) =>
        leaf.Element.Type is PhysicalType.Int32 or PhysicalType.Int64 or PhysicalType.Float or PhysicalType.Double or PhysicalType.Boolean
        && leaf.Column.Type is not (ParquetType.UInt8 or ParquetType.UInt16 or ParquetType.UInt32 or ParquetType.UInt64);

    private static async Task ReadAtAsync(Stream stream, long offset, byte[] buffer, CancellationToken cancellationToken)
    {
        stream.Position = offset;
        await stream.ReadExactlyAsync(buffer, cancellationToken);
    }
}
