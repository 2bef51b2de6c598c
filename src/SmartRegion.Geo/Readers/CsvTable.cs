using System.Text;

namespace SmartRegion.Geo.Readers;

/// <summary>A streaming CSV reader (RFC 4180 quoting, ',' or ';' detected from the header, UTF-8 with or without BOM).</summary>
public sealed class CsvTable : IDisposable
{
    private readonly TextReader _reader;
    private readonly string _fileName;
    private long _line;

    public CsvTable(Stream stream, string fileName, char? delimiter = null)
    {
        _fileName = fileName;
        _reader = new StreamReader(stream, new UTF8Encoding(false, throwOnInvalidBytes: true), detectEncodingFromByteOrderMarks: true, 1 << 16);
        var header = ReadRawLine() ?? throw new SourceFormatException($"{fileName}: the file is empty (no header line)");
        Delimiter = delimiter ?? (header.Count(c => c == ';') > header.Count(c => c == ',') ? ';' : ',');
        Header = Split(header, 1);
        for (var i = 0; i < Header.Length; i++)
        {
            Header[i] = Header[i].Trim();
        }
    }

    public char Delimiter { get; }

    public string[] Header { get; }

    /// <summary>Line number (1-based) where the last returned record starts.</summary>
    public long RecordLine { get; private set; }

    /// <summary>The index of a column (case-insensitive), or -1.</summary>
    public int Column(string name) => Array.FindIndex(Header, h => string.Equals(h, name, StringComparison.OrdinalIgnoreCase));

    /// <summary>The next record's fields, or null at the end. A record with the wrong field count is an error naming its line.</summary>
    public string[]? Next()
    {
        var raw = ReadRawLine();
        while (raw is not null && raw.Length == 0)
        {
            raw = ReadRawLine();
        }
        if (raw is null)
        {
            return null;
        }
        RecordLine = _line;
        // A quoted field may span lines: keep reading while quotes are unbalanced.
        while (raw.Count(c => c == '"') % 2 == 1)
        {
            var more = ReadRawLine() ?? throw new SourceFormatException($"{_fileName}: line {RecordLine}: a quoted field is not closed before the end of the file (truncated?)");
            raw += "\n" + more;
        }
        var fields = Split(raw, RecordLine);
        if (fields.Length != Header.Length)
        {
            throw new SourceFormatException($"{_fileName}: line {RecordLine}: {fields.Length} fields where the header has {Header.Length} (delimiter '{Delimiter}')");
        }
        return fields;
    }

    private string? ReadRawLine()
    {
        try
        {
            var s = _reader.ReadLine();
            if (s is not null)
            {
                _line++;
            }
            return s;
        }
        catch (DecoderFallbackException e)
        {
            throw new SourceFormatException($"{_fileName}: line {_line + 1} is not valid UTF-8 (byte 0x{(e.BytesUnknown is { Length: > 0 } b ? b[0] : 0):X2}); re-encode the file as UTF-8, e.g. iconv -f latin1 -t utf-8", e);
        }
    }

    private string[] Split(string line, long lineNumber)
    {
        var fields = new List<string>();
        var sb = new StringBuilder();
        var quoted = false;
        for (var i = 0; i < line.Length; i++)
        {
            var c = line[i];
            if (quoted)
            {
                if (c == '"')
                {
                    if (i + 1 < line.Length && line[i + 1] == '"')
                    {
                        sb.Append('"');
                        i++;
                    }
                    else
                    {
                        quoted = false;
                    }
                }
                else
                {
                    sb.Append(c);
                }
            }
            else if (c == '"')
            {
                quoted = true;
            }
            else if (c == Delimiter)
            {
                fields.Add(sb.ToString());
                sb.Clear();
            }
            else
            {
                sb.Append(c);
            }
        }
        if (quoted)
        {
            throw new SourceFormatException($"{_fileName}: line {lineNumber}: unbalanced quote");
        }
        fields.Add(sb.ToString());
        return [.. fields];
    }

    public void Dispose() => _reader.Dispose();
}
