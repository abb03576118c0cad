using Stasis.Actors.Configuration;
using Stasis.Actors.Internal;
using Stasis.Actors.Tests.Support;
using Xunit.Abstractions;

namespace Stasis.Actors.Tests.Messages;

public sealed class MessageClockSpec
{
    private static readonly TimeSpan Slack = TimeSpan.FromMilliseconds(100);

    [Fact]
    public void Coarse_clock_stays_close_to_the_wall_clock()
    {
        var clock = MessageClock.For(MessageClockKind.Coarse);
        for (var i = 0; i < 1000; i++)
        {
            var before = DateTimeOffset.UtcNow;
            var stamp = new DateTimeOffset(clock.UtcTicks(), TimeSpan.Zero);
            Assert.InRange(stamp, before - Slack, DateTimeOffset.UtcNow + Slack);
        }
    }

    [Fact]
    public void Coarse_clock_never_goes_backwards_across_resyncs()
    {
        var clock = new MessageClock.CoarseClock(resyncMilliseconds: 1, MessageClock.CoarseClock.TickMilliseconds);
        var start = Environment.TickCount64;
        var previous = new DateTimeOffset(clock.UtcTicks(), TimeSpan.Zero);
        var steps = 0;
        while (Environment.TickCount64 - start < 50)
        {
            var next = new DateTimeOffset(clock.UtcTicks(), TimeSpan.Zero);
            Assert.True(next >= previous, $"{next:O} came after {previous:O}");
            steps += next > previous ? 1 : 0;
            previous = next;
        }
        Assert.True(steps > 0, "the coarse clock never advanced");
    }

    [Fact]
    public void Precise_clock_is_the_wall_clock()
    {
        var before = DateTimeOffset.UtcNow;
        var stamp = new DateTimeOffset(MessageClock.For(MessageClockKind.Precise).UtcTicks(), TimeSpan.Zero);
        Assert.InRange(stamp, before, DateTimeOffset.UtcNow);
    }
}

/// <summary>
/// Honest timestamps (Asterisk asserts 0 &lt;= timestamp - time before create &lt; 10 ms): with either clock, no message is
/// stamped before the wall time read just before <c>CreateMessage</c>, nor later than the wall time read just after it
/// plus the clock's documented lateness (0 precise, 2R + 1 ms coarse).
/// </summary>
public abstract class TimestampSpec(ITestOutputHelper output, string clock) : StasisSpec(output, $"stasis.message-clock = {clock}")
{
    [Fact]
    public void No_timestamp_is_before_the_call_that_made_it_nor_later_than_the_clock_allows()
    {
        var late = TimeSpan.FromMilliseconds(Bus.Clock is MessageClock.CoarseClock coarse ? coarse.MaxLateMilliseconds : 0);
        Assert.True(late < TimeSpan.FromMilliseconds(10), $"a stamp may be {late} late");
        var early = 0;
        var tooLate = 0;
        for (var i = 0; i < 100_000; i++)
        {
            var before = DateTimeOffset.UtcNow;
            var stamp = Ping(i).Timestamp;
            var after = DateTimeOffset.UtcNow;
            early += stamp < before ? 1 : 0;
            tooLate += stamp > after + late ? 1 : 0;
        }
        Assert.Equal((0, 0), (early, tooLate));
    }
}

public sealed class CoarseTimestampSpec(ITestOutputHelper output) : TimestampSpec(output, "coarse");

public sealed class PreciseTimestampSpec(ITestOutputHelper output) : TimestampSpec(output, "precise");
