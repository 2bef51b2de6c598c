using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.CompilerServices;

namespace SmartRegion.Parquet.Encodings;

/// <summary>
/// Builds a column chunk's dictionary over its PLAIN bytes: an open-addressing hash table of value slices, reused
/// from one row group to the next, so no value is boxed, re-encoded or hashed through an <see cref="IEqualityComparer{T}"/>.
/// Equal PLAIN bytes are equal values, which keeps -0.0 and 0.0 (and NaN payloads) apart as the format requires.
/// </summary>
internal sealed class PlainDictionary
{
    private int[] _slots = new int[1 << 10];   // dictionary index + 1; 0 marks an empty slot
    private ulong[] _keys = new ulong[1 << 9];  // fixed width: the value's bits, per dictionary index
    private uint[] _hashes = new uint[1 << 9];  // variable width: the slice's hash, per dictionary index

    /// <summary>For each dictionary index, the index of the value that first had it (its PLAIN bytes are the entry's).</summary>
    public int[] First { get; private set; } = new int[1 << 9];

    public int Count { get; private set; }

    /// <summary>Total PLAIN bytes of the dictionary's entries.</summary>
    public long Bytes { get; private set; }

    /// <summary>
    /// Assigns each of the <paramref name="n"/> values its dictionary index in <paramref name="indices"/>. Values are
    /// <paramref name="width"/> bytes each (4 or 8), or, when <paramref name="width"/> is 0, the slices between
    /// consecutive <paramref name="starts"/>. Gives up (returns false) once the dictionary passes
    /// <paramref name="maxBytes"/>, or when after 4,096 values nearly every value is new (a dictionary would not pay).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public bool TryBuild(ReadOnlySpan<byte> plain, ReadOnlySpan<int> starts, int width, int n, Span<int> indices, long maxBytes)
    {
        Count = 0;
        Bytes = 0;
        Array.Clear(_slots);
        var mask = _slots.Length - 1;
        for (var i = 0; i < n; i++)
        {
            int index;
            var added = Count;
            if (width == 8 || width == 4)
            {
                var key = width == 8 ? BinaryPrimitives.ReadUInt64LittleEndian(plain[(i * 8)..]) : BinaryPrimitives.ReadUInt32LittleEndian(plain[(i * 4)..]);
                var slot = Slot(key, mask);
                while (true)
                {
                    var s = _slots[slot];
                    if (s == 0)
                    {
                        index = Add(i, width, slot);
                        _keys[index] = key;
                        break;
                    }
                    if (_keys[s - 1] == key)
                    {
                        index = s - 1;
                        break;
                    }
                    slot = (slot + 1) & mask;
                }
            }
            else
            {
                var value = plain[starts[i]..starts[i + 1]];
                var hash = Hash(value);
                var slot = (int)hash & mask;
                while (true)
                {
                    var s = _slots[slot];
                    if (s == 0)
                    {
                        index = Add(i, value.Length, slot);
                        _hashes[index] = hash;
                        break;
                    }
                    var first = First[s - 1];
                    if (_hashes[s - 1] == hash && plain[starts[first]..starts[first + 1]].SequenceEqual(value))
                    {
                        index = s - 1;
                        break;
                    }
                    slot = (slot + 1) & mask;
                }
            }
            if (Count != added && (Bytes > maxBytes || (i >= 4096 && Count * 10L > i * 9L)))
            {
                return false;
            }
            indices[i] = index;
            if (Count * 2 > _slots.Length)
            {
                Grow(plain, starts, width);
                mask = _slots.Length - 1;
            }
        }
        return true;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private int Add(int valueIndex, int size, int slot)
    {
        var index = Count++;
        if (index == First.Length)
        {
            var length = First.Length * 2;
            First = Resize(First, length);
            _keys = Resize(_keys, length);
            _hashes = Resize(_hashes, length);
        }
        First[index] = valueIndex;
        _slots[slot] = index + 1;
        Bytes += size;
        return index;
    }

    private static TItem[] Resize<TItem>(TItem[] array, int length)
    {
        Array.Resize(ref array, length);
        return array;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Grow(ReadOnlySpan<byte> plain, ReadOnlySpan<int> starts, int width)
    {
        _slots = new int[_slots.Length * 2];
        var mask = _slots.Length - 1;
        for (var d = 0; d < Count; d++)
        {
            var slot = width is 8 or 4 ? Slot(_keys[d], mask) : (int)_hashes[d] & mask;
            while (_slots[slot] != 0)
            {
                slot = (slot + 1) & mask;
            }
            _slots[slot] = d + 1;
        }
    }

    /// <summary>
    /// Fibonacci hashing: the top bits of the product depend on every bit of the key. (The low bits would not do:
    /// decimal fractions such as 12.34 share long runs of low mantissa bits and would pile up in a few slots.)
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int Slot(ulong key, int mask) =>
        (int)((key * 0x9E3779B97F4A7C15UL) >> (64 - BitOperations.TrailingZeroCount(mask + 1)));

    /// <summary>A fast 64-bit multiply-rotate hash over 8-byte words, folded to 32 bits.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static uint Hash(ReadOnlySpan<byte> value)
    {
        var h = 0x9E3779B97F4A7C15UL ^ (ulong)value.Length;
        var i = 0;
        for (; i + 8 <= value.Length; i += 8)
        {
            h = BitOperations.RotateLeft((h ^ BinaryPrimitives.ReadUInt64LittleEndian(value[i..])) * 0xC2B2AE3D27D4EB4FUL, 31);
        }
        ulong tail = 0;
        for (var k = 0; i < value.Length; i++, k += 8)
        {
            tail |= (ulong)value[i] << k;
        }
        h = (h ^ tail) * 0x165667B19E3779F9UL;
        h ^= h >> 29;
        h *= 0x9E3779B97F4A7C15UL;
        return (uint)(h >> 32);
    }
}
