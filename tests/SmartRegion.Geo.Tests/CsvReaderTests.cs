using System.Text;
using SmartRegion.Geo.Readers;

namespace SmartRegion.Geo.Tests;

public sealed class CsvReaderTests
{
    static CsvReaderTests() => Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);

    private static CsvReader Open(byte[] bytes, CsvOptions? options = null) => new(new MemoryStream(bytes), "t.csv", options);

    private static CsvReader Open(string text, CsvOptions? options = null) => Open(Encoding.UTF8.GetBytes(text), options);

    private static List<CsvRecord> All(CsvReader reader)
    {
        var list = new List<CsvRecord>();
        while (reader.Next() is { } r)
        {
            list.Add(r);
        }
        return list;
    }

    [Theory]
    [InlineData("a,b\n1,2\n", ',')]
    [InlineData("a;b\n1;2\n", ';')]
    [InlineData("a\tb\n1\t2\n", '\t')]
    [InlineData("a|b\n1|2\n", '|')]
    [InlineData("x;y\n1,5;2,5\n3,5;4,5\n", ';')] // decimal commas: ',' is absent from the header
    public void Delimiter_EachSupported_DetectedFromTheLines(string text, char expected)
    {
        using var reader = Open(text);
        Assert.Equal(expected, reader.Delimiter);
        Assert.Equal(2, All(reader)[0].Fields.Length);
    }

    [Fact]
    public void Encoding_Windows1252Bytes_DetectedAndDecoded()
    {
        var bytes = Encoding.GetEncoding(1252).GetBytes("commune;libellé\n93066;Saint-Denis – Pleyel é\n");
        using var reader = Open(bytes);
        Assert.Equal("windows-1252", reader.EncodingName);
        Assert.Equal("libellé", reader.Header[1]);
        Assert.Equal("Saint-Denis – Pleyel é", All(reader)[0].Fields[1]);
    }

    [Fact]
    public void Encoding_Utf8WithBom_BomSkippedAndReported()
    {
        using var reader = Open([0xEF, 0xBB, 0xBF, .. Encoding.UTF8.GetBytes("nom,x\nÉcole,1\n")]);
        Assert.Equal(("utf-8", true), (reader.EncodingName, reader.HasBom));
        Assert.Equal("nom", reader.Header[0]);
        Assert.Equal("École", All(reader)[0].Fields[0]);
    }

    [Fact]
    public void Quoting_Rfc4180_QuotesDelimitersLineBreaksAndEmptyVersusMissing()
    {
        using var reader = Open("a,b,c\n\"x, \"\"y\"\"\",\"line 1\nline 2\",\n\"\",,z\n");
        var records = All(reader);
        Assert.Equal((string?[])["x, \"y\"", "line 1\nline 2", null], records[0].Fields);
        Assert.Equal(2, records[0].Line);
        Assert.Equal((string?[])["", null, "z"], records[1].Fields);
        Assert.Equal(4, records[1].Line); // the quoted line break moved it
    }

    [Fact]
    public void Next_BlankLinesAndCrLf_SkippedAndCounted()
    {
        using var reader = Open("a,b\r\n1,2\r\n\r\n3,4");
        var records = All(reader);
        Assert.Equal([(2L, "1"), (4L, "3")], records.Select(r => (r.Line, r.Fields[0]!)));
        Assert.Equal(4, reader.RecordLine);
    }

    [Fact]
    public void Header_EmptyNameNamedDuplicateRefused()
    {
        using (var reader = Open(" id ,,x\n1,2,3\n"))
        {
            Assert.Equal(["id", "column_2", "x"], reader.Header);
            Assert.Equal(2, reader.Column("X"));
        }
        var e = Assert.Throws<SourceFormatException>(() => Open("id,x,id\n1,2,3\n"));
        Assert.Equal("t.csv: line 1: the column name 'id' appears more than once", e.Message);
    }

    [Fact]
    public void Read_EmptyFile_SaysSo()
    {
        var e = Assert.Throws<SourceFormatException>(() => Open(""));
        Assert.Equal("t.csv: the file is empty (no header line)", e.Message);
    }

    [Fact]
    public void Read_UnclosedQuote_NamesTheRecordsLine()
    {
        using var reader = Open("a,b\n1,2\n3,\"never closed\n4,5\n");
        reader.Next();
        var e = Assert.Throws<SourceFormatException>(() => reader.Next());
        Assert.Equal("t.csv: line 3: a quoted field is not closed before the end of the file (truncated?)", e.Message);
    }

    [Fact]
    public void Read_Utf8FileWithLatin1BytesAfterTheSample_NamesTheLine()
    {
        var text = new StringBuilder("id,name\n");
        for (var i = 0; i < 8000; i++)
        {
            text.Append(i).Append(",école\n"); // > 64 kB of valid UTF-8: detection sees UTF-8
        }
        byte[] bytes = [.. Encoding.UTF8.GetBytes(text.ToString()), .. Encoding.GetEncoding(1252).GetBytes("8000,Épinay\n")];
        using var reader = Open(bytes);
        Assert.Equal("utf-8", reader.EncodingName);
        var e = Assert.Throws<SourceFormatException>(() => All(reader));
        Assert.Equal("t.csv: line 8002: bytes that are not valid utf-8 (mixed encodings in one file?); save the file in one encoding, UTF-8 preferably", e.Message);
    }

    [Fact]
    public void Read_Bounds_TooManyColumnsOrTooLongAField_NamesTheLine()
    {
        var columns = Assert.Throws<SourceFormatException>(() => All(Open("a,b\n1,2\n" + string.Join(',', Enumerable.Range(0, 20)) + "\n", new CsvOptions(MaxColumns: 10))));
        Assert.Equal("t.csv: line 3: more than 10 columns", columns.Message);
        var field = Assert.Throws<SourceFormatException>(() => All(Open("a\n" + new string('x', 101) + "\n", new CsvOptions(MaxFieldChars: 100))));
        Assert.StartsWith("t.csv: line 2: a field is longer than 100 characters", field.Message);
        // Each field within its bound, the record not (one endless row): a record is held whole.
        var record = Assert.Throws<SourceFormatException>(() => All(Open("a;b;c\n" + string.Join(';', Enumerable.Repeat(new string('x', 100), 3)) + "\n",
            new CsvOptions(MaxFieldChars: 100, MaxRecordChars: 250))));
        Assert.Equal("t.csv: line 2: the record is longer than 250 characters (is a line end missing?)", record.Message);
    }

    [Fact]
    public void Read_LongFileInSmallPieces_SameRecordsAsTheWholeText()
    {
        // Records cross the reader's 64k-character buffer: quoted fields, CR LF and doubled quotes at every offset.
        var text = new StringBuilder("id;text;n\r\n");
        var expected = new List<string?[]>();
        for (var i = 0; i < 20_000; i++)
        {
            var value = i % 3 == 0 ? $"a \"q\" ;{i}\r\nb" : $"v{i}";
            text.Append(i).Append(';').Append(i % 3 == 0 ? "\"" + value.Replace("\"", "\"\"") + "\"" : value).Append(';').Append(i % 5 == 0 ? "" : "1.5").Append("\r\n");
            expected.Add([i.ToString(System.Globalization.CultureInfo.InvariantCulture), value, i % 5 == 0 ? null : "1.5"]);
        }
        using var reader = new CsvReader(new OneByteAtATimeStream(Encoding.UTF8.GetBytes(text.ToString())), "t.csv");
        var records = All(reader);
        Assert.Equal(expected.Count, records.Count);
        for (var i = 0; i < expected.Count; i++)
        {
            Assert.Equal(expected[i], records[i].Fields);
        }
    }

    [Fact]
    public void AttributesJson_FieldsByHeader_EmptyIsNullAndOneColumnLeftOut()
    {
        using var reader = Open("id,wkt,nom\n1,POINT(1 2),\n");
        var record = reader.Next()!.Value;
        Assert.Equal("""{"id":"1","nom":null}""", Encoding.UTF8.GetString(reader.AttributesJson(record.Fields, except: 1)));
    }

    /// <summary>A stream that hands out small, uneven pieces, as a network or a decompressor may.</summary>
    private sealed class OneByteAtATimeStream(byte[] bytes) : MemoryStream(bytes)
    {
        private int _calls;

        public override int Read(byte[] buffer, int offset, int count) => base.Read(buffer, offset, Math.Min(count, 1 + (_calls++ % 7)));

        public override int Read(Span<byte> buffer) => base.Read(buffer[..Math.Min(buffer.Length, 1 + (_calls++ % 7))]);
    }
}
