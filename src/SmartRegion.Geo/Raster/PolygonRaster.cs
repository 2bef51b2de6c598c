using System.Buffers.Binary;
using System.IO.Compression;

namespace SmartRegion.Geo.Raster;

/// <summary>
/// Polygons filled on a square RGBA image and written as PNG: the map's building footprints layer, drawn by the API from
/// PostGIS with no imaging library. Rings use the even-odd rule (holes stay empty); edges are anti-aliased by sampling each
/// pixel at 4 × 4 points; coordinates are pixels, x to the right and y down, as ST_AsMVTGeom gives them.
/// </summary>
public sealed class PolygonRaster
{
    private const int Sub = 4;
    private readonly int _size;
    private readonly byte[] _coverage;   // per pixel: sub-samples covered, 0 … Sub²
    private readonly List<(double X0, double Y0, double X1, double Y1)> _edges = [];

    public PolygonRaster(int size)
    {
        if (size is < 1 or > 4096)
        {
            throw new ArgumentOutOfRangeException(nameof(size), size, "an image side from 1 to 4096 pixels");
        }
        _size = size;
        _coverage = new byte[size * size];
    }

    public int Size => _size;

    /// <summary>Adds one polygon's rings (each a closed or open list of x, y pairs); it is filled by <see cref="Fill"/>.</summary>
    public void AddRing(ReadOnlySpan<double> xy)
    {
        var n = xy.Length / 2;
        for (var i = 0; i < n; i++)
        {
            var j = (i + 1) % n;
            if (xy[2 * i + 1] != xy[2 * j + 1])
            {
                _edges.Add((xy[2 * i], xy[2 * i + 1], xy[2 * j], xy[2 * j + 1]));
            }
        }
    }

    /// <summary>Fills the rings added since the last fill (one polygon or many: even-odd over all of them) and forgets them.</summary>
    public void Fill()
    {
        if (_edges.Count == 0)
        {
            return;
        }
        double minY = double.MaxValue, maxY = double.MinValue;
        foreach (var (_, y0, _, y1) in _edges)
        {
            minY = Math.Min(minY, Math.Min(y0, y1));
            maxY = Math.Max(maxY, Math.Max(y0, y1));
        }
        var crossings = new List<double>();
        var fromRow = (int)Math.Clamp(Math.Floor(minY * Sub), 0, _size * Sub);
        var toRow = (int)Math.Clamp(Math.Ceiling(maxY * Sub), 0, _size * Sub);
        for (var sy = fromRow; sy < toRow; sy++)
        {
            var y = (sy + 0.5) / Sub;
            crossings.Clear();
            foreach (var (x0, y0, x1, y1) in _edges)
            {
                if ((y0 <= y && y < y1) || (y1 <= y && y < y0))
                {
                    crossings.Add(x0 + (y - y0) * (x1 - x0) / (y1 - y0));
                }
            }
            if (crossings.Count < 2)
            {
                continue;
            }
            crossings.Sort();
            var row = (sy / Sub) * _size;
            for (var k = 0; k + 1 < crossings.Count; k += 2)
            {
                // Sub-sample columns whose centre lies in [from, to).
                var first = Math.Max(0, (int)Math.Ceiling(crossings[k] * Sub - 0.5));
                var last = Math.Min(_size * Sub - 1, (int)Math.Ceiling(crossings[k + 1] * Sub - 0.5) - 1);
                for (var sx = first; sx <= last; sx++)
                {
                    var p = row + sx / Sub;
                    if (_coverage[p] < Sub * Sub)
                    {
                        _coverage[p]++;
                    }
                }
            }
        }
        _edges.Clear();
    }

    /// <summary>True when nothing was filled.</summary>
    public bool IsEmpty => !_coverage.AsSpan().ContainsAnyExcept((byte)0);

    /// <summary>The image as PNG: every pixel the colour given, its alpha scaled by how much of the pixel is covered.</summary>
    public byte[] ToPng(byte r, byte g, byte b, byte alpha)
    {
        using var raw = new MemoryStream();
        using (var z = new ZLibStream(raw, CompressionLevel.Fastest, leaveOpen: true))
        {
            var line = new byte[1 + _size * 4];
            for (var y = 0; y < _size; y++)
            {
                line[0] = 0;   // filter: none
                for (var x = 0; x < _size; x++)
                {
                    var c = _coverage[y * _size + x];
                    var o = 1 + x * 4;
                    line[o] = r;
                    line[o + 1] = g;
                    line[o + 2] = b;
                    line[o + 3] = (byte)(alpha * c / (Sub * Sub));
                }
                z.Write(line);
            }
        }
        using var png = new MemoryStream();
        png.Write([0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A]);
        Span<byte> header = stackalloc byte[13];
        BinaryPrimitives.WriteInt32BigEndian(header, _size);
        BinaryPrimitives.WriteInt32BigEndian(header[4..], _size);
        header[8] = 8;    // bits per channel
        header[9] = 6;    // RGBA
        header[10] = 0;   // deflate
        header[11] = 0;   // adaptive filtering
        header[12] = 0;   // no interlace
        Chunk(png, "IHDR", header);
        Chunk(png, "IDAT", raw.GetBuffer().AsSpan(0, (int)raw.Length));
        Chunk(png, "IEND", []);
        return png.ToArray();
    }

    private static void Chunk(Stream png, string type, ReadOnlySpan<byte> data)
    {
        Span<byte> word = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(word, data.Length);
        png.Write(word);
        Span<byte> typeBytes = [(byte)type[0], (byte)type[1], (byte)type[2], (byte)type[3]];
        png.Write(typeBytes);
        png.Write(data);
        var crc = Crc32.Update(Crc32.Update(0xFFFFFFFFu, typeBytes), data) ^ 0xFFFFFFFFu;
        BinaryPrimitives.WriteUInt32BigEndian(word, crc);
        png.Write(word);
    }

    /// <summary>The PNG chunk CRC (ISO 3309, the zlib polynomial), table-driven.</summary>
    private static class Crc32
    {
        private static readonly uint[] Table = Make();

        private static uint[] Make()
        {
            var table = new uint[256];
            for (uint n = 0; n < 256; n++)
            {
                var c = n;
                for (var k = 0; k < 8; k++)
                {
                    c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
                }
                table[n] = c;
            }
            return table;
        }

        public static uint Update(uint crc, ReadOnlySpan<byte> data)
        {
            foreach (var b in data)
            {
                crc = Table[(crc ^ b) & 0xFF] ^ (crc >> 8);
            }
            return crc;
        }
    }
}
