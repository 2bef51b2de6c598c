using SmartRegion.Parquet.Thrift;

namespace SmartRegion.Parquet.Tests;

public sealed class ThriftTests
{
    [Fact]
    public void Skip_BinaryField_LandsOnTheNextField()
    {
        // struct { 1: binary "abc"; 2: i32 3 } — skipping field 1 must consume its length varint and its bytes.
        byte[] bytes = [0x18, 0x03, (byte)'a', (byte)'b', (byte)'c', 0x15, 0x06, 0x00];
        var r = new CompactReader(bytes, 0, bytes.Length);
        r.BeginStruct();
        Assert.True(r.NextField(out var id, out var type));
        Assert.Equal((1, CompactType.Binary), (id, type));
        r.Skip(type);
        Assert.True(r.NextField(out id, out type));
        Assert.Equal((2, CompactType.I32), (id, type));
        Assert.Equal(3, r.ReadI32());
        Assert.False(r.NextField(out _, out _));
        r.EndStruct();
        Assert.Equal(bytes.Length, r.Position);
    }
}
