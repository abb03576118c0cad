using Akka.TestKit.Xunit2;
using Stasis.Actors;
using Stasis.Host.ChanStats;
using Stasis.Host.StatsD;
using Stasis.Host.Traffic;
using Xunit.Abstractions;

namespace Stasis.Host.Tests;

public sealed class ChanStatsSpec : TestKit
{
    private static readonly Stasis.Actors.EntityId OtherNode = new("02:00:00:00:00:02");
    private readonly ChannelTopics _channels;
    private readonly Metrics _metrics = new(null, "", "c");
    private readonly ChanStatsModule _module;

    // The precise message clock, as the host configures it: calltime subtracts a channel's creation time, read from the
    // wall clock, from its last snapshot's timestamp, which the coarse clock may stamp up to a few milliseconds early.
    public ChanStatsSpec(ITestOutputHelper output) : base("akka.loglevel = INFO\nstasis.message-clock = precise", output: output)
    {
        _channels = ChannelTopics.Create(StasisBus.Get(Sys));
        _module = ChanStatsModule.Load(_channels, _metrics);
    }

    [Fact]
    public void Every_message_on_channel_all_is_metered_by_its_type_name()
    {
        var topic = _channels.ForChannel("1.1");
        topic.Publish(_channels.DialType, new ChannelDial("1.1", "1.2", "PJSIP/2000", ""));
        topic.Publish(_channels.DialType, new ChannelDial("1.1", "1.2", "PJSIP/2000", "ANSWER"));
        topic.Publish(_channels.DtmfType, new ChannelDtmf("1.1", '5', 100));

        AwaitAssert(() =>
        {
            Assert.Equal(2, _metrics.Meters.GetValueOrDefault("stasis.message.ast_channel_dial_type"));
            Assert.Equal(1, _metrics.Meters.GetValueOrDefault("stasis.message.ast_channel_dtmf_end_type"));
        });
    }

    [Fact]
    public void A_channel_counts_plus_one_when_created_and_minus_one_with_its_calltime_when_cleared()
    {
        var topic = _channels.ForChannel("1.1");
        var created = new ChannelSnapshot("1.1", "PJSIP/alice-00000001", ChannelState.Down, "1000", "s", DateTimeOffset.UtcNow.AddMilliseconds(-500));

        topic.Publish(_channels.SnapshotType, created);
        topic.Publish(_channels.SnapshotType, created with { State = ChannelState.Up });
        AwaitAssert(() => Assert.Equal(2, _module.Updates));
        Assert.Equal(1, _metrics.GaugeValue(ChanStatsModule.ChannelCount));

        topic.Publish(_channels.SnapshotType, created with { State = ChannelState.Up, IsDead = true, HangupCause = 16 });
        topic.Publish(_channels.CacheClear("1.1")!);
        AwaitAssert(() => Assert.Equal(0, _metrics.GaugeValue(ChanStatsModule.ChannelCount)));
        var calltime = _metrics.TimerOf(ChanStatsModule.CallTime)!;
        Assert.Equal(1, calltime.Count);
        Assert.True(calltime.Min >= 500, $"calltime {calltime.Min} ms: measured from the creation time to the last snapshot");
    }

    [Fact]
    public void A_message_from_another_node_is_metered_and_counted_as_remote()
    {
        var topic = _channels.ForChannel("1.1");
        topic.Publish(_channels.DialType, new ChannelDial("1.1", "1.2", "PJSIP/2000", ""));
        topic.Publish(_channels.DialType.CreateMessage(new ChannelDial("9.1", "9.2", "PJSIP/2000", ""), OtherNode)!);

        AwaitAssert(() => Assert.Equal(2, _metrics.Meters.GetValueOrDefault("stasis.message.ast_channel_dial_type")));
        Assert.Equal(1, _module.CountedLocal.GetValueOrDefault("ast_channel_dial_type"));
        Assert.Equal(1, _module.CountedRemote.GetValueOrDefault("ast_channel_dial_type"));
    }

    [Fact]
    public void A_departed_nodes_live_channel_cleared_from_the_cache_counts_minus_one_without_a_calltime()
    {
        var topic = _channels.ForChannel("9.1");
        var live = new ChannelSnapshot("9.1", "PJSIP/bob-00000001", ChannelState.Up, "2000", "s", DateTimeOffset.UtcNow.AddMilliseconds(-500));

        topic.Publish(_channels.SnapshotType.CreateMessage(live, OtherNode)!);
        AwaitAssert(() => Assert.Equal(1, _metrics.GaugeValue(ChanStatsModule.ChannelCount)));
        topic.Publish(_channels.ClearType.CreateMessage(new Stasis.Actors.CacheClear(_channels.SnapshotType, "9.1"), OtherNode)!);

        AwaitAssert(() => Assert.Equal(0, _metrics.GaugeValue(ChanStatsModule.ChannelCount)));
        Assert.Null(_metrics.TimerOf(ChanStatsModule.CallTime)); // it never hung up: no call time
        Assert.Equal(0, _module.Updates); // updates of this node's own entries only
    }

    [Fact]
    public async Task Unloading_delivers_both_final_messages()
    {
        await _module.UnloadAsync(CancellationToken.None);

        Assert.Equal(2, _module.FinalMessages);
        Assert.All(_module.Subscriptions, s => Assert.True(s.IsDone));
    }
}
