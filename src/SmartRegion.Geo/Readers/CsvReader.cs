using System.Buffers;
using System.Text;

namespace SmartRegion.Geo.Readers;

/// <summary>How to read a CSV file; null members are detected from the file.</summary>
/// <param name="Delimiter">the field separator (detected among , ; tab | when null)</param>
/// <param name="Encoding">an encoding name (utf-8, windows-1252…); detected when null: BOM, else strict UTF-8, else Windows-1252</param>
/// <param name="MaxColumns">more columns than this in a record is an error (a hostile or mis-delimited file)</param>
/// <param name="MaxFieldChars">a longer field is an error (a wrong delimiter or an unclosed quote reads the file as one field)</param>
/// <param name="MaxRecordChars">a longer record is an error: a record is held whole, and its columns times its fields'
/// bound would allow gigabytes (one endless row)</param>
public sealed record CsvOptions(char? Delimiter = null, string? Encoding = null, int MaxColumns = 1_000, int MaxFieldChars = 1_000_000,
    int MaxRecordChars = 64 * 1024 * 1024)
{
    public static readonly CsvOptions Default = new();
}

/// <summary>One CSV record: the line it starts on (1-based) and its fields; an unquoted empty field is null, <c>""</c> is empty.</summary>
public readonly record struct CsvRecord(long Line, string?[] Fields);

/// <summary>
/// The one CSV reader (RFC 4180 quoting; quoted fields may span lines), streaming: detects the encoding (BOM, strict
/// UTF-8, else Windows-1252), the delimiter (, ; tab |) and names the header's columns. Used by the region ingestion and
/// by the catalogue's uploads.
/// </summary>
/// <remarks>
/// Detection reads the first 64 kB. Bytes that the chosen encoding cannot decode further on (a file that mixes encodings)
/// are an error naming their line. Fields are found by a vectorised search for the delimiter, the quote and line ends.
/// </remarks>
public sealed class CsvReader : IDisposable
{
    /// <summary>The delimiters detection chooses among.</summary>
    public static readonly IReadOnlyList<char> Delimiters = [',', ';', '\t', '|'];

    private const int SampleBytes = 64 * 1024;
    private const char Undecodable = '\uFFFF'; // a noncharacter: the decoder's replacement for bytes it cannot decode

    static CsvReader() => System.Text.Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);

    private readonly TextReader _reader;
    private readonly string _where;
    private readonly CsvOptions _options;
    private readonly SearchValues<char> _special;
    private readonly char[] _buffer = new char[1 << 16];
    private readonly StringBuilder _field = new();
    private readonly List<string?> _fields = [];
    private int _pos;
    private int _len;
    private bool _eof;
    private long _line = 1;
    private long _recordChars;

    /// <param name="stream">the file's content, read forward once (decompressed already)</param>
    /// <param name="fileName">prefixes every message when given ("file.csv: line 3: …")</param>
    /// <param name="options">what not to detect, and the bounds</param>
    public CsvReader(Stream stream, string? fileName = null, CsvOptions? options = null)
    {
        _options = options ?? CsvOptions.Default;
        _where = fileName is null ? "" : fileName + ": ";
        var sample = new byte[SampleBytes];
        var sampled = stream.ReadAtLeast(sample, SampleBytes, throwOnEndOfStream: false);
        var (encoding, preamble, name) = DetectEncoding(sample.AsSpan(0, sampled), _options.Encoding);
        EncodingName = name;
        HasBom = preamble > 0;
        var text = encoding.GetString(sample, preamble, CompleteUtf8Length(sample.AsSpan(preamble, sampled - preamble), encoding));
        Delimiter = _options.Delimiter ?? DetectDelimiter(text, cut: sampled == SampleBytes);
        _special = SearchValues.Create([Delimiter, '"', '\r', '\n', Undecodable]);
        var lenient = (Encoding)encoding.Clone();
        lenient.DecoderFallback = new DecoderReplacementFallback(Undecodable.ToString());
        _reader = new StreamReader(new PrefixedStream(sample.AsMemory(preamble, sampled - preamble), stream), lenient,
            detectEncodingFromByteOrderMarks: false, 1 << 16);

        var header = Read() ?? throw new SourceFormatException($"{_where}the file is empty (no header line)");
        var names = new string[header.Fields.Length];
        for (var i = 0; i < names.Length; i++)
        {
            names[i] = header.Fields[i]?.Trim() is { Length: > 0 } n ? n : $"column_{i + 1}";
        }
        var duplicate = names.GroupBy(n => n, StringComparer.OrdinalIgnoreCase).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw new SourceFormatException($"{_where}line {header.Line}: the column name '{duplicate.Key}' appears more than once");
        }
        Header = names;
    }

    /// <summary>The encoding read: utf-8, windows-1252, utf-16le, utf-16be or the one asked for.</summary>
    public string EncodingName { get; }

    /// <summary>The file starts with a byte order mark.</summary>
    public bool HasBom { get; }

    public char Delimiter { get; }

    /// <summary>Column names from the header line, trimmed; an empty name becomes <c>column_N</c>.</summary>
    public IReadOnlyList<string> Header { get; }

    /// <summary>Line number (1-based) where the last record returned by <see cref="Next"/> starts.</summary>
    public long RecordLine { get; private set; }

    /// <summary>The index of a column (case-insensitive), or -1.</summary>
    public int Column(string name)
    {
        for (var i = 0; i < Header.Count; i++)
        {
            if (string.Equals(Header[i], name, StringComparison.OrdinalIgnoreCase))
            {
                return i;
            }
        }
        return -1;
    }

    /// <summary>A record's fields as one JSON object keyed by the header (empty fields null), UTF-8; <paramref name="except"/> is left out.</summary>
    public byte[] AttributesJson(string?[] fields, int except = -1)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var json = new System.Text.Json.Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            for (var i = 0; i < Header.Count && i < fields.Length; i++)
            {
                if (i == except)
                {
                    continue;
                }
                if (string.IsNullOrEmpty(fields[i]))
                {
                    json.WriteNull(Header[i]);
                }
                else
                {
                    json.WriteString(Header[i], fields[i]);
                }
            }
            json.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>The next record after the header, blank lines skipped; null at the end. Its field count may differ from the header's.</summary>
    public CsvRecord? Next()
    {
        while (Read() is { } record)
        {
            if (record.Fields is [null])
            {
                continue; // a blank line
            }
            RecordLine = record.Line;
            return record;
        }
        return null;
    }

    private CsvRecord? Read()
    {
        if (!Fill())
        {
            return null;
        }
        var recordLine = _line;
        _fields.Clear();
        _field.Clear();
        _recordChars = 0;
        var quoted = false;   // inside quotes
        var wasQuoted = false; // the current field was quoted (so empty means "", not null)
        while (true)
        {
            if (_pos == _len && !Fill())
            {
                if (quoted)
                {
                    throw new SourceFormatException($"{_where}line {recordLine}: a quoted field is not closed before the end of the file (truncated?)");
                }
                EndField(ref wasQuoted, recordLine);
                return new CsvRecord(recordLine, [.. _fields]);
            }
            var span = _buffer.AsSpan(_pos, _len - _pos);
            if (quoted)
            {
                var q = span.IndexOfAny('"', '\n', Undecodable);
                if (q < 0)
                {
                    Append(span, recordLine);
                    _pos = _len;
                    continue;
                }
                Append(span[..q], recordLine);
                _pos += q + 1;
                switch (span[q])
                {
                    case '\n':
                        _line++;
                        Append("\n", recordLine);
                        break;
                    case Undecodable:
                        throw NotDecodable();
                    default:
                        if (Peek() == '"')
                        {
                            _pos++;
                            Append("\"", recordLine);
                        }
                        else
                        {
                            quoted = false;
                        }
                        break;
                }
                continue;
            }
            var s = span.IndexOfAny(_special);
            if (s < 0)
            {
                Append(span, recordLine);
                _pos = _len;
                continue;
            }
            Append(span[..s], recordLine);
            _pos += s + 1;
            var c = span[s];
            if (c == Delimiter)
            {
                EndField(ref wasQuoted, recordLine);
            }
            else if (c == '"' && _field.Length == 0 && !wasQuoted)
            {
                quoted = wasQuoted = true;
            }
            else if (c == '"')
            {
                Append("\"", recordLine); // a quote inside an unquoted field is text
            }
            else if (c is '\n' or '\r')
            {
                if (c == '\r' && Peek() == '\n')
                {
                    _pos++;
                }
                _line++;
                EndField(ref wasQuoted, recordLine);
                return new CsvRecord(recordLine, [.. _fields]);
            }
            else
            {
                throw NotDecodable();
            }
        }
    }

    private SourceFormatException NotDecodable() => new(
        $"{_where}line {_line}: bytes that are not valid {EncodingName} (mixed encodings in one file?); save the file in one encoding, UTF-8 preferably");

    private void EndField(ref bool wasQuoted, long recordLine)
    {
        if (_fields.Count >= _options.MaxColumns)
        {
            throw new SourceFormatException($"{_where}line {recordLine}: more than {_options.MaxColumns} columns");
        }
        _fields.Add(_field.Length == 0 && !wasQuoted ? null : _field.ToString());
        _field.Clear();
        wasQuoted = false;
    }

    private void Append(ReadOnlySpan<char> text, long recordLine)
    {
        if (_field.Length + text.Length > _options.MaxFieldChars)
        {
            throw new SourceFormatException($"{_where}line {recordLine}: a field is longer than {_options.MaxFieldChars:N0} characters (is the delimiter or quoting wrong?)");
        }
        _recordChars += text.Length;
        if (_recordChars > _options.MaxRecordChars)
        {
            throw new SourceFormatException($"{_where}line {recordLine}: the record is longer than {_options.MaxRecordChars:N0} characters (is a line end missing?)");
        }
        _field.Append(text);
    }

    /// <summary>The next character without consuming it, or -1 at the end.</summary>
    private int Peek() => _pos < _len || Fill() ? _buffer[_pos] : -1;

    /// <summary>Makes sure a character is buffered; false at the end of the file.</summary>
    private bool Fill()
    {
        if (_pos < _len)
        {
            return true;
        }
        if (_eof)
        {
            return false;
        }
        _len = _reader.Read(_buffer, 0, _buffer.Length);
        _pos = 0;
        _eof = _len == 0;
        return !_eof;
    }

    private static (Encoding Encoding, int Preamble, string Name) DetectEncoding(ReadOnlySpan<byte> sample, string? requested)
    {
        if (sample.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]))
        {
            return (new UTF8Encoding(false, true), 3, "utf-8");
        }
        if (sample.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xFE]))
        {
            return (new UnicodeEncoding(false, false, true), 2, "utf-16le");
        }
        if (sample.StartsWith((ReadOnlySpan<byte>)[0xFE, 0xFF]))
        {
            return (new UnicodeEncoding(true, false, true), 2, "utf-16be");
        }
        if (requested is { Length: > 0 })
        {
            try
            {
                var e = System.Text.Encoding.GetEncoding(requested, EncoderFallback.ExceptionFallback, DecoderFallback.ExceptionFallback);
                return (e, 0, e.WebName);
            }
            catch (ArgumentException)
            {
                throw new SourceFormatException($"encoding '{requested}' is not known (try utf-8 or windows-1252)");
            }
        }
        var utf8 = new UTF8Encoding(false, true);
        try
        {
            utf8.GetCharCount(sample[..CompleteUtf8Length(sample, utf8)]);
            return (utf8, 0, "utf-8");
        }
        catch (DecoderFallbackException)
        {
            // Legacy French exports are Windows-1252 far more often than ISO-8859-1; 1252 is a superset for text.
            return (System.Text.Encoding.GetEncoding(1252, EncoderFallback.ExceptionFallback, DecoderFallback.ExceptionFallback), 0, "windows-1252");
        }
    }

    /// <summary>The sample may end inside a multi-byte UTF-8 character: the length of the complete ones.</summary>
    private static int CompleteUtf8Length(ReadOnlySpan<byte> sample, Encoding encoding)
    {
        if (encoding is not UTF8Encoding)
        {
            return encoding is UnicodeEncoding ? sample.Length & ~1 : sample.Length;
        }
        var end = sample.Length;
        for (var back = 1; back <= 3 && end - back >= 0; back++)
        {
            var b = sample[end - back];
            if ((b & 0xC0) == 0x80)
            {
                continue;
            }
            var need = b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : b >= 0xC0 ? 2 : 1;
            return need > back ? end - back : end;
        }
        return end;
    }

    /// <summary>The delimiter whose count per line is the most consistent over the first 30 lines, then the most frequent.</summary>
    private static char DetectDelimiter(string sample, bool cut)
    {
        var lines = sample.Split('\n').Take(30).Where(l => l.Length > 0).ToList();
        if (cut && lines.Count > 1)
        {
            lines.RemoveAt(lines.Count - 1); // probably cut by the sample's end
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

    public void Dispose() => _reader.Dispose();

    /// <summary>The sample already read, then the rest of the stream.</summary>
    private sealed class PrefixedStream(ReadOnlyMemory<byte> prefix, Stream rest) : Stream
    {
        private ReadOnlyMemory<byte> _prefix = prefix;

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            if (_prefix.IsEmpty)
            {
                return rest.Read(buffer);
            }
            var n = Math.Min(buffer.Length, _prefix.Length);
            _prefix.Span[..n].CopyTo(buffer);
            _prefix = _prefix[n..];
            return n;
        }

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                rest.Dispose();
            }
            base.Dispose(disposing);
        }
    }
}
