using SmartRegion.Parquet.Thrift;

namespace SmartRegion.Parquet.Format;

// The subset of parquet.thrift this library reads and writes. Field ids follow apache/parquet-format.
// Unknown fields are skipped on read, so files from newer writers still open.

internal enum PhysicalType { Boolean = 0, Int32 = 1, Int64 = 2, Int96 = 3, Float = 4, Double = 5, ByteArray = 6, FixedLenByteArray = 7 }

internal enum Repetition { Required = 0, Optional = 1, Repeated = 2 }

internal enum Codec { Uncompressed = 0, Snappy = 1, Gzip = 2, Lzo = 3, Brotli = 4, Lz4 = 5, Zstd = 6, Lz4Raw = 7 }

internal enum PageType { DataPage = 0, IndexPage = 1, DictionaryPage = 2, DataPageV2 = 3 }

internal static class Enc
{
    public const int Plain = 0, PlainDictionary = 2, Rle = 3, BitPacked = 4, DeltaBinaryPacked = 5,
        DeltaLengthByteArray = 6, DeltaByteArray = 7, RleDictionary = 8, ByteStreamSplit = 9;

    public static string Name(int e) => e switch
    {
        Plain => "PLAIN", PlainDictionary => "PLAIN_DICTIONARY", Rle => "RLE", BitPacked => "BIT_PACKED",
        DeltaBinaryPacked => "DELTA_BINARY_PACKED", DeltaLengthByteArray => "DELTA_LENGTH_BYTE_ARRAY",
        DeltaByteArray => "DELTA_BYTE_ARRAY", RleDictionary => "RLE_DICTIONARY", ByteStreamSplit => "BYTE_STREAM_SPLIT",
        _ => $"ENCODING_{e}",
    };
}

internal static class Converted
{
    public const int Utf8 = 0, Decimal = 5, Date = 6, TimeMillis = 7, TimeMicros = 8, TimestampMillis = 9, TimestampMicros = 10,
        Uint8 = 11, Uint16 = 12, Uint32 = 13, Uint64 = 14, Int8 = 15, Int16 = 16, Int32 = 17, Int64 = 18, Json = 19, Enum = 4;
}

/// <summary>LogicalType union, flattened: <see cref="Kind"/> is the union field id.</summary>
internal sealed class LogicalType
{
    public const int String = 1, Map = 2, List = 3, Enum = 4, Decimal = 5, Date = 6, Time = 7, Timestamp = 8, Integer = 10,
        Unknown = 11, Json = 12, Bson = 13, Uuid = 14, Float16 = 15;

    public int Kind;
    public int Scale, Precision;          // DECIMAL
    public bool IsAdjustedToUtc;          // TIME, TIMESTAMP
    public int Unit;                      // 1 millis, 2 micros, 3 nanos
    public int BitWidth;                  // INTEGER
    public bool IsSigned;

    public static LogicalType Read(CompactReader r)
    {
        var t = new LogicalType();
        r.BeginStruct();
        while (r.NextField(out var id, out var type))
        {
            if (type != CompactType.Struct)
            {
                r.Skip(type);
                continue;
            }
            t.Kind = id;
            r.BeginStruct();
            while (r.NextField(out var fid, out var ft))
            {
                switch (id, fid)
                {
                    case (Decimal, 1): t.Scale = r.ReadI32(); break;
                    case (Decimal, 2): t.Precision = r.ReadI32(); break;
                    case (Time or Timestamp, 1): t.IsAdjustedToUtc = r.ReadBool(); break;
                    case (Time or Timestamp, 2) when ft == CompactType.Struct:
                        r.BeginStruct();
                        while (r.NextField(out var uid, out var ut))
                        {
                            t.Unit = uid;
                            r.Skip(ut);
                        }
                        r.EndStruct();
                        break;
                    case (Integer, 1): t.BitWidth = (sbyte)r.ReadByte(); break;
                    case (Integer, 2): t.IsSigned = r.ReadBool(); break;
                    default: r.Skip(ft); break;
                }
            }
            r.EndStruct();
        }
        r.EndStruct();
        return t;
    }

    public void Write(CompactWriter w, short fieldId)
    {
        w.FieldStructBegin(fieldId);
        w.FieldStructBegin((short)Kind);
        switch (Kind)
        {
            case Decimal:
                w.FieldI32(1, Scale);
                w.FieldI32(2, Precision);
                break;
            case Time or Timestamp:
                w.FieldBool(1, IsAdjustedToUtc);
                w.FieldStructBegin(2);
                w.FieldStructBegin((short)Unit);
                w.EndStruct();
                w.EndStruct();
                break;
            case Integer:
                w.FieldByte(1, (byte)BitWidth);
                w.FieldBool(2, IsSigned);
                break;
        }
        w.EndStruct();
        w.EndStruct();
    }
}

internal sealed class SchemaElement
{
    public PhysicalType? Type;
    public int TypeLength;
    public Repetition? RepetitionType;
    public string Name = "";
    public int NumChildren;
    public int? ConvertedType;
    public int Scale, Precision;
    public LogicalType? Logical;

    public static SchemaElement Read(CompactReader r)
    {
        var e = new SchemaElement();
        r.BeginStruct();
        while (r.NextField(out var id, out var type))
        {
            switch (id)
            {
                case 1: e.Type = (PhysicalType)r.ReadI32(); break;
                case 2: e.TypeLength = r.ReadI32(); break;
                case 3: e.RepetitionType = (Repetition)r.ReadI32(); break;
                case 4 when type == CompactType.Binary: e.Name = r.ReadString(); break;
                case 5: e.NumChildren = r.ReadI32(); break;
                case 6: e.ConvertedType = r.ReadI32(); break;
                case 7: e.Scale = r.ReadI32(); break;
                case 8: e.Precision = r.ReadI32(); break;
                case 10 when type == CompactType.Struct: e.Logical = LogicalType.Read(r); break;
                default: r.Skip(type); break;
            }
        }
        r.EndStruct();
        return e;
    }

    public void Write(CompactWriter w)
    {
        w.BeginStruct();
        if (Type is { } t)
        {
            w.FieldI32(1, (int)t);
        }
        if (Type == PhysicalType.FixedLenByteArray)
        {
            w.FieldI32(2, TypeLength);
        }
        if (RepetitionType is { } rep)
        {
            w.FieldI32(3, (int)rep);
        }
        w.FieldString(4, Name);
        if (Type is null)
        {
            w.FieldI32(5, NumChildren);
        }
        if (ConvertedType is { } ct)
        {
            w.FieldI32(6, ct);
        }
        if (ConvertedType == Converted.Decimal)
        {
            w.FieldI32(7, Scale);
            w.FieldI32(8, Precision);
        }
        Logical?.Write(w, 10);
        w.EndStruct();
    }
}

internal sealed class Statistics
{
    public byte[]? Max, Min, MaxValue, MinValue;
    public long? NullCount, DistinctCount;

    public static Statistics Read(CompactReader r)
    {
        var s = new Statistics();
        r.BeginStruct();
        while (r.NextField(out var id, out var type))
        {
            switch (id)
            {
                case 1 when type == CompactType.Binary: s.Max = r.ReadBinary(); break;
                case 2 when type == CompactType.Binary: s.Min = r.ReadBinary(); break;
                case 3 when type == CompactType.I64: s.NullCount = r.ReadI64(); break;
                case 4 when type == CompactType.I64: s.DistinctCount = r.ReadI64(); break;
                case 5 when type == CompactType.Binary: s.MaxValue = r.ReadBinary(); break;
                case 6 when type == CompactType.Binary: s.MinValue = r.ReadBinary(); break;
                default: r.Skip(type); break;
            }
        }
        r.EndStruct();
        return s;
    }

    public void Write(CompactWriter w, short fieldId)
    {
        w.FieldStructBegin(fieldId);
        if (Max is not null)
        {
            w.FieldBinary(1, Max);
        }
        if (Min is not null)
        {
            w.FieldBinary(2, Min);
        }
        if (NullCount is { } n)
        {
            w.FieldI64(3, n);
        }
        if (MaxValue is not null)
        {
            w.FieldBinary(5, MaxValue);
        }
        if (MinValue is not null)
        {
            w.FieldBinary(6, MinValue);
        }
        w.EndStruct();
    }
}

internal sealed class ColumnMetaData
{
    public PhysicalType Type;
    public List<int> Encodings = [];
    public List<string> PathInSchema = [];
    public Codec Codec;
    public long NumValues, TotalUncompressedSize, TotalCompressedSize, DataPageOffset;
    public long? DictionaryPageOffset;
    public Statistics? Statistics;

    public static ColumnMetaData Read(CompactReader r)
    {
        var m = new ColumnMetaData();
        r.BeginStruct();
        while (r.NextField(out var id, out var type))
        {
            switch (id)
            {
                case 1: m.Type = (PhysicalType)r.ReadI32(); break;
                case 2 when type == CompactType.List:
                {
                    var n = r.ReadListHeader(out _);
                    for (var i = 0; i < n; i++)
                    {
                        m.Encodings.Add(r.ReadI32());
                    }
                    break;
                }
                case 3 when type == CompactType.List:
                {
                    var n = r.ReadListHeader(out _);
                    for (var i = 0; i < n; i++)
                    {
                        m.PathInSchema.Add(r.ReadString());
                    }
                    break;
                }
                case 4: m.Codec = (Codec)r.ReadI32(); break;
                case 5: m.NumValues = r.ReadI64(); break;
                case 6: m.TotalUncompressedSize = r.ReadI64(); break;
                case 7: m.TotalCompressedSize = r.ReadI64(); break;
                case 9: m.DataPageOffset = r.ReadI64(); break;
                case 11: m.DictionaryPageOffset = r.ReadI64(); break;
                case 12 when type == CompactType.Struct: m.Statistics = Statistics.Read(r); break;
                default: r.Skip(type); break;
            }
        }
        r.EndStruct();
        return m;
    }

    public void Write(CompactWriter w, short fieldId)
    {
        w.FieldStructBegin(fieldId);
        w.FieldI32(1, (int)Type);
        w.FieldListBegin(2, CompactType.I32, Encodings.Count);
        foreach (var e in Encodings)
        {
            w.WriteI32(e);
        }
        w.FieldListBegin(3, CompactType.Binary, PathInSchema.Count);
        foreach (var p in PathInSchema)
        {
            w.WriteString(p);
        }
        w.FieldI32(4, (int)Codec);
        w.FieldI64(5, NumValues);
        w.FieldI64(6, TotalUncompressedSize);
        w.FieldI64(7, TotalCompressedSize);
        w.FieldI64(9, DataPageOffset);
        if (DictionaryPageOffset is { } d)
        {
            w.FieldI64(11, d);
        }
        Statistics?.Write(w, 12);
        w.EndStruct();
    }
}

internal sealed class ColumnChunk
{
    public string? FilePath;
    public long FileOffset;
    public ColumnMetaData? MetaData;

    public static ColumnChunk Read(CompactReader r)
    {
        var c = new ColumnChunk();
        r.BeginStruct();
        while (r.NextField(out var id, out var type))
        {
            switch (id)
            {
                case 1 when type == CompactType.Binary: c.FilePath = r.ReadString(); break;
                case 2: c.FileOffset = r.ReadI64(); break;
                case 3 when type == CompactType.Struct: c.MetaData = ColumnMetaData.Read(r); break;
                default: r.Skip(type); break;
            }
        }
        r.EndStruct();
        return c;
    }

    public void Write(CompactWriter w)
    {
        w.BeginStruct();
        w.FieldI64(2, FileOffset);
        MetaData!.Write(w, 3);
        w.EndStruct();
    }
}

internal sealed class RowGroup
{
    public List<ColumnChunk> Columns = [];
    public long TotalByteSize, NumRows;
    public long? FileOffset, TotalCompressedSize;
    public short? Ordinal;

    public static RowGroup Read(CompactReader r)
    {
        var g = new RowGroup();
        r.BeginStruct();
        while (r.NextField(out var id, out var type))
        {
            switch (id)
            {
                case 1 when type == CompactType.List:
                {
                    var n = r.ReadListHeader(out _);
                    for (var i = 0; i < n; i++)
                    {
                        g.Columns.Add(ColumnChunk.Read(r));
                    }
                    break;
                }
                case 2: g.TotalByteSize = r.ReadI64(); break;
                case 3: g.NumRows = r.ReadI64(); break;
                case 5: g.FileOffset = r.ReadI64(); break;
                case 6: g.TotalCompressedSize = r.ReadI64(); break;
                default: r.Skip(type); break;
            }
        }
        r.EndStruct();
        return g;
    }

    public void Write(CompactWriter w)
    {
        w.BeginStruct();
        w.FieldListBegin(1, CompactType.Struct, Columns.Count);
        foreach (var c in Columns)
        {
            c.Write(w);
        }
        w.FieldI64(2, TotalByteSize);
        w.FieldI64(3, NumRows);
        if (FileOffset is { } fo)
        {
            w.FieldI64(5, fo);
        }
        if (TotalCompressedSize is { } tc)
        {
            w.FieldI64(6, tc);
        }
        if (Ordinal is { } o)
        {
            w.FieldHeader(7, CompactType.I16);
            w.WriteI32(o);
        }
        w.EndStruct();
    }
}

internal sealed class FileMetaData
{
    public int Version;
    public List<SchemaElement> Schema = [];
    public long NumRows;
    public List<RowGroup> RowGroups = [];
    public List<KeyValuePair<string, string?>> KeyValues = [];
    public string? CreatedBy;

    public static FileMetaData Read(CompactReader r)
    {
        var f = new FileMetaData();
        r.BeginStruct();
        while (r.NextField(out var id, out var type))
        {
            switch (id)
            {
                case 1: f.Version = r.ReadI32(); break;
                case 2 when type == CompactType.List:
                {
                    var n = r.ReadListHeader(out _);
                    for (var i = 0; i < n; i++)
                    {
                        f.Schema.Add(SchemaElement.Read(r));
                    }
                    break;
                }
                case 3: f.NumRows = r.ReadI64(); break;
                case 4 when type == CompactType.List:
                {
                    var n = r.ReadListHeader(out _);
                    for (var i = 0; i < n; i++)
                    {
                        f.RowGroups.Add(RowGroup.Read(r));
                    }
                    break;
                }
                case 5 when type == CompactType.List:
                {
                    var n = r.ReadListHeader(out _);
                    for (var i = 0; i < n; i++)
                    {
                        string key = "";
                        string? value = null;
                        r.BeginStruct();
                        while (r.NextField(out var kid, out var kt))
                        {
                            if (kid == 1 && kt == CompactType.Binary)
                            {
                                key = r.ReadString();
                            }
                            else if (kid == 2 && kt == CompactType.Binary)
                            {
                                value = r.ReadString();
                            }
                            else
                            {
                                r.Skip(kt);
                            }
                        }
                        r.EndStruct();
                        f.KeyValues.Add(new(key, value));
                    }
                    break;
                }
                case 6 when type == CompactType.Binary: f.CreatedBy = r.ReadString(); break;
                default: r.Skip(type); break;
            }
        }
        r.EndStruct();
        return f;
    }

    public void Write(CompactWriter w)
    {
        w.BeginStruct();
        w.FieldI32(1, Version);
        w.FieldListBegin(2, CompactType.Struct, Schema.Count);
        foreach (var s in Schema)
        {
            s.Write(w);
        }
        w.FieldI64(3, NumRows);
        w.FieldListBegin(4, CompactType.Struct, RowGroups.Count);
        foreach (var g in RowGroups)
        {
            g.Write(w);
        }
        if (KeyValues.Count > 0)
        {
            w.FieldListBegin(5, CompactType.Struct, KeyValues.Count);
            foreach (var kv in KeyValues)
            {
                w.BeginStruct();
                w.FieldString(1, kv.Key);
                if (kv.Value is not null)
                {
                    w.FieldString(2, kv.Value);
                }
                w.EndStruct();
            }
        }
        if (CreatedBy is not null)
        {
            w.FieldString(6, CreatedBy);
        }
        // column_orders: TYPE_ORDER for every leaf, so readers trust min_value/max_value.
        var leaves = Schema.Count(s => s.Type is not null);
        w.FieldListBegin(7, CompactType.Struct, leaves);
        for (var i = 0; i < leaves; i++)
        {
            w.BeginStruct();
            w.FieldStructBegin(1);
            w.EndStruct();
            w.EndStruct();
        }
        w.EndStruct();
    }
}

internal sealed class PageHeader
{
    public PageType Type;
    public int UncompressedPageSize, CompressedPageSize;
    // Data page v1 / v2 and dictionary page fields, flattened.
    public int NumValues, NumNulls, NumRows, Encoding, DefinitionLevelsByteLength, RepetitionLevelsByteLength;
    public int DefinitionLevelEncoding = Enc.Rle;
    public bool IsCompressed = true;
    public bool HasDataHeader, HasDictionaryHeader, HasV2Header;

    public static PageHeader Read(CompactReader r)
    {
        var h = new PageHeader();
        r.BeginStruct();
        while (r.NextField(out var id, out var type))
        {
            switch (id)
            {
                case 1: h.Type = (PageType)r.ReadI32(); break;
                case 2: h.UncompressedPageSize = r.ReadI32(); break;
                case 3: h.CompressedPageSize = r.ReadI32(); break;
                case 5 when type == CompactType.Struct:
                    h.HasDataHeader = true;
                    ReadSub(r, (fid, ft) =>
                    {
                        switch (fid)
                        {
                            case 1: h.NumValues = r.ReadI32(); return true;
                            case 2: h.Encoding = r.ReadI32(); return true;
                            case 3: h.DefinitionLevelEncoding = r.ReadI32(); return true;
                            default: return false;
                        }
                    });
                    break;
                case 7 when type == CompactType.Struct:
                    h.HasDictionaryHeader = true;
                    ReadSub(r, (fid, ft) =>
                    {
                        switch (fid)
                        {
                            case 1: h.NumValues = r.ReadI32(); return true;
                            case 2: h.Encoding = r.ReadI32(); return true;
                            default: return false;
                        }
                    });
                    break;
                case 8 when type == CompactType.Struct:
                    h.HasV2Header = true;
                    ReadSub(r, (fid, ft) =>
                    {
                        switch (fid)
                        {
                            case 1: h.NumValues = r.ReadI32(); return true;
                            case 2: h.NumNulls = r.ReadI32(); return true;
                            case 3: h.NumRows = r.ReadI32(); return true;
                            case 4: h.Encoding = r.ReadI32(); return true;
                            case 5: h.DefinitionLevelsByteLength = r.ReadI32(); return true;
                            case 6: h.RepetitionLevelsByteLength = r.ReadI32(); return true;
                            case 7 when ft is CompactType.BoolTrue or CompactType.BoolFalse: h.IsCompressed = r.ReadBool(); return true;
                            default: return false;
                        }
                    });
                    break;
                default: r.Skip(type); break;
            }
        }
        r.EndStruct();
        return h;
    }

    private static void ReadSub(CompactReader r, Func<short, byte, bool> field)
    {
        r.BeginStruct();
        while (r.NextField(out var id, out var type))
        {
            if (type is CompactType.Struct or CompactType.List or CompactType.Binary || !field(id, type))
            {
                r.Skip(type);
            }
        }
        r.EndStruct();
    }

    public void Write(CompactWriter w)
    {
        w.BeginStruct();
        w.FieldI32(1, (int)Type);
        w.FieldI32(2, UncompressedPageSize);
        w.FieldI32(3, CompressedPageSize);
        if (Type == PageType.DataPage)
        {
            w.FieldStructBegin(5);
            w.FieldI32(1, NumValues);
            w.FieldI32(2, Encoding);
            w.FieldI32(3, Enc.Rle);
            w.FieldI32(4, Enc.Rle);
            w.EndStruct();
        }
        else if (Type == PageType.DataPageV2)
        {
            w.FieldStructBegin(8);
            w.FieldI32(1, NumValues);
            w.FieldI32(2, NumNulls);
            w.FieldI32(3, NumRows);
            w.FieldI32(4, Encoding);
            w.FieldI32(5, DefinitionLevelsByteLength);
            w.FieldI32(6, 0);
            w.FieldBool(7, IsCompressed);
            w.EndStruct();
        }
        else if (Type == PageType.DictionaryPage)
        {
            w.FieldStructBegin(7);
            w.FieldI32(1, NumValues);
            w.FieldI32(2, Enc.Plain);
            w.EndStruct();
        }
        w.EndStruct();
    }
}
