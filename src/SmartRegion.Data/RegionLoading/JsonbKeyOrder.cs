using SmartRegion.Geo.Readers;
using Member = SmartRegion.Geo.Readers.JsonObjectMembers.Member;

namespace SmartRegion.Data.RegionLoading;

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

    /// <summary>
    /// Writes <paramref name="json"/> (one JSON object) into <paramref name="destination"/>, at least as long: its members in
    /// jsonb's key order, without the whitespace between them; verbatim when it is not an object, names a key with an escape
    /// (jsonb compares unescaped keys), has more than <see cref="MaxKeys"/> keys, or is in order already. Returns the length written.
    /// </summary>
    public static int Write(ReadOnlySpan<byte> json, Span<byte> destination)
    {
        Span<Member> members = stackalloc Member[MaxKeys];
        var count = JsonObjectMembers.Scan(json, members);
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
