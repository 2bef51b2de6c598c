using System.Buffers;

namespace SmartRegion.Geo.Readers;

/// <summary>
/// Finds the members of a JSON object (a feature's attributes) by one byte scan, without a DOM or a JSON reader (both were
/// several times slower here). The text must have been read as JSON already: anything unexpected gives up (-1) rather than
/// guess, and the caller falls back to a JSON reader.
/// </summary>
public static class JsonObjectMembers
{
    /// <summary>One member: from its name's opening quote to the end of its value; the name without quotes (never escaped).</summary>
    public readonly record struct Member(int Start, int End, int NameStart, int NameLength)
    {
        /// <summary>Where the value starts (after the colon and any space).</summary>
        public int ValueStart(ReadOnlySpan<byte> json)
        {
            var i = NameStart + NameLength + 1;
            while (json[i] is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n' or (byte)':')
            {
                i++;
            }
            return i;
        }
    }

    /// <summary>
    /// The top-level members of <paramref name="json"/> (one JSON object) into <paramref name="members"/>, in order; their
    /// count, or -1 when the text is not an object, a key holds an escape, or there are more members than room.
    /// </summary>
    public static int Scan(ReadOnlySpan<byte> json, Span<Member> members)
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

    private static readonly SearchValues<byte> Structural = SearchValues.Create("\"{}[],"u8);

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
}
