using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
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

    /// <summary>The chunk's PLAIN bytes (byte-array columns) and where each value starts in them.</summary>
    public ByteBuffer Plain { get; } = new(1 << 16);
    public int[] Starts = new int[1024];

    /// <summary>Each value's dictionary index, when the chunk is dictionary-encoded.</summary>
    public int[] Indices = new int[1024];
    public PlainDictionary Dictionary { get; } = new();
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

    /// <summary>The row (within the row group) of the <paramref name="k"/>-th non-null value; for error messages only.</summary>
    public int RowOfValue(int k)
    {
        for (var r = 0; r < Rows; r++)
        {
            if (Present[r] && k-- == 0)
            {
                return r;
            }
        }
        return -1;
    }

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

    /// <summary>Min/max of fixed-width or boolean values, over all values or the dictionary entries' first values (<paramref name="candidates"/>).</summary>
    protected abstract (byte[] Min, byte[] Max)? NumericMinMax(ReadOnlySpan<int> candidates);

    /// <summary>PLAIN-encodes values [v0, v1) of a <see cref="PlainLayout.Bits"/> column into <paramref name="body"/>.</summary>
    protected abstract void WriteBitsPage(int v0, int v1, ByteBuffer body);

    /// <summary>Shows values [v0, v1) to the page observer, if any, once their page is encoded.</summary>
    protected abstract void ObservePage(int v0, int v1);

    /// <summary>
    /// Everything after the PLAIN bytes exist, the same for every value type (so it is compiled once, not per type):
    /// dictionary choice, statistics, pages split by rows, each compressed straight from where its bytes lie.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    protected ColumnMetaData EncodeChunk(ChunkContext ctx, long fileOffset, PhysicalType type, PlainLayout layout, int size, bool canDictionary, int prefixBytes, ReadOnlySpan<byte> plain)
    {
        var options = ctx.Options;
        var chunk = ctx.Chunk;
        chunk.Clear();
        long uncompressedTotal = 0;
        var starts = ctx.Starts;
        long plainBytes = layout == PlainLayout.Bits ? (long)NonNull * size : plain.Length;

        // Dictionary: worth it only when smaller than PLAIN and small enough to keep in memory.
        var dictionary = ctx.Dictionary;
        var useDictionary = false;
        var indices = ctx.Indices;
        if (options.Dictionary && canDictionary && NonNull > 0)
        {
            if (indices.Length < NonNull)
            {
                ctx.Indices = indices = new int[Math.Max(NonNull, indices.Length * 2)];
            }
            useDictionary = dictionary.TryBuild(plain, starts, layout == PlainLayout.Fixed ? size : 0, NonNull, indices, options.DictionaryMaxBytes)
                && dictionary.Bytes + (long)NonNull * Math.Max(1, RleHybrid.BitWidth(dictionary.Count - 1)) / 8 + 16 < plainBytes;
        }

        var candidates = useDictionary ? dictionary.First.AsSpan(0, dictionary.Count) : default;
        var stats = new Statistics { NullCount = Rows - NonNull };
        if (MinMaxStatistics && NonNull > 0
            && (layout == PlainLayout.Variable ? BytesMinMax(plain, starts, prefixBytes, candidates) : NumericMinMax(candidates)) is (var min, var max)
            && min.Length <= options.MaxStatisticsBytes && max.Length <= options.MaxStatisticsBytes)
        {
            stats.MinValue = min;
            stats.MaxValue = max;
            if (SignedOrder)
            {
                stats.Min = min;
                stats.Max = max;
            }
        }

        long? dictionaryOffset = null;
        if (useDictionary)
        {
            dictionaryOffset = fileOffset + chunk.Length;
            var body = ctx.Body;
            body.Clear();
            foreach (var first in candidates)
            {
                body.Write(layout == PlainLayout.Fixed ? plain.Slice(first * size, size) : plain[starts[first]..starts[first + 1]]);
            }
            uncompressedTotal += WritePage(ctx, body.Span, PageType.DictionaryPage, dictionary.Count, Enc.Plain);
        }
        var dataOffset = fileOffset + chunk.Length;

        // Split into pages of about PageBytes, by rows.
        var bitWidth = useDictionary ? Math.Max(1, RleHybrid.BitWidth(dictionary.Count - 1)) : 0;
        var bytesPerRow = (double)(useDictionary ? (long)NonNull * bitWidth / 8 + 1 : plainBytes) / Math.Max(1, Rows);
        var rowsPerPage = (int)Math.Clamp(options.PageBytes / Math.Max(bytesPerRow, 0.01), 1, Math.Max(1, Rows));
        var v0 = 0;
        var r0 = 0;
        do
        {
            var r1 = Math.Min(Rows, r0 + rowsPerPage);
            var body = ctx.Body;
            body.Clear();
            var present = r1 - r0;
            var levelsInBody = MaxDef > 0 && !options.DataPageV2;
            if (MaxDef > 0)
            {
                present = EncodeLevels(ctx, r0, r1, levelsInBody ? body : ctx.LevelBytes);
            }
            var v1 = v0 + present;
            ReadOnlySpan<byte> page;
            if (useDictionary)
            {
                body.WriteByte((byte)bitWidth);
                RleHybrid.Encode(indices.AsSpan(v0, v1 - v0), bitWidth, body);
                page = body.Span;
            }
            else if (layout == PlainLayout.Bits)
            {
                WriteBitsPage(v0, v1, body);
                page = body.Span;
            }
            else
            {
                // Without levels in front, the page is a slice of the chunk's PLAIN bytes, compressed from where it lies.
                var slice = layout == PlainLayout.Fixed ? plain[(v0 * size)..(v1 * size)] : plain[starts[v0]..starts[v1]];
                if (levelsInBody)
                {
                    body.Write(slice);
                    page = body.Span;
                }
                else
                {
                    page = slice;
                }
            }
            ObservePage(v0, v1);
            var encoding = useDictionary ? Enc.RleDictionary : Enc.Plain;
            uncompressedTotal += options.DataPageV2
                ? WritePage(ctx, page, PageType.DataPageV2, r1 - r0, encoding, MaxDef > 0 ? ctx.LevelBytes.Span : [], r1 - r0 - present)
                : WritePage(ctx, page, PageType.DataPage, r1 - r0, encoding);
            v0 = v1;
            r0 = r1;
        }
        while (r0 < Rows);

        return new ColumnMetaData
        {
            Type = type,
            Encodings = useDictionary ? [Enc.Plain, Enc.Rle, Enc.RleDictionary] : [Enc.Plain, Enc.Rle],
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

    /// <summary>Whether the deprecated min/max fields (signed order) may also be written.</summary>
    protected abstract bool SignedOrder { get; }

    /// <summary>Min/max of byte arrays in unsigned byte order (Parquet's order for them), over their PLAIN slices less the length prefix.</summary>
    private (byte[] Min, byte[] Max) BytesMinMax(ReadOnlySpan<byte> plain, ReadOnlySpan<int> starts, int prefix, ReadOnlySpan<int> candidates)
    {
        var count = candidates.IsEmpty ? NonNull : candidates.Length;
        ReadOnlySpan<byte> min = default, max = default;
        for (var k = 0; k < count; k++)
        {
            var i = candidates.IsEmpty ? k : candidates[k];
            var v = plain[(starts[i] + prefix)..starts[i + 1]];
            if (k == 0)
            {
                min = max = v;
            }
            else if (v.SequenceCompareTo(min) < 0)
            {
                min = v;
            }
            else if (v.SequenceCompareTo(max) > 0)
            {
                max = v;
            }
        }
        return (min.ToArray(), max.ToArray());
    }

    /// <summary>
    /// Writes the definition levels of rows [r0, r1) to <paramref name="output"/> (v1: after a 4-byte length, in the
    /// page body; v2: on their own); returns how many of those rows hold a value.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private int EncodeLevels(ChunkContext ctx, int r0, int r1, ByteBuffer output)
    {
        if (ctx.Levels.Length < r1 - r0)
        {
            ctx.Levels = new int[r1 - r0];
        }
        var levels = ctx.Levels.AsSpan(0, r1 - r0);
        var present = 0;
        for (var r = r0; r < r1; r++)
        {
            var p = Present[r];
            levels[r - r0] = p ? MaxDef : 0;
            present += p ? 1 : 0;
        }
        if (ReferenceEquals(output, ctx.LevelBytes))
        {
            output.Clear();
            RleHybrid.Encode(levels, RleHybrid.BitWidth(MaxDef), output);
        }
        else
        {
            var lengthAt = output.Length;
            output.Length += 4;
            RleHybrid.Encode(levels, RleHybrid.BitWidth(MaxDef), output);
            BinaryPrimitives.WriteInt32LittleEndian(output.Array.AsSpan(lengthAt), output.Length - lengthAt - 4);
        }
        return present;
    }

    /// <summary>Compresses <paramref name="body"/> and appends header + page to the chunk; returns the uncompressed page size with header.</summary>
    private static int WritePage(ChunkContext ctx, ReadOnlySpan<byte> body, PageType type, int numValues, int encoding, ReadOnlySpan<byte> v2Levels = default, int v2Nulls = 0)
    {
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

    /// <summary>The buffered non-null values, in row order.</summary>
    public ReadOnlySpan<T> Values => _values.AsSpan(0, NonNull);

    /// <summary>Sees each data page's values (and the index of the first) right after they are encoded, while they are still in cache.</summary>
    public Action<ReadOnlySpan<T>, int>? PageObserver { get; set; }

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

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int EstimateSize(T value) => value switch
    {
        string s => 4 + s.Length,
        byte[] b => 4 + b.Length,
        _ => 8,
    };

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public override void Append(ColumnData data, int offset, int count, string columnName)
    {
        EnsureRows(Rows + count);
        EnsureValues(NonNull + count);
        var src = data.Values;
        var nulls = data.Nulls;
        if (nulls is null && convert is null && src is T[] same && (typeof(T).IsValueType || NoNulls(same, offset, count)))
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

    /// <summary>True when no value in the range is null; adds the range's sizes as it checks, since the copy that follows takes them all.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private bool NoNulls(T[] values, int offset, int count)
    {
        long bytes = 0;
        foreach (var v in values.AsSpan(offset, count))
        {
            if (v is null)
            {
                return false;
            }
            bytes += EstimateSize(v);
        }
        _variableBytes += bytes;
        return true;
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
        // The PLAIN bytes of the whole chunk, made once: fixed-width values are their own PLAIN bytes, byte arrays
        // are encoded into one buffer. The dictionary, the statistics and the pages all read these bytes.
        var values = _values.AsSpan(0, NonNull);
        ReadOnlySpan<byte> plain = default;
        if (ops.Layout == PlainLayout.Fixed)
        {
            plain = MemoryMarshal.CreateReadOnlySpan(ref Unsafe.As<T, byte>(ref MemoryMarshal.GetReference(values)), NonNull * ops.FixedSize);
        }
        else if (ops.Layout == PlainLayout.Variable)
        {
            if (ctx.Starts.Length < NonNull + 1)
            {
                ctx.Starts = new int[Math.Max(NonNull + 1, ctx.Starts.Length * 2)];
            }
            ctx.Plain.Clear();
            ops.WritePlain(values, ctx.Plain, ctx.Starts);
            plain = ctx.Plain.Span;
        }
        return EncodeChunk(ctx, fileOffset, ops.Type, ops.Layout, ops.FixedSize, ops.CanDictionary, ops.PrefixBytes, plain);
    }

    protected override bool SignedOrder => ops.SignedOrder;

    protected override void WriteBitsPage(int v0, int v1, ByteBuffer body) => ops.WritePlain(_values.AsSpan(v0, v1 - v0), body);

    protected override void ObservePage(int v0, int v1) => PageObserver?.Invoke(_values.AsSpan(v0, v1 - v0), v0);

    protected override (byte[] Min, byte[] Max)? NumericMinMax(ReadOnlySpan<int> candidates)
    {
        var values = _values.AsSpan(0, NonNull);
        bool found;
        T min, max;
        if (!candidates.IsEmpty || !MinMax.TryNumbers<T>(values, ops.SignedOrder, out min, out max, out found))
        {
            (found, min, max) = MinMaxOf(values, candidates);
        }
        if (!found)
        {
            return null;
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
        return (ops.StatisticBytes(min), ops.StatisticBytes(max));
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private (bool Found, T Min, T Max) MinMaxOf(ReadOnlySpan<T> values, ReadOnlySpan<int> candidates)
    {
        var found = false;
        T min = default!, max = default!;
        var count = candidates.IsEmpty ? values.Length : candidates.Length;
        for (var k = 0; k < count; k++)
        {
            var v = values[candidates.IsEmpty ? k : candidates[k]];
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
        return (found, min, max);
    }
}
