using System.Text;
using SmartRegion.Parquet.Encodings;
using SmartRegion.Parquet.Format;
using SmartRegion.Parquet.Geo;
using SmartRegion.Parquet.Thrift;
using SmartRegion.Parquet.Writing;

namespace SmartRegion.Parquet;

/// <summary>
/// Streams rows into a Parquet file: values are buffered per column until a row group is full, then encoded and
/// written, so memory is bounded by one row group whatever the number of rows. Call <see cref="CompleteAsync"/>
/// to write the footer; a writer disposed without it leaves an incomplete file.
/// </summary>
public sealed class ParquetWriter : IAsyncDisposable
{
    private static readonly byte[] Magic = "PAR1"u8.ToArray();

    private readonly Stream _output;
    private readonly bool _ownsStream;
    private readonly ParquetWriterOptions _options;
    private readonly ColumnBuffer[] _buffers;       // one per user column
    private readonly List<ColumnBuffer> _leaves;    // every leaf in file order, including the bbox covering
    private readonly FileMetaData _meta = new() { Version = 1, CreatedBy = "SmartRegion.Parquet version 1.0.0" };
    private readonly Codec _codec;
    private ChunkContext[] _contexts = [];
    private readonly GeoCollector? _geo;
    private readonly List<object?[]> _rows = [];
    private long _position;
    private bool _completed;
    private bool _faulted;

    public ParquetWriter(Stream output, ParquetSchema schema, ParquetWriterOptions? options = null, bool leaveOpen = false)
    {
        _output = output;
        _ownsStream = !leaveOpen;
        _options = options ?? new ParquetWriterOptions();
        Schema = schema;
        if (_options.RowGroupRows < 1 || _options.PageBytes < 1)
        {
            throw new ArgumentException("RowGroupRows and PageBytes must be positive", nameof(options));
        }
        _codec = _options.Codec switch
        {
            ParquetCodec.Uncompressed => Codec.Uncompressed,
            ParquetCodec.Gzip => Codec.Gzip,
            ParquetCodec.Zstd => Codec.Zstd,
            _ => Codec.Snappy,
        };
        var root = new SchemaElement { Name = "schema" };
        _meta.Schema.Add(root);
        _buffers = new ColumnBuffer[schema.Columns.Count];
        _leaves = [];
        for (var i = 0; i < schema.Columns.Count; i++)
        {
            var c = schema.Columns[i];
            var (element, buffer) = ColumnFactory.Create(c, [c.Name], c.Nullable ? 1 : 0);
            _meta.Schema.Add(element);
            _buffers[i] = buffer;
            _leaves.Add(buffer);
        }
        if (_options.Geo is { } geo)
        {
            var index = schema.IndexOf(geo.GeometryColumn);
            if (index < 0 || schema.Columns[index].Type != ParquetType.Binary)
            {
                throw new ArgumentException($"GeoParquet geometry column '{geo.GeometryColumn}' must be a Binary (WKB) column of the schema", nameof(options));
            }
            _buffers[index].MinMaxStatistics = false;
            ColumnBuffer<double>[]? bbox = null;
            if (geo.BboxCovering)
            {
                if (schema.IndexOf("bbox") >= 0)
                {
                    throw new ArgumentException("the schema already has a 'bbox' column; the covering column needs that name", nameof(options));
                }
                _meta.Schema.Add(new SchemaElement { Name = "bbox", RepetitionType = Repetition.Required, NumChildren = 4 });
                bbox = new ColumnBuffer<double>[4];
                string[] names = ["xmin", "ymin", "xmax", "ymax"];
                for (var k = 0; k < 4; k++)
                {
                    _meta.Schema.Add(new SchemaElement { Name = names[k], Type = PhysicalType.Double, RepetitionType = Repetition.Optional });
                    bbox[k] = new ColumnBuffer<double>(["bbox", names[k]], 1, Numbers.Double, null);
                    _leaves.Add(bbox[k]);
                }
            }
            _geo = new GeoCollector(geo, index, bbox);
        }
        root.NumChildren = schema.Columns.Count + (_options.Geo?.BboxCovering == true ? 1 : 0);
    }

    /// <summary>Creates (or overwrites) the file at <paramref name="path"/>.</summary>
    public static ParquetWriter Create(string path, ParquetSchema schema, ParquetWriterOptions? options = null) =>
        new(new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true), schema, options);

    public ParquetSchema Schema { get; }

    /// <summary>Rows written so far, including those still buffered.</summary>
    public long RowCount { get; private set; }

    /// <summary>Appends a batch: one <see cref="ColumnData"/> per schema column, in schema order, all of the same length.</summary>
    public async Task WriteAsync(IReadOnlyList<ColumnData> columns, CancellationToken cancellationToken)
    {
        ThrowIfCompleted();
        await FlushRowsAsync(cancellationToken);
        if (columns.Count != _buffers.Length)
        {
            throw new ArgumentException($"the batch has {columns.Count} columns, the schema {_buffers.Length}", nameof(columns));
        }
        var count = columns.Count == 0 ? 0 : columns[0].Count;
        for (var i = 0; i < columns.Count; i++)
        {
            var expected = Schema.Columns[i];
            var c = columns[i];
            if (c.Column.Type != expected.Type || c.Column.Name != expected.Name)
            {
                throw new ArgumentException($"batch column {i} is '{c.Column.Name}' ({c.Column.Type}), the schema expects '{expected.Name}' ({expected.Type})", nameof(columns));
            }
            if (c.Count != count)
            {
                throw new ArgumentException($"batch column '{c.Column.Name}' has {c.Count} rows, the first column {count}", nameof(columns));
            }
        }
        var offset = 0;
        while (offset < count)
        {
            var take = Math.Min(count - offset, _options.RowGroupRows - _leaves[0].Rows);
            try
            {
                for (var i = 0; i < columns.Count; i++)
                {
                    _buffers[i].Append(columns[i], offset, take, Schema.Columns[i].Name);
                }
                if (_geo is { HasCovering: true })
                {
                    _geo.Add(columns[_geo.ColumnIndex], offset, take, RowCount);
                }
            }
            catch
            {
                // Some columns took the rows and others did not: nothing written after this could be a valid file.
                _faulted = true;
                throw;
            }
            offset += take;
            RowCount += take;
            if (_leaves[0].Rows >= _options.RowGroupRows || BufferedBytes() >= _options.RowGroupBytes)
            {
                await FlushRowGroupAsync(cancellationToken);
            }
        }
    }

    /// <summary>Appends one row (values in schema order, boxed; null for null). Convenient for small outputs; batches are faster.</summary>
    public async Task WriteRowAsync(IReadOnlyList<object?> row, CancellationToken cancellationToken)
    {
        ThrowIfCompleted();
        if (row.Count != _buffers.Length)
        {
            throw new ArgumentException($"the row has {row.Count} values, the schema {_buffers.Length} columns", nameof(row));
        }
        _rows.Add([.. row]);
        if (_rows.Count >= 4096)
        {
            await FlushRowsAsync(cancellationToken);
        }
    }

    /// <summary>Writes the last row group and the footer. The stream is closed unless the writer was told to leave it open.</summary>
    public async Task CompleteAsync(CancellationToken cancellationToken)
    {
        ThrowIfCompleted();
        await FlushRowsAsync(cancellationToken);
        if (_leaves[0].Rows > 0)
        {
            await FlushRowGroupAsync(cancellationToken);
        }
        await EnsureMagicAsync(cancellationToken);
        _meta.NumRows = RowCount;
        if (_options.Metadata is { } kv)
        {
            foreach (var (k, v) in kv)
            {
                _meta.KeyValues.Add(new(k, v));
            }
        }
        if (_geo is not null)
        {
            _meta.KeyValues.Add(new("geo", _geo.MetadataJson()));
        }
        var w = new CompactWriter();
        _meta.Write(w);
        var footer = new byte[w.Length + 8];
        w.Written.CopyTo(footer);
        BitConverter.TryWriteBytes(footer.AsSpan(w.Length), w.Length);
        Magic.CopyTo(footer, w.Length + 4);
        await _output.WriteAsync(footer, cancellationToken);
        await _output.FlushAsync(cancellationToken);
        _completed = true;
        if (_ownsStream)
        {
            await _output.DisposeAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_ownsStream && !_completed)
        {
            await _output.DisposeAsync();
        }
        _completed = true;
    }

    private void ThrowIfCompleted()
    {
        ObjectDisposedException.ThrowIf(_completed, this);
        if (_faulted)
        {
            throw new InvalidOperationException("an earlier batch was rejected part-way; this writer cannot produce a valid file any more");
        }
    }

    private long BufferedBytes()
    {
        long total = 0;
        foreach (var b in _leaves)
        {
            total += b.EstimatedBytes;
        }
        return total;
    }

    private async Task FlushRowsAsync(CancellationToken cancellationToken)
    {
        if (_rows.Count == 0)
        {
            return;
        }
        var batch = new ColumnData[_buffers.Length];
        for (var c = 0; c < _buffers.Length; c++)
        {
            var column = Schema.Columns[c];
            var values = Array.CreateInstance(column.ClrType, _rows.Count);
            bool[]? nulls = null;
            for (var r = 0; r < _rows.Count; r++)
            {
                var v = _rows[r][c];
                if (v is null)
                {
                    (nulls ??= new bool[_rows.Count])[r] = true;
                    continue;
                }
                try
                {
                    values.SetValue(v.GetType() == column.ClrType ? v : Convert.ChangeType(v, column.ClrType, System.Globalization.CultureInfo.InvariantCulture), r);
                }
                catch (Exception e) when (e is InvalidCastException or FormatException or OverflowException)
                {
                    throw new ArgumentException($"row {RowCount + r}, column '{column.Name}': {v.GetType().Name} value cannot be stored as {column.Type}", e);
                }
            }
            batch[c] = new ColumnData(column, values, nulls);
        }
        _rows.Clear();
        await WriteAsync(batch, cancellationToken);
    }

    private async Task EnsureMagicAsync(CancellationToken cancellationToken)
    {
        if (_position == 0)
        {
            await _output.WriteAsync(Magic, cancellationToken);
            _position = Magic.Length;
        }
    }

    private async Task FlushRowGroupAsync(CancellationToken cancellationToken)
    {
        try
        {
            await EncodeRowGroupAsync(cancellationToken);
        }
        catch (AggregateException e) when (e.InnerExceptions is [ArgumentException inner])
        {
            _faulted = true;
            throw inner;
        }
    }

    private async Task EncodeRowGroupAsync(CancellationToken cancellationToken)
    {
        await EnsureMagicAsync(cancellationToken);
        var group = new RowGroup { NumRows = _leaves[0].Rows, FileOffset = _position, Ordinal = (short)Math.Min(short.MaxValue, _meta.RowGroups.Count) };
        long compressed = 0;
        if (_contexts.Length != _leaves.Count)
        {
            _contexts = [.. _leaves.Select(_ => new ChunkContext(_options, _codec))];
        }
        // Column chunks are independent: encode them in parallel (offsets relative to the chunk), then write in order.
        var metas = new ColumnMetaData[_leaves.Count];
        // Largest first, one at a time per thread, so the biggest chunk (usually the geometry) never starts last.
        var order = Enumerable.Range(0, _leaves.Count).OrderByDescending(i => _leaves[i].EstimatedBytes).ToList();
        // Without a covering column the geometry's bbox and types are gathered page by page as the column is encoded,
        // while each page's WKB is still in cache, instead of in a separate pass over scattered arrays.
        if (_geo is { HasCovering: false })
        {
            var geometry = (ColumnBuffer<byte[]>)_buffers[_geo.ColumnIndex];
            var firstRow = RowCount - geometry.Rows;
            geometry.PageObserver = (values, firstValue) => _geo.Scan(geometry, values, firstValue, firstRow);
        }
        Parallel.ForEach(System.Collections.Concurrent.Partitioner.Create(order, System.Collections.Concurrent.EnumerablePartitionerOptions.NoBuffering),
            new ParallelOptions { MaxDegreeOfParallelism = _options.MaxThreads, CancellationToken = cancellationToken },
            i => metas[i] = _leaves[i].Encode(_contexts[i], 0));
        for (var i = 0; i < _leaves.Count; i++)
        {
            var meta = metas[i];
            meta.DataPageOffset += _position;
            meta.DictionaryPageOffset += _position;
            group.Columns.Add(new ColumnChunk { FileOffset = meta.DictionaryPageOffset ?? meta.DataPageOffset, MetaData = meta });
            group.TotalByteSize += meta.TotalUncompressedSize;
            compressed += meta.TotalCompressedSize;
            var chunk = _contexts[i].Chunk;
            await _output.WriteAsync(chunk.Array.AsMemory(0, chunk.Length), cancellationToken);
            _position += chunk.Length;
            _leaves[i].Reset();
        }
        group.TotalCompressedSize = compressed;
        _meta.RowGroups.Add(group);
    }
}

/// <summary>Maps a <see cref="ParquetColumn"/> to its Parquet schema element and the buffer that converts its values.</summary>
internal static class ColumnFactory
{
    private static readonly long EpochTicks = DateTime.UnixEpoch.Ticks;

    public static (SchemaElement Element, ColumnBuffer Buffer) Create(ParquetColumn c, string[] path, int maxDef)
    {
        var e = new SchemaElement { Name = c.Name, RepetitionType = c.Nullable ? Repetition.Optional : Repetition.Required };
        ColumnBuffer buffer;
        switch (c.Type)
        {
            case ParquetType.Boolean:
                e.Type = PhysicalType.Boolean;
                buffer = new ColumnBuffer<bool>(path, maxDef, BoolOps.Instance, null);
                break;
            case ParquetType.Int8 or ParquetType.Int16 or ParquetType.UInt8 or ParquetType.UInt16 or ParquetType.UInt32:
            {
                e.Type = PhysicalType.Int32;
                var (bits, signed) = c.Type switch
                {
                    ParquetType.Int8 => (8, true), ParquetType.Int16 => (16, true), ParquetType.UInt8 => (8, false),
                    ParquetType.UInt16 => (16, false), _ => (32, false),
                };
                e.Logical = new LogicalType { Kind = LogicalType.Integer, BitWidth = bits, IsSigned = signed };
                e.ConvertedType = (bits, signed) switch
                {
                    (8, true) => Converted.Int8, (16, true) => Converted.Int16, (8, false) => Converted.Uint8,
                    (16, false) => Converted.Uint16, _ => Converted.Uint32,
                };
                Func<Array, int, int> convert = c.Type switch
                {
                    ParquetType.Int8 => (a, i) => ((sbyte[])a)[i],
                    ParquetType.Int16 => (a, i) => ((short[])a)[i],
                    ParquetType.UInt8 => (a, i) => ((byte[])a)[i],
                    ParquetType.UInt16 => (a, i) => ((ushort[])a)[i],
                    _ => (a, i) => (int)((uint[])a)[i],
                };
                buffer = new ColumnBuffer<int>(path, maxDef, signed ? Numbers.Int32 : Numbers.UInt32, convert);
                break;
            }
            case ParquetType.Int32:
                e.Type = PhysicalType.Int32;
                buffer = new ColumnBuffer<int>(path, maxDef, Numbers.Int32, null);
                break;
            case ParquetType.Int64:
                e.Type = PhysicalType.Int64;
                buffer = new ColumnBuffer<long>(path, maxDef, Numbers.Int64, null);
                break;
            case ParquetType.UInt64:
                e.Type = PhysicalType.Int64;
                e.Logical = new LogicalType { Kind = LogicalType.Integer, BitWidth = 64, IsSigned = false };
                e.ConvertedType = Converted.Uint64;
                buffer = new ColumnBuffer<long>(path, maxDef, Numbers.UInt64, (a, i) => (long)((ulong[])a)[i]);
                break;
            case ParquetType.Float:
                e.Type = PhysicalType.Float;
                buffer = new ColumnBuffer<float>(path, maxDef, Numbers.Float, null);
                break;
            case ParquetType.Double:
                e.Type = PhysicalType.Double;
                buffer = new ColumnBuffer<double>(path, maxDef, Numbers.Double, null);
                break;
            case ParquetType.String or ParquetType.Json:
                e.Type = PhysicalType.ByteArray;
                e.Logical = new LogicalType { Kind = c.Type == ParquetType.Json ? LogicalType.Json : LogicalType.String };
                e.ConvertedType = c.Type == ParquetType.Json ? Converted.Json : Converted.Utf8;
                buffer = new ColumnBuffer<string>(path, maxDef, StringOps.Instance, null);
                break;
            case ParquetType.Binary:
                e.Type = PhysicalType.ByteArray;
                buffer = new ColumnBuffer<byte[]>(path, maxDef, new BytesOps(0), null);
                break;
            case ParquetType.FixedBinary:
            {
                if (c.FixedLength <= 0)
                {
                    throw new ArgumentException($"column '{c.Name}': FixedBinary needs a positive FixedLength");
                }
                e.Type = PhysicalType.FixedLenByteArray;
                e.TypeLength = c.FixedLength;
                var length = c.FixedLength;
                buffer = new ColumnBuffer<byte[]>(path, maxDef, new BytesOps(length), (a, i) =>
                {
                    var v = ((byte[][])a)[i];
                    return v.Length == length ? v : throw new ArgumentException($"column '{c.Name}', row {i}: {v.Length} bytes, FixedLength is {length}");
                });
                break;
            }
            case ParquetType.Date:
                e.Type = PhysicalType.Int32;
                e.Logical = new LogicalType { Kind = LogicalType.Date };
                e.ConvertedType = Converted.Date;
                buffer = new ColumnBuffer<int>(path, maxDef, Numbers.Int32, (a, i) => ((DateOnly[])a)[i].DayNumber - DateOnly.FromDateTime(DateTime.UnixEpoch).DayNumber);
                break;
            case ParquetType.Timestamp:
                e.Type = PhysicalType.Int64;
                e.Logical = new LogicalType { Kind = LogicalType.Timestamp, IsAdjustedToUtc = true, Unit = 2 };
                e.ConvertedType = Converted.TimestampMicros;
                buffer = new ColumnBuffer<long>(path, maxDef, Numbers.Int64, (a, i) =>
                {
                    var t = ((DateTime[])a)[i];
                    if (t.Kind == DateTimeKind.Local)
                    {
                        t = t.ToUniversalTime();
                    }
                    return (t.Ticks - EpochTicks) / 10; // truncates sub-microsecond ticks
                });
                break;
            case ParquetType.Decimal:
            {
                if (c.Precision is < 1 or > 18 || c.Scale < 0 || c.Scale > c.Precision)
                {
                    throw new ArgumentException($"column '{c.Name}': decimal precision must be 1..18 and scale 0..precision (got {c.Precision}, {c.Scale})");
                }
                e.Logical = new LogicalType { Kind = LogicalType.Decimal, Precision = c.Precision, Scale = c.Scale };
                e.ConvertedType = Converted.Decimal;
                e.Precision = c.Precision;
                e.Scale = c.Scale;
                var factor = DecimalMath.Pow10(c.Scale);
                var limit = DecimalMath.Pow10(c.Precision);
                long Unscale(Array a, int i)
                {
                    var d = ((decimal[])a)[i] * factor;
                    if (d != decimal.Truncate(d) || Math.Abs(d) >= limit)
                    {
                        throw new ArgumentException($"column '{c.Name}', row {i}: {((decimal[])a)[i]} does not fit DECIMAL({c.Precision},{c.Scale})");
                    }
                    return (long)d;
                }
                if (c.Precision <= 9)
                {
                    e.Type = PhysicalType.Int32;
                    buffer = new ColumnBuffer<int>(path, maxDef, Numbers.Int32, (a, i) => (int)Unscale(a, i));
                }
                else
                {
                    e.Type = PhysicalType.Int64;
                    buffer = new ColumnBuffer<long>(path, maxDef, Numbers.Int64, Unscale);
                }
                break;
            }
            default:
                throw new ArgumentOutOfRangeException(nameof(c), c.Type, "unknown column type");
        }
        return (e, buffer);
    }
}

internal static class DecimalMath
{
    public static decimal Pow10(int n)
    {
        var r = 1m;
        for (var i = 0; i < n; i++)
        {
            r *= 10;
        }
        return r;
    }
}
