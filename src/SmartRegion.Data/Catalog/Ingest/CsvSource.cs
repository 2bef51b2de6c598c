using System.Text;

namespace SmartRegion.Data.Catalog.Ingest;

/// <summary>
/// CSV with detection of encoding (BOM, strict UTF-8, else Windows-1252), delimiter (, ; tab |) and decimal
/// separator. RFC 4180 quoting; fields and column counts are bounded so a 2 GB line or 100,000 columns fail cleanly.
/// </summary>
public sealed class CsvSource : ITabularSource
{
    private static readonly char[] Delimiters = [',', ';', '\t', '|'];
    private readonly string _path;
    private readonly IngestLimits _limits;
    private readonly Encoding _encoding;
    private readonly int _preambleBytes;
    private readonly char _delimiter;

    static CsvSource() => Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);

    public CsvSource(string path, IngestLimits limits, string? delimiter = null, string? encoding = null, string? decimalSeparator = null)
    {
        _path = path;
        _limits = limits;
        var sample = ReadSample(path, 64 * 1024);
        (_encoding, _preambleBytes, var encodingName) = DetectEncoding(sample, encoding);
        var text = _encoding.GetString(sample, _preambleBytes, TrimIncompleteUtf8(sample, _preambleBytes));
        _delimiter = delimiter switch
        {
            null or "" => DetectDelimiter(text),
            "tab" or "\\t" => '\t',
            { Length: 1 } d => d[0],
            _ => throw new IngestFailure($"delimiter '{delimiter}' must be one character (or 'tab')"),
        };
        var header = ReadRecords(CancellationToken.None).Take(1).ToList() is [var first] ? first
            : throw new IngestFailure("the CSV file is empty (no header line)");
        var names = header.Values.Select((n, i) => string.IsNullOrWhiteSpace(n) ? $"column_{i + 1}" : n!.Trim()).ToList();
        var duplicate = names.GroupBy(n => n, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw new IngestFailure($"line 1: the column name '{duplicate.Key}' appears more than once");
        }
        Fields = names.Select(n => new SourceField(n)).ToList();
        DecimalSeparator = decimalSeparator is { Length: 1 } ds ? ds[0] : DetectDecimal(ReadRows(CancellationToken.None).Take(200));
        Detected = new Dictionary<string, object?>
        {
            ["encoding"] = encodingName,
            ["bom"] = _preambleBytes > 0,
            ["delimiter"] = _delimiter == '\t' ? "tab" : _delimiter.ToString(),
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
        foreach (var record in ReadRecords(cancellationToken).Skip(1))
        {
            if (record.Values.Length == 1 && string.IsNullOrEmpty(record.Values[0]))
            {
                continue; // blank line
            }
            if (record.Values.Length != width)
            {
                var fitted = record.Values.Length > width ? record.Values[..width] : [.. record.Values, .. new string?[width - record.Values.Length]];
                yield return new SourceRow(record.Line, fitted, $"{record.Values.Length} fields where the header has {width}");
                continue;
            }
            yield return record;
        }
    }

    /// <summary>Records with the line each starts on; quoted fields may span lines.</summary>
    private IEnumerable<SourceRow> ReadRecords(CancellationToken cancellationToken)
    {
        using var stream = new FileStream(_path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        stream.Position = _preambleBytes;
        var lenient = (Encoding)_encoding.Clone();
        lenient.DecoderFallback = new DecoderReplacementFallback("\uFFFD");
        using var reader = new StreamReader(stream, lenient, detectEncodingFromByteOrderMarks: false, 1 << 16);
        var fields = new List<string?>();
        var field = new StringBuilder();
        long line = 1, recordLine = 1;
        var inQuotes = false;
        var wasQuoted = false;
        var any = false;
        int c;
        while (true)
        {
            c = reader.Read();
            if (c < 0)
            {
                break;
            }
            if (c == '\uFFFD')
            {
                // The decoder replaces undecodable bytes with U+FFFD, so the failure is located to its exact line.
                throw new IngestFailure($"line {line}: bytes that are not valid {_encoding.WebName} (mixed encodings in one file?); save the file in one encoding, UTF-8 preferably");
            }
            any = true;
            var ch = (char)c;
            if (inQuotes)
            {
                if (ch == '"')
                {
                    if (reader.Peek() == '"')
                    {
                        reader.Read();
                        Append(field, '"', line);
                    }
                    else
                    {
                        inQuotes = false;
                    }
                }
                else
                {
                    if (ch == '\n')
                    {
                        line++;
                    }
                    Append(field, ch, line);
                }
                continue;
            }
            if (ch == '"' && field.Length == 0)
            {
                inQuotes = true;
                wasQuoted = true;
            }
            else if (ch == _delimiter)
            {
                AddField(fields, field, ref wasQuoted, recordLine);
            }
            else if (ch == '\n' || ch == '\r')
            {
                if (ch == '\r' && reader.Peek() == '\n')
                {
                    reader.Read();
                }
                AddField(fields, field, ref wasQuoted, recordLine);
                cancellationToken.ThrowIfCancellationRequested();
                yield return new SourceRow(recordLine, [.. fields]);
                fields.Clear();
                line++;
                recordLine = line;
                any = false;
            }
            else
            {
                Append(field, ch, line);
            }
        }
        if (inQuotes)
        {
            throw new IngestFailure($"line {recordLine}: a quoted field is never closed");
        }
        if (any)
        {
            AddField(fields, field, ref wasQuoted, recordLine);
            yield return new SourceRow(recordLine, [.. fields]);
        }
    }

    private void AddField(List<string?> fields, StringBuilder field, ref bool wasQuoted, long line)
    {
        if (fields.Count >= _limits.MaxColumns)
        {
            throw new IngestFailure($"line {line}: more than {_limits.MaxColumns} columns");
        }
        fields.Add(field.Length == 0 && !wasQuoted ? null : field.ToString());
        field.Clear();
        wasQuoted = false;
    }

    private void Append(StringBuilder field, char ch, long line)
    {
        if (field.Length >= _limits.MaxFieldChars)
        {
            throw new IngestFailure($"line {line}: a field is longer than {_limits.MaxFieldChars:N0} characters (is the delimiter or quoting wrong?)");
        }
        field.Append(ch);
    }

    private static byte[] ReadSample(string path, int size)
    {
        using var stream = File.OpenRead(path);
        var buffer = new byte[Math.Min(size, stream.Length)];
        stream.ReadExactly(buffer);
        return buffer;
    }

    private static (Encoding Encoding, int Preamble, string Name) DetectEncoding(byte[] sample, string? requested)
    {
        if (sample.AsSpan().StartsWith((byte[])[0xEF, 0xBB, 0xBF]))
        {
            return (new UTF8Encoding(false, true), 3, "utf-8");
        }
        if (sample.AsSpan().StartsWith((byte[])[0xFF, 0xFE]))
        {
            return (new UnicodeEncoding(false, false, true), 2, "utf-16le");
        }
        if (sample.AsSpan().StartsWith((byte[])[0xFE, 0xFF]))
        {
            return (new UnicodeEncoding(true, false, true), 2, "utf-16be");
        }
        if (requested is { Length: > 0 })
        {
            try
            {
                var e = Encoding.GetEncoding(requested, EncoderFallback.ExceptionFallback, DecoderFallback.ExceptionFallback);
                return (e, 0, e.WebName);
            }
            catch (ArgumentException)
            {
                throw new IngestFailure($"encoding '{requested}' is not known (try utf-8 or windows-1252)");
            }
        }
        try
        {
            new UTF8Encoding(false, true).GetCharCount(sample, 0, TrimIncompleteUtf8(sample, 0));
            return (new UTF8Encoding(false, true), 0, "utf-8");
        }
        catch (DecoderFallbackException)
        {
            // Legacy French exports are Windows-1252 far more often than ISO-8859-1; 1252 is a superset for text.
            return (Encoding.GetEncoding(1252, EncoderFallback.ExceptionFallback, DecoderFallback.ExceptionFallback), 0, "windows-1252");
        }
    }

    /// <summary>The sample may end inside a multi-byte character: count only complete ones.</summary>
    private static int TrimIncompleteUtf8(byte[] sample, int start)
    {
        var end = sample.Length;
        for (var back = 1; back <= 3 && end - back >= start; back++)
        {
            var b = sample[end - back];
            if ((b & 0xC0) == 0x80)
            {
                continue;
            }
            var need = b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : b >= 0xC0 ? 2 : 1;
            return need > back ? end - back - start : end - start;
        }
        return end - start;
    }

    private static char DetectDelimiter(string sample)
    {
        var lines = sample.Split('\n').Take(30).Where(l => l.Length > 0).ToList();
        if (sample.Length == 64 * 1024 && lines.Count > 1)
        {
            lines.RemoveAt(lines.Count - 1); // probably cut
        }
        var best = ',';
        var bestScore = -1.0;
        foreach (var d in Delimiters)
        {
            var counts = lines.Select(l => CountOutsideQuotes(l, d)).ToList();
            if (counts.Count == 0 || counts[0] == 0)
            {
                continue;
            }
            var consistent = counts.Count(n => n == counts[0]) / (double)counts.Count;
            var score = consistent * 1000 + counts[0];
            if (score > bestScore)
            {
                bestScore = score;
                best = d;
            }
        }
        return best;
    }

    private static int CountOutsideQuotes(string line, char d)
    {
        var n = 0;
        var quoted = false;
        foreach (var ch in line)
        {
            if (ch == '"')
            {
                quoted = !quoted;
            }
            else if (ch == d && !quoted)
            {
                n++;
            }
        }
        return n;
    }

    private char DetectDecimal(IEnumerable<SourceRow> rows)
    {
        if (_delimiter == ',')
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
