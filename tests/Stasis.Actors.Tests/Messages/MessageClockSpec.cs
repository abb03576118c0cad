using Stasis.Actors.Configuration;
using Stasis.Actors.Messages.Internal;

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
        var clock = new MessageClock.CoarseClock(resyncMilliseconds: 1);
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
