using System.Buffers;
using System.Text;
using System.Text.Json;

namespace SmartRegion.Data.Catalog.Ingest;

/// <summary>
/// GeoJSON FeatureCollection (or a single Feature) read feature by feature: a byte scanner finds each element of
/// "features" and only that element is parsed, so memory is bounded by the largest feature, never the file.
/// Properties become columns (union over all features, first-seen order); the geometry becomes a "geometry" column.
/// </summary>
public sealed class GeoJsonSource : ITabularSource
{
    private readonly string _path;
    private readonly IngestLimits _limits;
    private readonly string _geometryField;
    private readonly Dictionary<string, int> _index = new(StringComparer.Ordinal);

    public GeoJsonSource(string path, IngestLimits limits)
    {
        _path = path;
        _limits = limits;
        var names = new List<string>();
        var sawGeometry = false;
        long count = 0;
        foreach (var (_, feature) in Features(CancellationToken.None))
        {
            count++;
            if (feature.TryGetProperty("properties", out var props) && props.ValueKind == JsonValueKind.Object)
            {
                foreach (var p in props.EnumerateObject())
                {
                    if (!_index.ContainsKey(p.Name))
                    {
                        if (names.Count >= limits.MaxColumns)
                        {
                            throw new IngestFailure($"feature {count}: more than {limits.MaxColumns} distinct properties");
                        }
                        _index[p.Name] = names.Count;
                        names.Add(p.Name);
                    }
                }
            }
            sawGeometry |= feature.TryGetProperty("geometry", out var g) && g.ValueKind == JsonValueKind.Object;
        }
        _geometryField = _index.ContainsKey("geometry") ? "_geometry" : "geometry";
        var fields = names.Select(n => new SourceField(n)).ToList();
        if (sawGeometry)
        {
            fields.Add(new SourceField(_geometryField, "geojson"));
        }
        Fields = fields;
        Detected = new Dictionary<string, object?> { ["features"] = count, ["srid"] = Srid, ["rowIs"] = "feature number" };
    }

    public IReadOnlyList<SourceField> Fields { get; }

    public IReadOnlyDictionary<string, object?> Detected { get; }

    public int Srid { get; private set; } = 4326;

    public char DecimalSeparator => '.';

    public IEnumerable<SourceRow> ReadRows(CancellationToken cancellationToken)
    {
        var width = Fields.Count;
        var geometryIndex = Fields.Count > 0 && Fields[^1].GeometryEncoding is not null ? width - 1 : -1;
        foreach (var (number, feature) in Features(cancellationToken))
        {
            var values = new string?[width];
            if (feature.TryGetProperty("properties", out var props) && props.ValueKind == JsonValueKind.Object)
            {
                foreach (var p in props.EnumerateObject())
                {
                    values[_index[p.Name]] = p.Value.ValueKind switch
                    {
                        JsonValueKind.String => p.Value.GetString(),
                        JsonValueKind.Null => null,
                        JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False => p.Value.GetRawText(),
                        _ => p.Value.GetRawText(),
                    };
                }
            }
            if (geometryIndex >= 0 && feature.TryGetProperty("geometry", out var g) && g.ValueKind == JsonValueKind.Object)
            {
                values[geometryIndex] = g.GetRawText();
            }
            yield return new SourceRow(number, values);
        }
    }

    /// <summary>Each feature, numbered from 1, parsed alone.</summary>
    private IEnumerable<(long Number, JsonElement Feature)> Features(CancellationToken cancellationToken)
    {
        using var stream = new FileStream(_path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        var scanner = new Scanner(stream, _limits.MaxFeatureBytes);
        var rootType = (string?)null;
        long number = 0;
        foreach (var item in scanner.Items())
        {
            cancellationToken.ThrowIfCancellationRequested();
            switch (item.Kind)
            {
                case ItemKind.RootMember when item.Key == "type":
                    rootType = Parse(item.Bytes, "the top-level 'type'").RootElement.GetString();
                    if (rootType is not ("FeatureCollection" or "Feature"))
                    {
                        throw new IngestFailure($"top-level type is '{rootType}'; a FeatureCollection or a Feature is expected");
                    }
                    break;
                case ItemKind.RootMember when item.Key == "crs":
                    Srid = CrsToSrid(Parse(item.Bytes, "'crs'").RootElement);
                    break;
                case ItemKind.Feature:
                    number++;
                    using (var doc = Parse(item.Bytes, $"feature {number}"))
                    {
                        if (doc.RootElement.ValueKind != JsonValueKind.Object)
                        {
                            throw new IngestFailure($"feature {number} is not a JSON object");
                        }
                        yield return (number, doc.RootElement);
                    }
                    break;
            }
        }
        if (rootType is null)
        {
            throw new IngestFailure("not GeoJSON: no top-level 'type'");
        }
        if (rootType == "Feature" && number == 0)
        {
            // A lone Feature: the whole file is the one feature, so it must fit the per-feature bound.
            if (stream.Length > _limits.MaxFeatureBytes)
            {
                throw new IngestFailure($"the feature is larger than {_limits.MaxFeatureBytes / (1024 * 1024)} MB");
            }
            using var doc = Parse(File.ReadAllBytes(_path), "the feature");
            yield return (1, doc.RootElement);
        }
    }

    private static JsonDocument Parse(ReadOnlyMemory<byte> bytes, string what)
    {
        try
        {
            return JsonDocument.Parse(bytes, new JsonDocumentOptions { MaxDepth = 64 });
        }
        catch (JsonException e)
        {
            throw new IngestFailure($"{what} is not valid JSON: {e.Message}");
        }
    }

    private static int CrsToSrid(JsonElement crs)
    {
        var name = crs.TryGetProperty("properties", out var p) && p.TryGetProperty("name", out var n) ? n.GetString() ?? "" : "";
        if (name.EndsWith("CRS84", StringComparison.Ordinal) || name.Length == 0)
        {
            return 4326;
        }
        var digits = new string(name.Reverse().TakeWhile(char.IsDigit).Reverse().ToArray());
        return int.TryParse(digits, out var srid) && srid > 0 ? srid : throw new IngestFailure($"crs '{name}' is not an EPSG code");
    }

    private enum ItemKind { RootMember, Feature }

    private readonly record struct Item(ItemKind Kind, string? Key, ReadOnlyMemory<byte> Bytes);

    /// <summary>
    /// Splits the top-level object into members and the "features" array into elements by tracking strings and
    /// nesting byte by byte; values are handed out as byte slices, each at most <c>maxBytes</c> long.
    /// </summary>
    private sealed class Scanner(Stream stream, int maxBytes)
    {
        public IEnumerable<Item> Items()
        {
            var capture = new ArrayBufferWriter<byte>(1 << 16);
            var keyBytes = new List<byte>();
            var buffer = new byte[1 << 16];
            int depth = 0, n;
            bool inString = false, escape = false, capturing = false, inFeatures = false, keyPending = false, readingKey = false;
            string? key = null;
            long offset = 0;
            while ((n = stream.Read(buffer, 0, buffer.Length)) > 0)
            {
                for (var i = 0; i < n; i++, offset++)
                {
                    var b = buffer[i];
                    if (capturing)
                    {
                        if (capture.WrittenCount >= maxBytes)
                        {
                            throw new IngestFailure(inFeatures
                                ? $"a feature is larger than {maxBytes / (1024 * 1024)} MB (too many coordinates?); split or simplify it"
                                : $"the top-level member '{key}' is larger than {maxBytes / (1024 * 1024)} MB");
                        }
                        capture.GetSpan(1)[0] = b;
                        capture.Advance(1);
                    }
                    if (inString)
                    {
                        if (escape)
                        {
                            escape = false;
                        }
                        else if (b == (byte)'\\')
                        {
                            escape = true;
                        }
                        else if (b == (byte)'"')
                        {
                            inString = false;
                            if (capturing && depth == 1)
                            {
                                capturing = false;
                                yield return new Item(ItemKind.RootMember, key, capture.WrittenMemory.ToArray());
                            }
                            else if (readingKey)
                            {
                                readingKey = false;
                                key = Encoding.UTF8.GetString(keyBytes.ToArray());
                                keyPending = true;
                            }
                        }
                        else if (readingKey && keyBytes.Count < 256)
                        {
                            keyBytes.Add(b);
                        }
                        continue;
                    }
                    switch (b)
                    {
                        case (byte)'"':
                            inString = true;
                            if (depth == 1 && !capturing && !inFeatures && !keyPending)
                            {
                                readingKey = true;
                                keyBytes.Clear();
                            }
                            else if (!capturing && depth == 1 && keyPending)
                            {
                                // A string value of a top-level member.
                                StartCapture(capture, b, ref capturing);
                                keyPending = false;
                            }
                            break;
                        case (byte)':' when depth == 1 && keyPending:
                            break;
                        case (byte)'{' or (byte)'[':
                            if (depth == 1 && keyPending && key == "features" && b == (byte)'[')
                            {
                                inFeatures = true;
                                keyPending = false;
                            }
                            else if (depth == 1 && keyPending && !capturing)
                            {
                                StartCapture(capture, b, ref capturing);
                                keyPending = false;
                            }
                            else if (depth == 2 && inFeatures && !capturing && b == (byte)'{')
                            {
                                StartCapture(capture, b, ref capturing);
                            }
                            depth++;
                            break;
                        case (byte)'}' or (byte)']':
                            depth--;
                            if (depth == 2 && inFeatures && capturing)
                            {
                                capturing = false;
                                yield return new Item(ItemKind.Feature, null, capture.WrittenMemory.ToArray());
                            }
                            else if (depth == 1 && inFeatures && b == (byte)']')
                            {
                                inFeatures = false;
                            }
                            else if (depth == 1 && capturing)
                            {
                                capturing = false;
                                yield return new Item(ItemKind.RootMember, key, capture.WrittenMemory.ToArray());
                            }
                            break;
                        case (byte)',' when depth == 1 && capturing:
                            // End of a scalar top-level value (number, true, false, null).
                            capture.ResetWrittenCount();
                            capturing = false;
                            break;
                        case (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n' or (byte)',' or (byte)':':
                            break;
                        default:
                            if (depth == 0 && offset > 3)
                            {
                                throw new IngestFailure("not GeoJSON: content after the top-level object");
                            }
                            if (depth == 0 && !(offset <= 3 && b is 0xEF or 0xBB or 0xBF))
                            {
                                throw new IngestFailure("not GeoJSON: the file does not start with a JSON object");
                            }
                            if (depth == 1 && keyPending && !capturing)
                            {
                                StartCapture(capture, b, ref capturing);
                                keyPending = false;
                            }
                            break;
                    }
                }
            }
            if (depth != 0 || inString)
            {
                throw new IngestFailure("the GeoJSON ends before its closing brace (truncated file?)");
            }
        }

        private static void StartCapture(ArrayBufferWriter<byte> capture, byte first, ref bool capturing)
        {
            capture.ResetWrittenCount();
            capture.GetSpan(1)[0] = first;
            capture.Advance(1);
            capturing = true;
        }
    }
}
