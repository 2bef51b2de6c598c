using System.Numerics;
using System.Text;
using SmartRegion.Parquet.Format;

namespace SmartRegion.Parquet.Reading;

/// <summary>A leaf of the file's schema: where it sits, its definition level and how its values become CLR arrays.</summary>
internal sealed class LeafColumn
{
    private static readonly int EpochDay = DateOnly.FromDateTime(DateTime.UnixEpoch).DayNumber;

    public required string[] Path { get; init; }
    public required SchemaElement Element { get; init; }
    public required int MaxDef { get; init; }
    public required ParquetColumn Column { get; init; }

    public string Name => Column.Name;

    public static ParquetColumn Describe(string name, SchemaElement e, bool nullable, string? group)
    {
        var logical = e.Logical;
        var conv = e.ConvertedType;
        ParquetColumn C(ParquetType t) => new(name, t, nullable) { Group = group };
        bool IsDecimal() => logical?.Kind == LogicalType.Decimal || conv == Converted.Decimal;
        ParquetColumn Dec()
        {
            var precision = logical?.Kind == LogicalType.Decimal ? logical.Precision : e.Precision;
            var scale = logical?.Kind == LogicalType.Decimal ? logical.Scale : e.Scale;
            if (scale < 0 || scale > 28 || precision < 1 || scale > precision)
            {
                throw new UnsupportedException($"column '{name}': DECIMAL({precision},{scale}) is not supported (scale must be 0..28)");
            }
            return ParquetColumn.Decimal(name, precision, scale, nullable) with { Group = group };
        }
        switch (e.Type)
        {
            case PhysicalType.Boolean:
                return C(ParquetType.Boolean);
            case PhysicalType.Int32:
                if (IsDecimal())
                {
                    return Dec();
                }
                if (logical?.Kind == LogicalType.Date || conv == Converted.Date)
                {
                    return C(ParquetType.Date);
                }
                if (logical?.Kind == LogicalType.Integer)
                {
                    return C((logical.BitWidth, logical.IsSigned) switch
                    {
                        (8, true) => ParquetType.Int8, (16, true) => ParquetType.Int16, (8, false) => ParquetType.UInt8,
                        (16, false) => ParquetType.UInt16, (32, false) => ParquetType.UInt32, _ => ParquetType.Int32,
                    });
                }
                return C(conv switch
                {
                    Converted.Int8 => ParquetType.Int8, Converted.Int16 => ParquetType.Int16, Converted.Uint8 => ParquetType.UInt8,
                    Converted.Uint16 => ParquetType.UInt16, Converted.Uint32 => ParquetType.UInt32, _ => ParquetType.Int32,
                });
            case PhysicalType.Int64:
                if (IsDecimal())
                {
                    return Dec();
                }
                if (logical?.Kind == LogicalType.Timestamp)
                {
                    return C(ParquetType.Timestamp) with { TimestampIsUtc = logical.IsAdjustedToUtc };
                }
                if (conv is Converted.TimestampMicros or Converted.TimestampMillis)
                {
                    return C(ParquetType.Timestamp);
                }
                if ((logical?.Kind == LogicalType.Integer && !logical.IsSigned) || conv == Converted.Uint64)
                {
                    return C(ParquetType.UInt64);
                }
                return C(ParquetType.Int64);
            case PhysicalType.Int96:
                return C(ParquetType.Timestamp);
            case PhysicalType.Float:
                return C(ParquetType.Float);
            case PhysicalType.Double:
                return C(ParquetType.Double);
            case PhysicalType.ByteArray:
                if (IsDecimal())
                {
                    return Dec();
                }
                if (logical?.Kind == LogicalType.Json || conv == Converted.Json)
                {
                    return C(ParquetType.Json);
                }
                if (logical?.Kind is LogicalType.String or LogicalType.Enum || conv is Converted.Utf8 or Converted.Enum)
                {
                    return C(ParquetType.String);
                }
                return C(ParquetType.Binary);
            case PhysicalType.FixedLenByteArray:
                if (e.TypeLength <= 0)
                {
                    throw new CorruptDataException($"column '{name}': FIXED_LEN_BYTE_ARRAY of length {e.TypeLength}");
                }
                if (IsDecimal())
                {
                    return Dec();
                }
                return ParquetColumn.FixedBinary(name, e.TypeLength, nullable) with { Group = group };
            default:
                throw new CorruptDataException($"column '{name}': physical type {(int?)e.Type} is unknown");
        }
    }

    /// <summary>
    /// Turns decoded physical values (int[], long[], string[], byte[][]…) into the column's CLR array; a new array is
    /// counted in <paramref name="budget"/> and the physical one it replaces returned to it.
    /// </summary>
    public Array Convert(Array physical, MemoryBudget? budget = null)
    {
        var c = Column;
        TOut[] Map<TIn, TOut>(TIn[] input, Func<TIn, TOut> f)
        {
            budget?.TakeArray(input.Length, MemoryBudget.ElementBytes<TOut>(), "the column's converted values");
            var output = MapValues(input, f);
            budget?.GiveArray(input.Length, MemoryBudget.ElementBytes<TIn>());
            return output;
        }
        switch (c.Type)
        {
            case ParquetType.Int8: return Map((int[])physical, v => (sbyte)v);
            case ParquetType.Int16: return Map((int[])physical, v => (short)v);
            case ParquetType.UInt8: return Map((int[])physical, v => (byte)v);
            case ParquetType.UInt16: return Map((int[])physical, v => (ushort)v);
            case ParquetType.UInt32: return Map((int[])physical, v => (uint)v);
            case ParquetType.UInt64: return Map((long[])physical, v => (ulong)v);
            case ParquetType.Date: return Map((int[])physical, v => DateOnly.FromDayNumber(Math.Clamp(EpochDay + v, 0, DateOnly.MaxValue.DayNumber)));
            case ParquetType.Timestamp:
            {
                var unit = Element.Type == PhysicalType.Int96 ? 2
                    : Element.Logical?.Kind == LogicalType.Timestamp ? Element.Logical.Unit
                    : Element.ConvertedType == Converted.TimestampMillis ? 1 : 2;
                var kind = c.TimestampIsUtc ? DateTimeKind.Utc : DateTimeKind.Unspecified;
                var longs = (long[])physical;
                budget?.TakeArray(longs.Length, sizeof(long), "the column's converted values");
                var timestamps = Timestamps(longs, unit, kind);
                budget?.GiveArray(longs.Length, sizeof(long));
                return timestamps;
            }
            case ParquetType.Decimal:
            {
                var divisor = DecimalMath.Pow10(c.Scale);
                return physical switch
                {
                    int[] ints => Map(ints, v => v / divisor),
                    long[] longs => Map(longs, v => v / divisor),
                    byte[][] bytes => Map(bytes, v => v is null ? 0m : BigDecimal(v, c.Scale)),
                    _ => throw new InvalidOperationException(),
                };
            }
            default:
                return physical;
        }
    }

    /// <summary>Timestamps in milliseconds (1), microseconds (2) or nanoseconds (3) since the Unix epoch, one loop for the column.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    internal static DateTime[] Timestamps(long[] values, int unit, DateTimeKind kind)
    {
        var output = new DateTime[values.Length];
        // Range checks instead of checked arithmetic: the bounds are 0001-01-01 and 9999-12-31 in the unit (every
        // 64-bit count of nanoseconds, ±292 years around 1970, fits).
        long ticksPerUnit = unit == 1 ? 10_000 : 10;
        var epoch = DateTime.UnixEpoch.Ticks;
        var min = unit == 3 ? long.MinValue : -epoch / ticksPerUnit;
        var max = unit == 3 ? long.MaxValue : (DateTime.MaxValue.Ticks - epoch) / ticksPerUnit;
        for (var i = 0; i < values.Length; i++)
        {
            var v = values[i];
            if (v < min || v > max)
            {
                throw new CorruptDataException($"timestamp {v} is outside the years 1..9999");
            }
            output[i] = new DateTime(epoch + (unit == 3 ? v / 100 : v * ticksPerUnit), kind);
        }
        return output;
    }

    private static decimal BigDecimal(byte[] bigEndian, int scale)
    {
        if (bigEndian.Length == 0)
        {
            return 0m;
        }
        var unscaled = new BigInteger(bigEndian, isUnsigned: false, isBigEndian: true);
        if (BigInteger.Abs(unscaled) > new BigInteger(decimal.MaxValue))
        {
            throw new UnsupportedException($"decimal value {unscaled}e-{scale} does not fit a .NET decimal");
        }
        return new decimal(1, 0, 0, false, (byte)scale) * (decimal)unscaled;
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private static TOut[] MapValues<TIn, TOut>(TIn[] input, Func<TIn, TOut> f)
    {
        var output = new TOut[input.Length];
        for (var i = 0; i < input.Length; i++)
        {
            output[i] = f(input[i]);
        }
        return output;
    }

    public static string Utf8(ReadOnlySpan<byte> bytes) => bytes.Length == 0 ? "" : Encoding.UTF8.GetString(bytes);
}
