using SmartRegion.Parquet.Reading;

namespace SmartRegion.Parquet.Tests;

public sealed class TimestampTests
{
    private static readonly long EpochTicks = DateTime.UnixEpoch.Ticks;

    [Theory]
    [InlineData(1, 10_000L)]
    [InlineData(2, 10L)]
    public void Timestamps_FirstAndLastRepresentableInstant_Convert(int unit, long ticksPerUnit)
    {
        long first = -EpochTicks / ticksPerUnit;
        var last = (DateTime.MaxValue.Ticks - EpochTicks) / ticksPerUnit;
        var times = LeafColumn.Timestamps([first, 0, last], unit, DateTimeKind.Utc);
        Assert.Equal(DateTime.MinValue.Ticks, times[0].Ticks);
        Assert.Equal(DateTime.UnixEpoch, times[1]);
        Assert.Equal(DateTimeKind.Utc, times[1].Kind);
        Assert.Equal(last * ticksPerUnit + EpochTicks, times[2].Ticks);
    }

    [Theory]
    [InlineData(1, -62_135_596_800_001L)] // a millisecond before 0001-01-01
    [InlineData(1, 253_402_300_800_000L)] // 10000-01-01 in milliseconds
    [InlineData(2, long.MaxValue)]
    [InlineData(2, long.MinValue)]
    public void Timestamps_OutsideYears1To9999_AreCorrupt(int unit, long value)
    {
        var e = Assert.Throws<CorruptDataException>(() => LeafColumn.Timestamps([value], unit, DateTimeKind.Utc));
        Assert.Equal($"timestamp {value} is outside the years 1..9999", e.Message);
    }

    [Fact]
    public void Timestamps_Nanoseconds_TruncateToTicksAtBothEnds()
    {
        var times = LeafColumn.Timestamps([long.MinValue, 1_234, long.MaxValue], 3, DateTimeKind.Unspecified);
        Assert.Equal(EpochTicks + long.MinValue / 100, times[0].Ticks);
        Assert.Equal(EpochTicks + 12, times[1].Ticks);
        Assert.Equal(EpochTicks + long.MaxValue / 100, times[2].Ticks);
    }
}
