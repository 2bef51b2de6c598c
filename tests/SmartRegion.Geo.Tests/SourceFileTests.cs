using System.IO.Compression;
using System.Text;
using SmartRegion.Geo.Readers;

namespace SmartRegion.Geo.Tests;

public sealed class SourceFileTests
{
    private static string Temp(string name, byte[] bytes)
    {
        var path = Path.Combine(Path.GetTempPath(), "sr-sourcefile-" + Guid.NewGuid().ToString("N")[..8] + "-" + name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    private static byte[] Gzip(byte[] data)
    {
        using var output = new MemoryStream();
        using (var gz = new GZipStream(output, CompressionLevel.Fastest))
        {
            gz.Write(data);
        }
        return output.ToArray();
    }

    [Fact]
    public void ContentLength_GzipFile_TheDecompressedSizeFromItsTrailer()
    {
        // Decides the direct-COPY path of a large load: a 100 kB text compressed to a few hundred bytes is 100 kB of content.
        var text = Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat("{\"type\":\"Feature\"}\n", 5000)));
        var gz = Temp("a.geojson.gz", Gzip(text));
        var plain = Temp("a.geojson", text);
        Assert.True(new FileInfo(gz).Length < 2000);
        Assert.Equal(text.Length, SourceFile.ContentLength(gz));
        Assert.Equal(text.Length, SourceFile.ContentLength(plain));
        Assert.Equal(3, SourceFile.ContentLength(Temp("tiny", "abc"u8.ToArray())));
    }

    [Fact]
    public void OpenContent_GzipAndPlain_SameBytesAndNamesWithoutGz()
    {
        var text = Encoding.UTF8.GetBytes("id;x\n1;2\n");
        var gz = Temp("b.csv.gz", Gzip(text));
        using (var s = SourceFile.OpenContent(gz))
        using (var copy = new MemoryStream())
        {
            s.CopyTo(copy);
            Assert.Equal(text, copy.ToArray());
        }
        Assert.True(SourceFile.IsGzip(gz));
        Assert.False(SourceFile.IsGzip(Temp("c.csv", text)));
        Assert.EndsWith("b.csv", SourceFile.InnerName(gz));
    }

    [Fact]
    public void OpenContent_GzipCutBeforeItsEnd_FailsNamingTheFile()
    {
        var text = Encoding.UTF8.GetBytes(string.Concat(Enumerable.Range(0, 20000).Select(i => $"{i};{i * 7 % 13}\n")));
        var whole = Gzip(text);
        var cut = Temp("cut.csv.gz", whole[..(whole.Length / 2)]);
        var e = Assert.Throws<SourceFormatException>(() =>
        {
            using var s = SourceFile.OpenContent(cut);
            s.CopyTo(Stream.Null);
        });
        Assert.Contains("cut.csv.gz: the gzip file is truncated or corrupt", e.Message);
    }
}
