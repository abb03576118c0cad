using Akka.TestKit.Xunit2;
using Stasis.Actors;
using Stasis.Host.Configuration;
using Stasis.Host.Traffic;
using Xunit.Abstractions;

namespace Stasis.Host.Tests;

public sealed class TrafficSpec : TestKit
{
    private readonly ChannelTopics _channels;
    private readonly TrafficStats _stats = new();

    public TrafficSpec(ITestOutputHelper output) : base("akka.loglevel = INFO", output: output)
    {
        _channels = ChannelTopics.Create(StasisBus.Get(Sys));
    }

    [Fact]
    public void A_call_publishes_each_channels_lifecycle_on_its_own_topic_then_clears_it()
    {
        var probe = CreateTestProbe();
        _channels.All.Subscribe(probe.Ref);
        Sys.ActorOf(TrafficActor.Props(_channels, Settings(callsPerSecond: 20, holdMs: 50), _stats));

        var seen = new List<StasisEnvelope>();
        probe.FishForMessage<StasisEnvelope>(e =>
        {
            seen.Add(e);
            return e.Message.Data is CacheClear && seen.Count(s => s.Message.Data is CacheClear) == 2;
        }, TimeSpan.FromSeconds(10));

        var snapshots = seen.Select(e => e.Message.Data).OfType<ChannelSnapshot>().ToList();
        var caller = snapshots[0].UniqueId;
        var callee = snapshots.First(s => s.UniqueId != caller).UniqueId;
        Assert.Equal([ChannelState.Down, ChannelState.Ring, ChannelState.Up, ChannelState.Up], snapshots.Where(s => s.UniqueId == caller).Select(s => s.State));
        Assert.Equal([ChannelState.Down, ChannelState.Ringing, ChannelState.Up, ChannelState.Up], snapshots.Where(s => s.UniqueId == callee).Select(s => s.State));
        Assert.True(snapshots.Last(s => s.UniqueId == caller).IsDead);
        Assert.Equal([caller, callee], seen.Select(e => e.Message.Data).OfType<CacheClear>().Select(c => c.Id));
        Assert.All(seen.Where(e => e.Message.Data is ChannelSnapshot { UniqueId: var id } && id == caller),
            e => Assert.Equal($"channel:all/{caller}", e.Topic.Name));
        Assert.Contains(seen, e => e.Message.Data is ChannelDial { Status: "ANSWER" } dial && dial.CallerUniqueId == caller && dial.PeerUniqueId == callee);
        Assert.Contains(seen, e => e.Message.Data is ChannelDtmf { UniqueId: var id } && id == caller);
        Assert.Equal(2, seen.Count(e => e.Message.Data is ChannelVarSet v && (v.UniqueId == caller || v.UniqueId == callee)));
    }

    [Fact]
    public void Stop_lets_live_calls_end_after_their_hold_time_then_answers()
    {
        var traffic = Sys.ActorOf(TrafficActor.Props(_channels, Settings(callsPerSecond: 200, holdMs: 300), _stats));
        AwaitCondition(() => _stats.CallsPlaced > 0);

        traffic.Tell(new StopTraffic(HangUpNow: false), TestActor);

        ExpectMsg<TrafficStopped>(TimeSpan.FromSeconds(10));
        Assert.Equal(_stats.CallsPlaced, _stats.CallsCompleted);
        Assert.Equal(0, _stats.ActiveChannels);
        Assert.Equal(_stats.CallsPlaced * 15, _stats.Published);
    }

    [Fact]
    public void Stop_with_hang_up_now_ends_every_call_at_once()
    {
        var traffic = Sys.ActorOf(TrafficActor.Props(_channels, Settings(callsPerSecond: 200, holdMs: 3_600_000), _stats));
        AwaitCondition(() => _stats.CallsPlaced > 0);

        traffic.Tell(new StopTraffic(HangUpNow: true), TestActor);

        ExpectMsg<TrafficStopped>();
        Assert.Equal(_stats.CallsPlaced, _stats.CallsCompleted);
        Assert.Equal(0, _stats.ActiveChannels);
    }

    private static TrafficSettings Settings(double callsPerSecond, int holdMs) =>
        new(callsPerSecond, TimeSpan.FromMilliseconds(holdMs), TimeSpan.FromMilliseconds(10), "PJSIP");
}
