using SmartRegion.Parquet.Compression;
using SmartRegion.Parquet.Encodings;
using SmartRegion.Parquet.Format;
using SmartRegion.Parquet.Thrift;

namespace SmartRegion.Parquet.Writing;

/// <summary>Shared scratch space and settings for encoding column chunks.</summary>
internal sealed class ChunkContext(ParquetWriterOptions options, Codec codec)
{
    public ParquetWriterOptions Options { get; } = options;
    public Codec Codec { get; } = codec;
    public ByteBuffer Chunk { get; } = new(1 << 16);
    public ByteBuffer Body { get; } = new(1 << 16);
    public ByteBuffer Compressed { get; } = new(1 << 16);
    public CompactWriter Header { get; } = new();
    public ByteBuffer LevelBytes { get; } = new(1 << 12);
    public int[] Levels = new int[1024];
}

/// <summary>One column's buffered values for the current row group; knows how to encode itself as a column chunk.</summary>
internal abstract class ColumnBuffer(string[] path, int maxDef)
{
    protected bool[] Present = new bool[1024];

    public string[] Path { get; } = path;

    public int MaxDef { get; } = maxDef;

    public int Rows { get; protected set; }

    /// <summary>False for WKB geometry, whose byte order says nothing useful and would only bloat the footer.</summary>
    public bool MinMaxStatistics { get; set; } = true;

    public int NonNull { get; protected set; }

    public abstract long EstimatedBytes { get; }

    public abstract PhysicalType Type { get; }

    public abstract void Append(ColumnData data, int offset, int count, string columnName);

    public void AppendNull()
    {
        EnsureRows(Rows + 1);
        Present[Rows++] = false;
    }

    public virtual void Reset()
    {
        Rows = 0;
        NonNull = 0;
    }

    /// <summary>Encodes the buffered rows at file offset <paramref name="fileOffset"/> into <c>ctx.Chunk</c>; returns the metadata.</summary>
    public abstract ColumnMetaData Encode(ChunkContext ctx, long fileOffset);

    protected void EnsureRows(int n)
    {
        if (n > Present.Length)
        {
            Array.Resize(ref Present, Math.Max(n, Present.Length * 2));
        }
    }
}

internal sealed class ColumnBuffer<T>(string[] path, int maxDef, PhysicalOps<T> ops, Func<Array, int, T>? convert)
    : ColumnBuffer(path, maxDef) where T : notnull
{
    private T[] _values = new T[1024];
    private long _variableBytes;

    public override PhysicalType Type => ops.Type;

    public override long EstimatedBytes => ops.FixedSize > 0 ? (long)NonNull * ops.FixedSize + Rows / 8 : _variableBytes + Rows / 8;

    public override void Reset()
    {
        base.Reset();
        _variableBytes = 0;
        if (!typeof(T).IsValueType)
        {
            Array.Clear(_values, 0, _values.Length); // let the row group's strings and byte arrays be collected
        }
    }

    public void AppendValue(T value)
    {
        EnsureRows(Rows + 1);
        EnsureValues(NonNull + 1);
        Present[Rows++] = true;
        _values[NonNull++] = value;
        if (ops.FixedSize == 0)
        {
            _variableBytes += EstimateSize(value);
        }
    }

    private static int EstimateSize(T value) => value switch
    {
        string s => 4 + s.Length,
        byte[] b => 4 + b.Length,
        _ => 8,
    };

    public override void Append(ColumnData data, int offset, int count, string columnName)
    {
        EnsureRows(Rows + count);
        EnsureValues(NonNull + count);
        var src = data.Values;
        var nulls = data.Nulls;
        if (nulls is null && convert is null && src is T[] same && typeof(T).IsValueType)
        {
            Array.Copy(same, offset, _values, NonNull, count);
            Present.AsSpan(Rows, count).Fill(true);
            Rows += count;
            NonNull += count;
            return;
        }
        var refs = src as object?[];
        for (var i = offset; i < offset + count; i++)
        {
            var isNull = (nulls is not null && nulls[i]) || (refs is not null && refs[i] is null);
            if (isNull)
            {
                if (MaxDef == 0)
                {
                    throw new ArgumentException($"column '{columnName}' is not nullable but row {i} of the batch is null");
                }
                Present[Rows++] = false;
                continue;
            }
            var v = convert is null ? ((T[])src)[i] : convert(src, i);
            Present[Rows++] = true;
            _values[NonNull++] = v;
            if (ops.FixedSize == 0)
            {
                _variableBytes += EstimateSize(v);
            }
        }
    }

    private void EnsureValues(int n)
    {
        if (n > _values.Length)
        {
            Array.Resize(ref _values, Math.Max(n, _values.Length * 2));
        }
    }

    public override ColumnMetaData Encode(ChunkContext ctx, long fileOffset)
    {
        var options = ctx.Options;
        var values = _values.AsSpan(0, NonNull);
        var chunk = ctx.Chunk;
        chunk.Clear();
        long uncompressedTotal = 0;

        // Dictionary: worth it only when smaller than PLAIN and small enough to keep in memory.
        long plainBytes = ops.FixedSize > 0 ? (long)NonNull * ops.FixedSize : 0;
        Dictionary<T, int>? dict = null;
        List<T>? dictValues = null;
        int[]? indices = null;
        if (options.Dictionary && ops.CanDictionary && NonNull > 0)
        {
            dict = new Dictionary<T, int>(ops.Comparer);
            dictValues = [];
            indices = new int[NonNull];
            long dictBytes = 0;
            for (var i = 0; i < NonNull; i++)
            {
                var v = values[i];
                var size = ops.FixedSize > 0 ? ops.FixedSize : ops.PlainSize(v);
                if (ops.FixedSize == 0)
                {
                    plainBytes += size;
                }
                if (!dict.TryGetValue(v, out var index))
                {
                    index = dict.Count;
                    dict.Add(v, index);
                    dictValues.Add(v);
                    dictBytes += size;
                    if (dictBytes > options.DictionaryMaxBytes || (i >= 4096 && dict.Count * 10L > i * 9L))
                    {
                        dict = null;
                        break;
                    }
                }
                indices[i] = index;
            }
            if (dict is not null)
            {
                var bits = Math.Max(1, RleHybrid.BitWidth(dict.Count - 1));
                var dictEstimate = dictBytes + (long)NonNull * bits / 8 + 16;
                if (dictEstimate >= plainBytes)
                {
                    dict = null;
                }
            }
        }
        if (dict is null && ops.FixedSize == 0)
        {
            plainBytes = _variableBytes; // close enough to size the pages, without another pass over the values
        }

        var stats = Statistics(dict is null ? values : System.Runtime.InteropServices.CollectionsMarshal.AsSpan(dictValues), options);

        long? dictionaryOffset = null;
        if (dict is not null)
        {
            dictionaryOffset = fileOffset + chunk.Length;
            ctx.Body.Clear();
            ops.WritePlain(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(dictValues), ctx.Body);
            uncompressedTotal += WritePage(ctx, PageType.DictionaryPage, dictValues!.Count, Enc.Plain);
        }
        var dataOffset = fileOffset + chunk.Length;

        // Split into pages of about PageBytes, by rows.
        var bytesPerRow = (double)(dict is null ? plainBytes : (long)NonNull * Math.Max(1, RleHybrid.BitWidth(dict.Count - 1)) / 8 + 1) / Math.Max(1, Rows);
        var rowsPerPage = (int)Math.Clamp(options.PageBytes / Math.Max(bytesPerRow, 0.01), 1, Math.Max(1, Rows));
        var bitWidth = dict is null ? 0 : Math.Max(1, RleHybrid.BitWidth(dict.Count - 1));
        var v0 = 0;
        var r0 = 0;
        do
        {
            var r1 = Math.Min(Rows, r0 + rowsPerPage);
            var body = ctx.Body;
            body.Clear();
            var present = 0;
            if (MaxDef > 0)
            {
                if (ctx.Levels.Length < r1 - r0)
                {
                    ctx.Levels = new int[r1 - r0];
                }
                var levels = ctx.Levels.AsSpan(0, r1 - r0);
                for (var r = r0; r < r1; r++)
                {
                    var p = Present[r];
                    levels[r - r0] = p ? MaxDef : 0;
                    present += p ? 1 : 0;
                }
                if (options.DataPageV2)
                {
                    // v2 keeps the levels outside the compressed section, with their length in the header.
                    ctx.LevelBytes.Clear();
                    RleHybrid.Encode(levels, RleHybrid.BitWidth(MaxDef), ctx.LevelBytes);
                }
                else
                {
                    var lengthAt = body.Length;
                    body.Length += 4;
                    RleHybrid.Encode(levels, RleHybrid.BitWidth(MaxDef), body);
                    System.Buffers.Binary.BinaryPrimitives.WriteInt32LittleEndian(body.Array.AsSpan(lengthAt), body.Length - lengthAt - 4);
                }
            }
            else
            {
                present = r1 - r0;
            }
            var v1 = v0 + present;
            if (dict is not null)
            {
                body.WriteByte((byte)bitWidth);
                RleHybrid.Encode(indices.AsSpan(v0, v1 - v0), bitWidth, body);
            }
            else
            {
                ops.WritePlain(values[v0..v1], body);
            }
            var encoding = dict is null ? Enc.Plain : Enc.RleDictionary;
            uncompressedTotal += options.DataPageV2
                ? WritePage(ctx, PageType.DataPageV2, r1 - r0, encoding, MaxDef > 0 ? ctx.LevelBytes.Span : [], r1 - r0 - present)
                : WritePage(ctx, PageType.DataPage, r1 - r0, encoding);
            v0 = v1;
            r0 = r1;
        }
        while (r0 < Rows);

        return new ColumnMetaData
        {
            Type = ops.Type,
            Encodings = dict is null ? [Enc.Plain, Enc.Rle] : [Enc.Plain, Enc.Rle, Enc.RleDictionary],
            PathInSchema = [.. Path],
            Codec = ctx.Codec,
            NumValues = Rows,
            TotalUncompressedSize = uncompressedTotal,
            TotalCompressedSize = chunk.Length,
            DataPageOffset = dataOffset,
            DictionaryPageOffset = dictionaryOffset,
            Statistics = stats,
        };
    }

    /// <summary>Compresses <c>ctx.Body</c> and appends header + page to the chunk; returns the uncompressed page size with header.</summary>
    private static int WritePage(ChunkContext ctx, PageType type, int numValues, int encoding, ReadOnlySpan<byte> v2Levels = default, int v2Nulls = 0)
    {
        var body = ctx.Body.Span;
        // An empty v2 values section (an all-null page) is stored as is: GZipStream would write nothing at all for it.
        var compress = !(type == PageType.DataPageV2 && body.Length == 0);
        PageCodec.Compress(compress ? ctx.Codec : Codec.Uncompressed, body, ctx.Compressed);
        var header = new PageHeader
        {
            IsCompressed = compress,
            Type = type,
            UncompressedPageSize = v2Levels.Length + body.Length,
            CompressedPageSize = v2Levels.Length + ctx.Compressed.Length,
            NumValues = numValues,
            NumNulls = v2Nulls,
            NumRows = numValues,
            DefinitionLevelsByteLength = v2Levels.Length,
            Encoding = encoding,
        };
        ctx.Header.Reset();
        header.Write(ctx.Header);
        ctx.Chunk.Write(ctx.Header.Written);
        ctx.Chunk.Write(v2Levels);
        ctx.Chunk.Write(ctx.Compressed.Span);
        return ctx.Header.Length + header.UncompressedPageSize;
    }

    private Statistics Statistics(ReadOnlySpan<T> candidates, ParquetWriterOptions options)
    {
        var stats = new Statistics { NullCount = Rows - NonNull };
        if (!MinMaxStatistics)
        {
            return stats;
        }
        var found = false;
        T min = default!, max = default!;
        foreach (var v in candidates)
        {
            if (!ops.Orderable(v))
            {
                continue;
            }
            if (!found)
            {
                min = max = v;
                found = true;
                continue;
            }
            if (ops.Compare(v, min) < 0)
            {
                min = v;
            }
            if (ops.Compare(v, max) > 0)
            {
                max = v;
            }
        }
        if (!found)
        {
            return stats;
        }
        // The spec asks writers to widen a zero bound so readers never skip -0.0 or +0.0 wrongly.
        if (min is double dmin && dmin == 0)
        {
            min = (T)(object)-0.0;
        }
        if (max is double dmax && dmax == 0)
        {
            max = (T)(object)0.0;
        }
        if (min is float fmin && fmin == 0)
        {
            min = (T)(object)-0.0f;
        }
        if (max is float fmax && fmax == 0)
        {
            max = (T)(object)0.0f;
        }
        var minBytes = ops.StatisticBytes(min);
        var maxBytes = ops.StatisticBytes(max);
        if (minBytes.Length > options.MaxStatisticsBytes || maxBytes.Length > options.MaxStatisticsBytes)
        {
            return stats;
        }
        stats.MinValue = minBytes;
        stats.MaxValue = maxBytes;
        if (ops.SignedOrder)
        {
            stats.Min = minBytes;
            stats.Max = maxBytes;
        }
        return stats;
    }
}
