namespace SmartRegion.Data.Ingest;

/// <summary>
/// Writes a JSON object with its keys in jsonb's order (shorter keys first, then bytewise), the values untouched. jsonb sorts
/// every object's keys on input, and PostgreSQL's sort returns at once when they already are: on a bulk load (one COPY
/// backend, the load's bottleneck) that sort was a quarter of the jsonb input time, now moved to the parsing cores. The
/// stored jsonb is the same whatever the order, duplicate keys included (their relative order is kept: the last one wins).
/// </summary>
public static class JsonbKeyOrder
{
    // Objects with more keys are written as they come (PostgreSQL sorts them itself).
    private const int MaxKeys = 128;

    private readonly record struct Member(int Start, int End, int NameStart, int NameLength);

    /// <summary>
    /// Writes <paramref name="json"/> (one JSON object) into <paramref name="destination"/>, at least as long: its members in
    /// jsonb's key order, without the whitespace between them; verbatim when it is not an object, names a key with an escape
    /// (jsonb compares unescaped keys), has more than <see cref="MaxKeys"/> keys, or is in order already. Returns the length written.
    /// </summary>
    public static int Write(ReadOnlySpan<byte> json, Span<byte> destination)
    {
        Span<Member> members = stackalloc Member[MaxKeys];
        var count = Members(json, members);
        if (count < 0 || InOrder(json, members[..count]))
        {
            json.CopyTo(destination);
            return json.Length;
        }
        members = members[..count];
        // Insertion sort: stable (repeated keys keep their order) and quick for the few dozen keys of a feature.
        for (var i = 1; i < members.Length; i++)
        {
            var m = members[i];
            var j = i - 1;
            while (j >= 0 && Compare(json, members[j], m) > 0)
            {
                members[j + 1] = members[j];
                j--;
            }
            members[j + 1] = m;
        }
        var at = 0;
        destination[at++] = (byte)'{';
        for (var i = 0; i < members.Length; i++)
        {
            if (i > 0)
            {
                destination[at++] = (byte)',';
            }
            var member = json[members[i].Start..members[i].End];
            member.CopyTo(destination[at..]);
            at += member.Length;
        }
        destination[at++] = (byte)'}';
        return at;
    }

    // The top-level members (from a name's opening quote to the end of its value), or -1 when the object is written verbatim.
    // A byte scan, not a JSON reader (twice as slow here): the text was read as JSON already, anything unexpected is left as is.
    private static int Members(ReadOnlySpan<byte> json, Span<Member> members)
    {
        var i = SkipSpace(json, 0);
        if (i >= json.Length || json[i] != (byte)'{')
        {
            return -1;
        }
        i = SkipSpace(json, i + 1);
        var count = 0;
        if (i < json.Length && json[i] == (byte)'}')
        {
            return SkipSpace(json, i + 1) == json.Length ? 0 : -1;
        }
        while (i < json.Length && json[i] == (byte)'"' && count < members.Length)
        {
            var start = i;
            var nameLength = json[(i + 1)..].IndexOfAny((byte)'"', (byte)'\\');
            if (nameLength < 0 || json[i + 1 + nameLength] != (byte)'"')
            {
                return -1; // an escape in a key: jsonb compares it unescaped
            }
            i = SkipSpace(json, i + 2 + nameLength);
            if (i >= json.Length || json[i] != (byte)':')
            {
                return -1;
            }
            var end = ValueEnd(json, SkipSpace(json, i + 1));
            if (end < 0)
            {
                return -1;
            }
            members[count++] = new Member(start, end, start + 1, nameLength);
            i = SkipSpace(json, end);
            if (i < json.Length && json[i] == (byte)'}')
            {
                return SkipSpace(json, i + 1) == json.Length ? count : -1;
            }
            if (i >= json.Length || json[i] != (byte)',')
            {
                return -1;
            }
            i = SkipSpace(json, i + 1);
        }
        return -1;
    }

    // The end (exclusive) of the value starting at i: past its closing quote or bracket, or past its last character.
    private static int ValueEnd(ReadOnlySpan<byte> json, int i)
    {
        var depth = 0;
        while (i < json.Length)
        {
            var next = json[i..].IndexOfAny(Structural);
            if (next < 0)
            {
                return depth == 0 ? json.Length : -1;
            }
            i += next;
            switch (json[i])
            {
                case (byte)'"':
                    i = StringEnd(json, i + 1);
                    if (i < 0)
                    {
                        return -1;
                    }
                    if (depth == 0)
                    {
                        return i;
                    }
                    continue;
                case (byte)'{' or (byte)'[':
                    depth++;
                    break;
                case (byte)'}' or (byte)']':
                    if (depth == 0)
                    {
                        return TrimEnd(json, i); // the enclosing object's end: a number, true, false or null ends before
                    }
                    if (--depth == 0)
                    {
                        return i + 1;
                    }
                    break;
                default: // ','
                    if (depth == 0)
                    {
                        return TrimEnd(json, i);
                    }
                    break;
            }
            i++;
        }
        return -1;
    }

    private static readonly System.Buffers.SearchValues<byte> Structural = System.Buffers.SearchValues.Create("\"{}[],"u8);

    // Past the closing quote of the string whose content starts at i.
    private static int StringEnd(ReadOnlySpan<byte> json, int i)
    {
        while (i < json.Length)
        {
            var next = json[i..].IndexOfAny((byte)'"', (byte)'\\');
            if (next < 0)
            {
                return -1;
            }
            i += next;
            if (json[i] == (byte)'"')
            {
                return i + 1;
            }
            i += 2; // an escaped character
        }
        return -1;
    }

    private static int SkipSpace(ReadOnlySpan<byte> json, int i)
    {
        while (i < json.Length && json[i] is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n')
        {
            i++;
        }
        return i;
    }

    private static int TrimEnd(ReadOnlySpan<byte> json, int end)
    {
        while (end > 0 && json[end - 1] is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n')
        {
            end--;
        }
        return end;
    }

    private static bool InOrder(ReadOnlySpan<byte> json, ReadOnlySpan<Member> members)
    {
        for (var i = 1; i < members.Length; i++)
        {
            if (Compare(json, members[i - 1], members[i]) > 0)
            {
                return false;
            }
        }
        return true;
    }

    // jsonb's key order (lengthCompareJsonbStringValue): by length in bytes, then bytewise.
    private static int Compare(ReadOnlySpan<byte> json, Member a, Member b) =>
        a.NameLength != b.NameLength
            ? a.NameLength.CompareTo(b.NameLength)
            : json.Slice(a.NameStart, a.NameLength).SequenceCompareTo(json.Slice(b.NameStart, b.NameLength));
}
