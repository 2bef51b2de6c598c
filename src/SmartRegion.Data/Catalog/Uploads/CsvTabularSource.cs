using SmartRegion.Geo.Readers;

namespace SmartRegion.Data.Catalog.Uploads;

/// <summary>
/// An uploaded CSV as a table: <see cref="CsvReader"/> reads it (encoding, delimiter, quoting, bounds); this adds the
/// decimal separator's detection and reports a record whose field count differs from the header's as a bad row.
/// </summary>
public sealed class CsvTabularSource : ITabularSource
{
    private readonly string _path;
    private readonly CsvOptions _options;

    public CsvTabularSource(string path, UploadLimits limits, string? delimiter = null, string? encoding = null, string? decimalSeparator = null)
    {
        _path = path;
        var chosen = delimiter switch
        {
            null or "" => (char?)null,
            "tab" or "\\t" => '\t',
            { Length: 1 } d => d[0],
            _ => throw new UploadFailure($"delimiter '{delimiter}' must be one character (or 'tab')"),
        };
        _options = new CsvOptions(chosen, encoding, limits.MaxColumns, limits.MaxFieldChars, limits.MaxFeatureBytes);
        using var reader = Open();
        _options = _options with { Delimiter = reader.Delimiter };
        Fields = reader.Header.Select(n => new SourceField(n)).ToList();
        DecimalSeparator = decimalSeparator is { Length: 1 } ds ? ds[0] : DetectDecimal(reader.Delimiter, ReadRows(CancellationToken.None).Take(200));
        Detected = new Dictionary<string, object?>
        {
            ["encoding"] = reader.EncodingName,
            ["bom"] = reader.HasBom,
            ["delimiter"] = reader.Delimiter == '\t' ? "tab" : reader.Delimiter.ToString(),
            ["decimalSeparator"] = DecimalSeparator.ToString(),
        };
    }

    public IReadOnlyList<SourceField> Fields { get; }

    public IReadOnlyDictionary<string, object?> Detected { get; }

    public int Srid => 4326;

    public char DecimalSeparator { get; }

    public IEnumerable<SourceRow> ReadRows(CancellationToken cancellationToken)
    {
        var width = Fields.Count;
        using var reader = Open();
        while (reader.Next() is { } record)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var values = record.Fields;
            if (values.Length != width)
            {
                var fitted = values.Length > width ? values[..width] : [.. values, .. new string?[width - values.Length]];
                yield return new SourceRow(record.Line, fitted, $"{values.Length} fields where the header has {width}");
                continue;
            }
            yield return new SourceRow(record.Line, values);
        }
    }

    private CsvReader Open() =>
        new(new FileStream(_path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16), fileName: null, _options);

    private static char DetectDecimal(char delimiter, IEnumerable<SourceRow> rows)
    {
        if (delimiter == ',')
        {
            return '.';
        }
        int comma = 0, dot = 0;
        foreach (var row in rows)
        {
            foreach (var v in row.Values)
            {
                if (v is null || v.Length > 30)
                {
                    continue;
                }
                if (ValueParser.LooksDecimal(v, ','))
                {
                    comma++;
                }
                else if (ValueParser.LooksDecimal(v, '.'))
                {
                    dot++;
                }
            }
        }
        return comma > dot ? ',' : '.';
    }
}
