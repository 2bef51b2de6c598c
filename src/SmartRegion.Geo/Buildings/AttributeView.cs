using System.Buffers.Text;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using SmartRegion.Geo.Readers;

namespace SmartRegion.Geo.Buildings;

/// <summary>
/// A feature's attributes (one JSON object, UTF-8) as the mapper reads them: a value by name, the names. Its members are
/// found by a byte scan (a JsonDocument per feature was a fifth of the mapping); an object the scan declines (an escaped
/// key, hundreds of members, not an object) is read with a JsonDocument instead, with the same answers.
/// </summary>
internal sealed class AttributeView : IDisposable
{
    private readonly JsonObjectMembers.Member[] _members = new JsonObjectMembers.Member[256];
    private ReadOnlyMemory<byte> _json;
    private int _count;
    private JsonDocument? _document;

    /// <summary>Whether the attributes are a JSON object (anything else has no attribute).</summary>
    public bool IsObject { get; private set; }

    /// <summary>Reads <paramref name="json"/> (reusing this view: one per mapper).</summary>
    public AttributeView Read(ReadOnlyMemory<byte> json)
    {
        Dispose();
        _json = json;
        _count = JsonObjectMembers.Scan(json.Span, _members);
        IsObject = _count >= 0;
        if (_count < 0)
        {
            _document = JsonDocument.Parse(json);
            IsObject = _document.RootElement.ValueKind == JsonValueKind.Object;
        }
        return this;
    }

    /// <summary>The value named <paramref name="name"/> (the last one when the name repeats, as JsonElement does).</summary>
    public bool TryGet(string name, out AttributeValue value)
    {
        value = default;
        if (_document is { } d)
        {
            if (!IsObject || !d.RootElement.TryGetProperty(name, out var element))
            {
                return false;
            }
            value = new AttributeValue(JsonMarshal.GetRawUtf8Value(element).ToArray());
            return true;
        }
        // The name in UTF-8 once (an ASCII name, the usual case, is compared as it is), then the members from the last.
        var json = _json.Span;
        var ascii = Ascii.IsValid(name);
        Span<byte> utf8 = ascii ? [] : stackalloc byte[Encoding.UTF8.GetMaxByteCount(name.Length)];
        if (!ascii)
        {
            utf8 = utf8[..Encoding.UTF8.GetBytes(name, utf8)];
        }
        for (var i = _count - 1; i >= 0; i--)
        {
            var m = _members[i];
            var candidate = json.Slice(m.NameStart, m.NameLength);
            if (ascii ? candidate.Length == name.Length && Ascii.Equals(candidate, name) : candidate.SequenceEqual(utf8))
            {
                value = new AttributeValue(_json[m.ValueStart(json)..m.End]);
                return true;
            }
        }
        return false;
    }

    /// <summary>Whether a value is named <paramref name="name"/>.</summary>
    public bool Has(string name) => TryGet(name, out _);

    /// <summary>The names, in the file's order.</summary>
    public IEnumerable<string> Names()
    {
        if (_document is { } d)
        {
            return IsObject ? d.RootElement.EnumerateObject().Select(p => p.Name).ToList() : [];
        }
        var names = new List<string>(_count);
        for (var i = 0; i < _count; i++)
        {
            names.Add(Encoding.UTF8.GetString(_json.Span.Slice(_members[i].NameStart, _members[i].NameLength)));
        }
        return names;
    }

    public void Dispose()
    {
        _document?.Dispose();
        _document = null;
    }
}

/// <summary>One attribute value: its JSON text, UTF-8.</summary>
internal readonly struct AttributeValue(ReadOnlyMemory<byte> raw)
{
    /// <summary>The kind of JSON value (from its first character).</summary>
    public JsonValueKind Kind => raw.Span[0] switch
    {
        (byte)'"' => JsonValueKind.String,
        (byte)'{' => JsonValueKind.Object,
        (byte)'[' => JsonValueKind.Array,
        (byte)'t' => JsonValueKind.True,
        (byte)'f' => JsonValueKind.False,
        (byte)'n' => JsonValueKind.Null,
        _ => JsonValueKind.Number,
    };

    /// <summary>The value's JSON text (a string with its quotes and escapes).</summary>
    public string RawText => Encoding.UTF8.GetString(raw.Span);

    /// <summary>A string value, unescaped.</summary>
    public string GetString()
    {
        var span = raw.Span;
        if (span.IndexOf((byte)'\\') < 0)
        {
            return Encoding.UTF8.GetString(span[1..^1]);
        }
        var reader = new Utf8JsonReader(span);
        reader.Read();
        return reader.GetString()!;
    }

    /// <summary>A number value as a double (infinite beyond its range), as JsonElement gives it.</summary>
    public bool TryGetDouble(out double value)
    {
        var span = raw.Span;
        if (JsonNumber.TryParse(span, out value))
        {
            return true;
        }
        return Utf8Parser.TryParse(span, out value, out var consumed) && consumed == span.Length;
    }
}
