using System.Text;
using System.Text.Json;

namespace SmartRegion.Geo.Readers;

/// <summary>
/// Splits a GeoJSON file into features without loading it: a FeatureCollection, a single Feature, or GeoJSONSeq /
/// newline-delimited features (RFC 8142 record separators allowed). Memory is one buffer that holds the largest feature.
/// </summary>
/// <remarks>
/// Each feature comes out as its own UTF-8 bytes so that parsing can run on other threads. The legacy <c>crs</c> member
/// is read when it precedes the features (GDAL and QGIS write it first).
/// </remarks>
public sealed class GeoJsonFeatureStream : IDisposable
{
    private const int InitialBuffer = 1 << 20;
    private readonly Stream _stream;
    private readonly string _where;
    private readonly int _maxFeatureBytes;
    private readonly bool _ownsStream;
    private byte[] _buffer = new byte[InitialBuffer];
    private int _start;          // first byte still needed
    private int _end;            // end of valid data
    private long _consumedBefore; // file offset of _buffer[0]
    private bool _eof;
    private JsonReaderState _state = new(new JsonReaderOptions { AllowMultipleValues = true, CommentHandling = JsonCommentHandling.Skip, MaxDepth = 256 });
    private Mode _mode = Mode.TopLevel;
    private int _objectStart = -1; // start of the top-level object while we do not yet know if it is a Feature
    private string? _topType;
    private int _featureCount;
    private bool _checkedStart;
    // The reader state right after a feature of the features array: the same after every feature (same depth, same last
    // token), so once known, the following features are found by a byte scan instead of a full tokenisation.
    private JsonReaderState? _afterFeature;
    private static readonly System.Buffers.SearchValues<byte> Structural = System.Buffers.SearchValues.Create("\"{}"u8);
    private static readonly System.Buffers.SearchValues<byte> InString = System.Buffers.SearchValues.Create("\"\\"u8);

    private enum Mode
    {
        TopLevel,
        TopObjectMembers,
        Features,
    }

    /// <param name="stream">the file (read forward only)</param>
    /// <param name="fileName">prefixes every message when given</param>
    /// <param name="ownsStream">dispose the stream with this reader</param>
    /// <param name="maxFeatureBytes">a larger feature is an error (the buffer grows to the largest feature otherwise)</param>
    public GeoJsonFeatureStream(Stream stream, string? fileName, bool ownsStream = true, int maxFeatureBytes = int.MaxValue)
    {
        _stream = stream;
        _where = fileName is null ? "" : fileName + ": ";
        _ownsStream = ownsStream;
        _maxFeatureBytes = maxFeatureBytes;
    }

    /// <summary>The CRS name of the legacy <c>crs</c> member, when present.</summary>
    public string? CrsName { get; private set; }

    /// <summary>True once a second top-level object was seen (GeoJSONSeq / NDJSON).</summary>
    public bool IsSequence { get; private set; }

    /// <summary>Bytes read from the file so far (for progress).</summary>
    public long BytesRead => _consumedBefore + _end;

    /// <summary>The next feature's JSON bytes, or null at the end of the file.</summary>
    public byte[]? Next()
    {
        while (true)
        {
            if (TryStep(out var feature, out var finished))
            {
                if (feature is not null)
                {
                    if (feature.Length > _maxFeatureBytes)
                    {
                        throw FeatureTooLarge();
                    }
                    _featureCount++;
                    return feature;
                }
                if (finished)
                {
                    return null;
                }
                continue;
            }
            Refill();
        }
    }

    // One unit of progress on the data in the buffer. False when more data is needed (nothing consumed).
    private bool TryStep(out byte[]? feature, out bool finished)
    {
        feature = null;
        finished = false;
        if (!_checkedStart)
        {
            if (_end - _start < 4 && !_eof)
            {
                return false;
            }
            CheckEncoding();
            _checkedStart = true;
        }
        var span = _buffer.AsSpan(_start, _end - _start);
        if (_mode == Mode.Features && _afterFeature is { } after && TryScanFeature(span, out var scanned, out var consumed))
        {
            feature = scanned;
            _start += consumed;
            _state = after;
            return true;
        }
        var reader = new Utf8JsonReader(span, _eof, _state);
        try
        {
            switch (_mode)
            {
                case Mode.TopLevel:
                    if (!reader.Read())
                    {
                        if (_eof)
                        {
                            if (_featureCount == 0 && _topType is null)
                            {
                                throw Error("the file is empty: no GeoJSON object in it");
                            }
                            finished = true;
                            return true;
                        }
                        return false;
                    }
                    if (reader.TokenType != JsonTokenType.StartObject)
                    {
                        throw Error($"expected a GeoJSON object at byte {Offset(reader.TokenStartIndex)}, found {Describe(reader.TokenType)}");
                    }
                    if (_topType is not null)
                    {
                        IsSequence = true;
                    }
                    _objectStart = _start + (int)reader.TokenStartIndex;
                    _topType = null;
                    Commit(ref reader, Mode.TopObjectMembers);
                    return true;

                case Mode.TopObjectMembers:
                    if (!reader.Read())
                    {
                        return NeedMore(reader);
                    }
                    if (reader.TokenType == JsonTokenType.EndObject)
                    {
                        var objectEnd = _start + (int)reader.BytesConsumed;
                        if (_topType == "Feature")
                        {
                            feature = _buffer.AsSpan(_objectStart, objectEnd - _objectStart).ToArray();
                        }
                        else if (_topType is null || (_topType != "FeatureCollection"))
                        {
                            throw Error($"the top-level object at byte {_consumedBefore + _objectStart} has type '{_topType ?? "(none)"}': expected FeatureCollection or Feature");
                        }
                        _objectStart = -1;
                        Commit(ref reader, Mode.TopLevel);
                        return true;
                    }
                    var name = reader.GetString();
                    if (!reader.Read())
                    {
                        return NeedMore(reader);
                    }
                    switch (name)
                    {
                        case "type" when reader.TokenType == JsonTokenType.String:
                            _topType = reader.GetString();
                            Commit(ref reader, Mode.TopObjectMembers);
                            return true;
                        case "features" when reader.TokenType == JsonTokenType.StartArray:
                            _topType ??= "FeatureCollection";
                            if (_topType != "FeatureCollection")
                            {
                                throw Error($"a '{_topType}' object has a 'features' array");
                            }
                            _objectStart = -1; // no need to keep the collection's head any more
                            Commit(ref reader, Mode.Features);
                            return true;
                        case "features":
                            throw Error($"'features' at byte {Offset(reader.TokenStartIndex)} is {Describe(reader.TokenType)}: it must be an array of Feature objects");
                        case "crs" when reader.TokenType == JsonTokenType.StartObject:
                        {
                            var startIndex = reader.TokenStartIndex;
                            if (!reader.TrySkip())
                            {
                                return false;
                            }
                            var crsBytes = span[(int)startIndex..(int)reader.BytesConsumed];
                            ReadCrs(crsBytes);
                            Commit(ref reader, Mode.TopObjectMembers);
                            return true;
                        }
                        default:
                            if (!reader.TrySkip())
                            {
                                return false;
                            }
                            Commit(ref reader, Mode.TopObjectMembers);
                            return true;
                    }

                case Mode.Features:
                {
                    if (!reader.Read())
                    {
                        return NeedMore(reader);
                    }
                    if (reader.TokenType == JsonTokenType.EndArray)
                    {
                        Commit(ref reader, Mode.TopObjectMembers);
                        return true;
                    }
                    if (reader.TokenType != JsonTokenType.StartObject)
                    {
                        throw Error($"feature {_featureCount} is not a JSON object (found {Describe(reader.TokenType)} at byte {Offset(reader.TokenStartIndex)})");
                    }
                    var startIndex = (int)reader.TokenStartIndex;
                    if (!reader.TrySkip())
                    {
                        return false;
                    }
                    feature = span[startIndex..(int)reader.BytesConsumed].ToArray();
                    Commit(ref reader, Mode.Features);
                    _afterFeature ??= _state;
                    return true;
                }
                default:
                    throw new InvalidOperationException();
            }
        }
        catch (JsonException e)
        {
            var at = Offset(reader.BytesConsumed);
            if (_eof && (e.Message.Contains("end of data", StringComparison.OrdinalIgnoreCase) || e.Message.Contains("incomplete", StringComparison.OrdinalIgnoreCase) || reader.CurrentDepth > 0))
            {
                throw Error($"the file is truncated or unbalanced after feature {_featureCount - 1} (byte {at}): {Clean(e.Message)}", e);
            }
            throw Error($"invalid JSON near feature {_featureCount} (byte {at}): {Clean(e.Message)}", e);
        }
        catch (InvalidOperationException e)
        {
            throw Error($"invalid text near feature {_featureCount} (byte {Offset(reader.BytesConsumed)}): {e.Message}", e);
        }
    }

    // After a feature: whitespace, a comma, whitespace, then a whole object in the buffer. Anything else (the array's end,
    // a comment, an object not yet all in the buffer, bad JSON) is left to the reader, which knows how to say what is wrong.
    // The feature's own syntax is checked when it is parsed (a broken feature is rejected with the reason).
    private static bool TryScanFeature(ReadOnlySpan<byte> span, out byte[]? feature, out int consumed)
    {
        feature = null;
        consumed = 0;
        var i = SkipWhitespace(span, 0);
        if (i >= span.Length || span[i] != (byte)',')
        {
            return false;
        }
        i = SkipWhitespace(span, i + 1);
        if (i >= span.Length || span[i] != (byte)'{')
        {
            return false;
        }
        var begin = i;
        var depth = 0;
        while (true)
        {
            var next = span[i..].IndexOfAny(Structural);
            if (next < 0)
            {
                return false;
            }
            i += next;
            switch (span[i])
            {
                case (byte)'{':
                    depth++;
                    i++;
                    break;
                case (byte)'}':
                    i++;
                    if (--depth == 0)
                    {
                        feature = span[begin..i].ToArray();
                        consumed = i;
                        return true;
                    }
                    break;
                default: // a string: to its closing quote, over escapes
                    i++;
                    while (true)
                    {
                        var q = span[i..].IndexOfAny(InString);
                        if (q < 0)
                        {
                            return false;
                        }
                        i += q;
                        if (span[i] == (byte)'"')
                        {
                            i++;
                            break;
                        }
                        i += 2;
                        if (i >= span.Length)
                        {
                            return false;
                        }
                    }
                    break;
            }
        }
    }

    private static int SkipWhitespace(ReadOnlySpan<byte> span, int i)
    {
        while (i < span.Length && span[i] is (byte)' ' or (byte)'\n' or (byte)'\r' or (byte)'\t')
        {
            i++;
        }
        return i;
    }

    private bool NeedMore(Utf8JsonReader reader)
    {
        if (_eof)
        {
            throw Error($"the file is truncated after feature {_featureCount - 1} (it ends at byte {Offset(reader.BytesConsumed)} inside {(_mode == Mode.Features ? "the features array" : "an object")})");
        }
        return false;
    }

    private void Commit(ref Utf8JsonReader reader, Mode next)
    {
        _start += (int)reader.BytesConsumed;
        _state = reader.CurrentState;
        _mode = next;
    }

    private long Offset(long inSpan) => _consumedBefore + _start + inSpan;

    private void ReadCrs(ReadOnlySpan<byte> json)
    {
        using var doc = JsonDocument.Parse(json.ToArray());
        if (doc.RootElement.TryGetProperty("properties", out var props) && props.ValueKind == JsonValueKind.Object
            && props.TryGetProperty("name", out var name) && name.ValueKind == JsonValueKind.String)
        {
            var value = name.GetString();
            if (_featureCount > 0 && value != CrsName)
            {
                throw Error($"the 'crs' member ({value}) comes after {_featureCount} features that were read without it; move it before 'features' or pass --srs");
            }
            CrsName = value;
        }
        else
        {
            throw Error("the 'crs' member has no properties.name (only named CRSs such as urn:ogc:def:crs:EPSG::2154 are supported)");
        }
    }

    private void CheckEncoding()
    {
        var head = _buffer.AsSpan(_start, _end - _start);
        if (head.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]))
        {
            _start += 3; // UTF-8 byte order mark
            return;
        }
        if (head.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xFE]) || head.StartsWith((ReadOnlySpan<byte>)[0xFE, 0xFF])
            || (head.Length >= 2 && (head[0] == 0 || head[1] == 0)))
        {
            throw Error("the file is not UTF-8 (it looks like UTF-16); GeoJSON must be UTF-8 (RFC 7946 §11): re-encode it, e.g. iconv -f UTF-16 -t UTF-8");
        }
    }

    private void Refill()
    {
        if (_eof)
        {
            throw Error("internal: no progress at end of file");
        }
        var keepFrom = _objectStart >= 0 ? Math.Min(_objectStart, _start) : _start;
        var keep = _end - keepFrom;
        if (keepFrom > 0)
        {
            Buffer.BlockCopy(_buffer, keepFrom, _buffer, 0, keep);
            _consumedBefore += keepFrom;
            _start -= keepFrom;
            if (_objectStart >= 0)
            {
                _objectStart -= keepFrom;
            }
            _end = keep;
        }
        if (_end == _buffer.Length)
        {
            // One feature larger than the buffer: grow (memory follows the largest feature, not the file), up to the bound.
            if (_buffer.Length > _maxFeatureBytes)
            {
                throw FeatureTooLarge();
            }
            Array.Resize(ref _buffer, (int)Math.Min(_buffer.Length * 2L, Array.MaxLength));
        }
        var read = _stream.Read(_buffer, _end, _buffer.Length - _end);
        if (read == 0)
        {
            _eof = true;
            return;
        }
        // RFC 8142 record separators (0x1E) cannot occur inside JSON text: blank them so the reader sees whitespace.
        _buffer.AsSpan(_end, read).Replace((byte)0x1E, (byte)' ');
        _end += read;
    }

    private SourceFormatException Error(string message, Exception? inner = null) => new($"{_where}{message}", inner);

    private SourceFormatException FeatureTooLarge() =>
        Error($"feature {_featureCount} is larger than {_maxFeatureBytes / (1024.0 * 1024):0.#} MB (too many coordinates?); split or simplify it");

    private static string Clean(string message)
    {
        // System.Text.Json messages end with "LineNumber: … | BytePositionInLine: …" relative to the buffer, not the file.
        var cut = message.IndexOf(" LineNumber:", StringComparison.Ordinal);
        return (cut > 0 ? message[..cut] : message).TrimEnd('.', ' ');
    }

    public void Dispose()
    {
        if (_ownsStream)
        {
            _stream.Dispose();
        }
    }

    /// <summary>Decodes feature bytes as text (for messages); invalid UTF-8 shows as U+FFFD.</summary>
    public static string Preview(byte[] feature, int maxChars = 120)
    {
        var s = Encoding.UTF8.GetString(feature, 0, Math.Min(feature.Length, maxChars * 2));
        return s.Length > maxChars ? s[..maxChars] + "…" : s;
    }

    private static string Describe(JsonTokenType token) => token switch
    {
        JsonTokenType.StartArray => "an array",
        JsonTokenType.StartObject => "an object",
        JsonTokenType.String => "a string",
        JsonTokenType.Number => "a number",
        JsonTokenType.True or JsonTokenType.False => "a boolean",
        JsonTokenType.Null => "null",
        _ => token.ToString(),
    };
}
