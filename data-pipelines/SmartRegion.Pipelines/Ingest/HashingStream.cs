using System.Security.Cryptography;
using SmartRegion.Geo.Readers;

namespace SmartRegion.Pipelines.Ingest;

/// <summary>A read-only forward stream that hashes (SHA-256) what passes through, so the checksum costs no second read.</summary>
internal sealed class HashingStream(Stream inner) : ForwardReadStream
{
    private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);

    public long Position2 { get; private set; }

    public override long Length => inner.Length;
    public override long Position { get => Position2; set => throw new NotSupportedException(); }

    /// <summary>The SHA-256 of everything read, as lower-case hex (call at the end of the file).</summary>
    public string HashHex()
    {
        // Hash the rest too, in case the reader stopped before the end (trailing whitespace).
        var buffer = new byte[81920];
        int n;
        while ((n = inner.Read(buffer, 0, buffer.Length)) > 0)
        {
            _hash.AppendData(buffer, 0, n);
        }
        return Convert.ToHexStringLower(_hash.GetHashAndReset());
    }

    public override int Read(byte[] buffer, int offset, int count)
    {
        var n = inner.Read(buffer, offset, count);
        _hash.AppendData(buffer, offset, n);
        Position2 += n;
        return n;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            inner.Dispose();
            _hash.Dispose();
        }
        base.Dispose(disposing);
    }
}
