using SmartRegion.Parquet.Compression;
using SmartRegion.Parquet.Encodings;
using SmartRegion.Parquet.Format;
using SmartRegion.Parquet.Thrift;

namespace SmartRegion.Parquet.Reading;

/// <summary>Decodes one column chunk (all its pages) into a dense value array and a null mask.</summary>
internal static class ChunkDecoder
{
    internal sealed class Scratch
    {
        public byte[] Bytes = [];
        public MemoryBudget? Budget;
    }

    /// <summary>Where decoding is, for error messages.</summary>
    internal sealed class Position
    {
        public int Page = -1;
        public long Offset;
    }

    /// <summary>Decodes the chunk's pages; every allocation is counted in <paramref name="budget"/> first.</summary>
    public static (Array Values, bool[]? Nulls) Decode(LeafColumn leaf, ColumnMetaData meta, byte[] chunk, long chunkOffset, int rows, Position at, MemoryBudget budget)
    {
        var e = leaf.Element;
        var fixedLength = e.Type == PhysicalType.FixedLenByteArray ? e.TypeLength : 0;
        return e.Type switch
        {
            PhysicalType.Boolean => Decode(new BoolCodec(budget), leaf, meta, chunk, chunkOffset, rows, at, budget),
            PhysicalType.Int32 => Decode(new FixedCodec<int>(budget), leaf, meta, chunk, chunkOffset, rows, at, budget),
            PhysicalType.Int64 => Decode(new FixedCodec<long>(budget), leaf, meta, chunk, chunkOffset, rows, at, budget),
            PhysicalType.Int96 => Decode(new Int96Codec(budget), leaf, meta, chunk, chunkOffset, rows, at, budget),
            PhysicalType.Float => Decode(new FixedCodec<float>(budget), leaf, meta, chunk, chunkOffset, rows, at, budget),
            PhysicalType.Double => Decode(new FixedCodec<double>(budget), leaf, meta, chunk, chunkOffset, rows, at, budget),
            PhysicalType.ByteArray or PhysicalType.FixedLenByteArray when leaf.Column.Type is ParquetType.String or ParquetType.Json =>
                Decode(new BytesCodec<string>(fixedLength, LeafColumn.Utf8, sizeof(char), budget), leaf, meta, chunk, chunkOffset, rows, at, budget),
            PhysicalType.ByteArray or PhysicalType.FixedLenByteArray =>
                Decode(new BytesCodec<byte[]>(fixedLength, b => b.ToArray(), 1, budget), leaf, meta, chunk, chunkOffset, rows, at, budget),
            _ => throw new CorruptDataException($"physical type {(int?)e.Type} is unknown"),
        };
    }

    /// <summary>Decodes a statistics value (PLAIN, no length prefix for byte arrays) into the column's CLR value, or null.</summary>
    public static object? StatValue(LeafColumn leaf, byte[]? bytes)
    {
        if (bytes is null)
        {
            return null;
        }
        Array physical;
        switch (leaf.Element.Type)
        {
            case PhysicalType.Boolean when bytes.Length == 1: physical = new[] { bytes[0] != 0 }; break;
            case PhysicalType.Int32 when bytes.Length == 4: physical = new[] { BitConverter.ToInt32(bytes) }; break;
            case PhysicalType.Int64 when bytes.Length == 8: physical = new[] { BitConverter.ToInt64(bytes) }; break;
            case PhysicalType.Float when bytes.Length == 4: physical = new[] { BitConverter.ToSingle(bytes) }; break;
            case PhysicalType.Double when bytes.Length == 8: physical = new[] { BitConverter.ToDouble(bytes) }; break;
            case PhysicalType.ByteArray or PhysicalType.FixedLenByteArray:
                physical = leaf.Column.Type is ParquetType.String or ParquetType.Json ? new[] { LeafColumn.Utf8(bytes) } : new[] { bytes };
                break;
            default: return null;
        }
        try
        {
            return leaf.Convert(physical).GetValue(0);
        }
        catch (Exception ex) when (ex is CorruptDataException or UnsupportedException)
        {
            return null;
        }
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private static (Array, bool[]?) Decode<T>(ValueCodec<T> codec, LeafColumn leaf, ColumnMetaData meta, byte[] chunk, long chunkOffset, int rows, Position at,
        MemoryBudget budget)
    {
        CheckValueCount(chunk, rows);
        // A row group's row count costs memory in every column, however few bytes its pages take (a page of a million
        // nulls is a few bytes): counted here, column after column.
        budget.TakeArray(rows, MemoryBudget.ElementBytes<T>(), "the column's values (one per row of the row group)");
        var values = new T[rows];
        if (leaf.MaxDef > 0)
        {
            budget.TakeArray(rows, sizeof(bool), "the column's null flags");
        }
        var nulls = leaf.MaxDef > 0 ? new bool[rows] : null;
        T[]? dictionary = null;
        var done = 0;       // rows decoded
        var nonNull = 0;    // values decoded (compact, expanded at the end)
        var p = 0;
        var levelWidth = RleHybrid.BitWidth(leaf.MaxDef);
        int[] levels = [];
        var scratch = new Scratch { Budget = budget };
        while (p < chunk.Length && done < rows)
        {
            at.Page++;
            at.Offset = chunkOffset + p;
            var reader = new CompactReader(chunk, p, chunk.Length - p);
            var header = PageHeader.Read(reader);
            p = reader.Position;
            var compressedSize = header.CompressedPageSize;
            if (compressedSize < 0 || compressedSize > chunk.Length - p)
            {
                throw new CorruptDataException($"page says it has {compressedSize} compressed bytes but the column chunk has {chunk.Length - p} left");
            }
            var body = chunk.AsSpan(p, compressedSize);
            p += compressedSize;
            var uncompressedSize = header.UncompressedPageSize;
            if (uncompressedSize < 0 || uncompressedSize > PageCodec.MaxExpansion(meta.Codec, compressedSize))
            {
                throw new CorruptDataException($"page says it expands from {compressedSize} to {uncompressedSize} bytes, impossible with {PageCodec.CodecName(meta.Codec)}");
            }
            switch (header.Type)
            {
                case PageType.DictionaryPage:
                {
                    if (!header.HasDictionaryHeader || dictionary is not null)
                    {
                        throw new CorruptDataException(dictionary is not null ? "a second dictionary page" : "dictionary page without its header");
                    }
                    if (header.Encoding is not (Enc.Plain or Enc.PlainDictionary))
                    {
                        throw new UnsupportedException($"dictionary page encoding {Enc.Name(header.Encoding)}");
                    }
                    var data = Decompress(meta.Codec, body, uncompressedSize, scratch);
                    if (header.NumValues < 0 || header.NumValues > data.Length / codec.MinPlainBytes + 1)
                    {
                        throw new CorruptDataException($"dictionary page declares {header.NumValues} values in {data.Length} bytes");
                    }
                    budget.TakeArray(header.NumValues, MemoryBudget.ElementBytes<T>(), "the dictionary");
                    dictionary = new T[header.NumValues];
                    codec.DecodePlain(data, dictionary);
                    continue;
                }
                case PageType.DataPage or PageType.DataPageV2:
                    break;
                default:
                    continue; // index pages and unknown kinds carry nothing we need
            }
            var v2 = header.Type == PageType.DataPageV2;
            if (v2 ? !header.HasV2Header : !header.HasDataHeader)
            {
                throw new CorruptDataException("data page without its header");
            }
            var count = header.NumValues;
            if (count < 0 || count > rows - done)
            {
                throw new CorruptDataException($"page holds {count} values but only {rows - done} of the row group's {rows} rows are left");
            }
            ReadOnlySpan<byte> valuesData;
            ReadOnlySpan<byte> levelData = default;
            if (v2)
            {
                var repLength = header.RepetitionLevelsByteLength;
                var defLength = header.DefinitionLevelsByteLength;
                if (repLength != 0)
                {
                    throw new UnsupportedException("repetition levels (lists) are not supported");
                }
                if (defLength < 0 || defLength > compressedSize || defLength > uncompressedSize)
                {
                    throw new CorruptDataException($"definition levels of {defLength} bytes do not fit the page");
                }
                levelData = body[..defLength];
                var rest = body[defLength..];
                valuesData = header.IsCompressed
                    ? Decompress(meta.Codec, rest, uncompressedSize - defLength, scratch)
                    : rest;
            }
            else
            {
                valuesData = Decompress(meta.Codec, body, uncompressedSize, scratch);
                if (leaf.MaxDef > 0)
                {
                    if (header.DefinitionLevelEncoding != Enc.Rle)
                    {
                        throw new UnsupportedException($"definition level encoding {Enc.Name(header.DefinitionLevelEncoding)}");
                    }
                    var length = RleHybrid.ReadInt32LittleEndian(valuesData, 0);
                    if (length < 0 || length > valuesData.Length - 4)
                    {
                        throw new CorruptDataException($"definition levels of {length} bytes do not fit the page");
                    }
                    levelData = valuesData.Slice(4, length);
                    valuesData = valuesData[(4 + length)..];
                }
            }
            var present = count;
            if (leaf.MaxDef > 0)
            {
                if (levels.Length < count)
                {
                    budget.TakeArray(count - levels.Length, sizeof(int), "a page's definition levels");
                    levels = new int[count];
                }
                var span = levels.AsSpan(0, count);
                RleHybrid.Decode(levelData, levelWidth, span);
                present = 0;
                for (var i = 0; i < count; i++)
                {
                    var level = span[i];
                    if ((uint)level > (uint)leaf.MaxDef)
                    {
                        throw new CorruptDataException($"definition level {level} is above the column's maximum {leaf.MaxDef}");
                    }
                    var isNull = level != leaf.MaxDef;
                    nulls![done + i] = isNull;
                    present += isNull ? 0 : 1;
                }
            }
            var target = values.AsSpan(nonNull, present);
            if (header.Encoding is Enc.RleDictionary or Enc.PlainDictionary)
            {
                if (dictionary is null)
                {
                    throw new CorruptDataException("dictionary-encoded page but the column chunk has no dictionary page");
                }
                if (present > 0)
                {
                    if (valuesData.Length < 1)
                    {
                        throw new CorruptDataException("dictionary indices missing");
                    }
                    var width = valuesData[0];
                    if (width > 32)
                    {
                        throw new CorruptDataException($"dictionary index bit width {width}");
                    }
                    budget.TakeArray(present, sizeof(int), "a page's dictionary indices");
                    var indices = new int[present];
                    RleHybrid.Decode(valuesData[1..], width, indices);
                    for (var i = 0; i < present; i++)
                    {
                        var index = indices[i];
                        if ((uint)index >= (uint)dictionary.Length)
                        {
                            throw new CorruptDataException($"dictionary index {index} is out of range (the dictionary has {dictionary.Length} entries)");
                        }
                        target[i] = dictionary[index];
                    }
                    budget.GiveArray(present, sizeof(int));
                }
            }
            else
            {
                codec.Decode(header.Encoding, valuesData, target);
            }
            done += count;
            nonNull += present;
        }
        if (done != rows)
        {
            throw new CorruptDataException($"column chunk holds {done} values but the row group has {rows} rows");
        }
        // The chunk's temporaries are garbage now; its values (and the dictionary entries they share) stay.
        budget.Give(scratch.Bytes.Length + (long)levels.Length * sizeof(int) + (dictionary is null ? 0 : (long)dictionary.Length * MemoryBudget.ElementBytes<T>()));
        // Spread the compact values over their rows, from the end so nothing is overwritten before it moves.
        if (nulls is not null && nonNull < rows)
        {
            var k = nonNull;
            for (var r = rows - 1; r >= 0; r--)
            {
                values[r] = nulls[r] ? default! : values[--k];
            }
        }
        return (values, nulls);
    }

    /// <summary>Walks the page headers first, so a lying row count fails before any row-sized allocation.</summary>
    private static void CheckValueCount(byte[] chunk, int rows)
    {
        long values = 0;
        var p = 0;
        var page = 0;
        while (p < chunk.Length && values < rows)
        {
            var reader = new CompactReader(chunk, p, chunk.Length - p);
            var header = PageHeader.Read(reader);
            p = reader.Position;
            if (header.CompressedPageSize < 0 || header.CompressedPageSize > chunk.Length - p)
            {
                throw new CorruptDataException($"page {page} says it has {header.CompressedPageSize} compressed bytes but the column chunk has {chunk.Length - p} left");
            }
            p += header.CompressedPageSize;
            if (header.Type is PageType.DataPage or PageType.DataPageV2)
            {
                values += Math.Max(0, header.NumValues);
            }
            page++;
        }
        if (values != rows)
        {
            throw new CorruptDataException($"the column chunk's pages hold {values} values but the row group has {rows} rows");
        }
    }

    private static ReadOnlySpan<byte> Decompress(Codec codec, ReadOnlySpan<byte> input, int uncompressedSize, Scratch scratch)
    {
        if (codec == Codec.Uncompressed)
        {
            return input.Length == uncompressedSize ? input
                : throw new CorruptDataException($"uncompressed page holds {input.Length} bytes but its header says {uncompressedSize}");
        }
        if (uncompressedSize < 0)
        {
            throw new CorruptDataException($"negative uncompressed size {uncompressedSize}");
        }
        if (uncompressedSize == 0 && input.IsEmpty)
        {
            return [];
        }
        if (scratch.Bytes.Length < uncompressedSize)
        {
            // What the page header declares, allocated before a byte is decompressed: a page "of 1.9 GB" in 40 kB of zstd
            // stops here, as does a real bomb (the codecs never write past the declared size).
            scratch.Budget!.Take(uncompressedSize - scratch.Bytes.Length, "the page decompressed");
            scratch.Bytes = new byte[uncompressedSize];
        }
        var output = scratch.Bytes.AsSpan(0, uncompressedSize);
        PageCodec.Decompress(codec, input, output);
        return output;
    }
}
