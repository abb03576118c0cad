using Akka.Actor;
using Stasis.Actors.Tests.Support;
using Xunit.Abstractions;

namespace Stasis.Actors.Tests.Pools;

public sealed class CachingPatternSpec(ITestOutputHelper output) : BusSpec(output)
{
    [Fact]
    public void Caching_pattern_wires_all_cached_all_and_one_topic_per_object()
    {
        using var channels = new CachingPattern(Bus, Unique("channel"), m => (m.Data as Snapshot)?.Id);
        channels.All.Subscribe((_, t, m) => { if (m.Data is Snapshot s) TestActor.Tell(("all", t.Name, s.Id)); });
        channels.AllCached.Topic.Subscribe((_, _, m) => { if (m.Data is CacheUpdate u) TestActor.Tell(("cached", u.Id, u.OldSnapshot is null)); });
        var chan1 = channels.GetTopic("chan-1");
        chan1.Subscribe((_, _, m) => { if (m.Data is Snapshot s) TestActor.Tell(("own", s.Id)); });

        chan1.Publish(Snap("chan-1", 1));

        ExpectMsgAllOf<object>(("all", chan1.Name, "chan-1"), ("cached", "chan-1", true), ("own", "chan-1"));
        AwaitCondition(() => channels.Cache.Get(SnapshotType, "chan-1") is not null, Patience);
        Assert.Equal(channels.All.Name + "/chan-1", chan1.Name);
        Assert.True(channels.DeleteTopic("chan-1"));
        Assert.True(chan1.IsDestroyed);
    }
}
