using System.IO.Compression;

namespace SmartRegion.Geo.Readers;

/// <summary>
/// Source files as operators receive them: plain, or gzip-compressed (<c>.geojson.gz</c>, <c>.city.jsonl.gz</c>, <c>.csv.gz</c>),
/// recognised by the gzip magic bytes rather than the name and decompressed while streaming.
/// </summary>
public static class SourceFile
{
    /// <summary>Whether the file starts with the gzip magic bytes (1F 8B).</summary>
    public static bool IsGzip(string path) => Look(path).Gzip;

    /// <summary>
    /// The size of the file's content: its length, or for a gzip file the size its trailer gives (ISIZE, modulo 2^32, so at
    /// least the compressed length is taken: a content of 4 GB or more is not understated below it).
    /// </summary>
    public static long ContentLength(string path)
    {
        var look = Look(path);
        return look.Gzip ? Math.Max(look.Length, look.TrailerSize) : look.Length;
    }

    /// <summary>What one open of the file tells: its length, whether it is gzip, and its last 4 bytes as a gzip trailer's ISIZE.</summary>
    private readonly record struct FileLook(long Length, bool Gzip, uint TrailerSize);

    private static FileLook Look(string path)
    {
        using var f = File.OpenRead(path);
        var gzip = f.ReadByte() == 0x1F && f.ReadByte() == 0x8B;
        if (!gzip || f.Length < 18)
        {
            return new(f.Length, gzip, 0);
        }
        Span<byte> trailer = stackalloc byte[4];
        f.Seek(-4, SeekOrigin.End);
        f.ReadExactly(trailer);
        return new(f.Length, gzip, System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(trailer));
    }

    /// <summary>The file name without a trailing <c>.gz</c>, which names the format inside.</summary>
    public static string InnerName(string path)
    {
        var name = Path.GetFileName(path);
        return name.EndsWith(".gz", StringComparison.OrdinalIgnoreCase) ? name[..^3] : name;
    }

    /// <summary>
    /// The decompressed content of <paramref name="raw"/> (a stream over <paramref name="path"/> from its first byte) when the file
    /// is gzip-compressed, else <paramref name="raw"/> itself. A corrupt or truncated gzip file fails with a
    /// <see cref="SourceFormatException"/> naming the file.
    /// </summary>
    public static Stream Content(Stream raw, string path) => Look(path) is { Gzip: true } look ? new GunzipStream(raw, Path.GetFileName(path), look) : raw;

    /// <summary>Opens <paramref name="path"/> for a forward read of its (decompressed) content.</summary>
    public static Stream OpenContent(string path) =>
        Content(new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan), path);

    /// <summary>
    /// GZipStream that reports what went wrong in the file's terms. .NET's decompressor ends quietly where a file was cut, so at
    /// the end the decompressed size is checked against the gzip trailer's (ISIZE, the size modulo 2^32, in the last 4 bytes).
    /// </summary>
    private sealed class GunzipStream : ForwardReadStream
    {
        private readonly GZipStream _inner;
        private readonly string _fileName;
        private readonly uint _trailerSize;
        private readonly long _fileLength;
        private long _position;

        public GunzipStream(Stream raw, string fileName, FileLook look)
        {
            _inner = new GZipStream(raw, CompressionMode.Decompress, leaveOpen: false);
            _fileName = fileName;
            (_fileLength, _trailerSize) = (look.Length, look.TrailerSize);
        }

        public override long Length => throw new NotSupportedException();
        public override long Position { get => _position; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            int n;
            try
            {
                n = _inner.Read(buffer);
            }
            catch (InvalidDataException e)
            {
                throw new SourceFormatException($"{_fileName}: the gzip data is corrupt after {_position:N0} decompressed bytes ({e.Message})", e);
            }
            if (n == 0 && buffer.Length > 0 && (_fileLength < 18 || (uint)_position != _trailerSize))
            {
                throw new SourceFormatException($"{_fileName}: the gzip file is truncated or corrupt: it ends after {_position:N0} decompressed bytes, "
                    + $"its trailer says {_trailerSize:N0} (modulo 2^32); files of several concatenated gzip members are not read: gunzip it first");
            }
            _position += n;
            return n;
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                _inner.Dispose();
            }
            base.Dispose(disposing);
        }
    }
}
