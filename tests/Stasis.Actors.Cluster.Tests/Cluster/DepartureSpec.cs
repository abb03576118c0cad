using Akka.Actor;
using Stasis.Actors.Caching;
using Stasis.Actors.Cluster.Tests.Support;
using Stasis.Actors.Messages;
using Xunit.Abstractions;

namespace Stasis.Actors.Cluster.Tests.Cluster;

[Trait("Category", "Cluster")]
public sealed class DepartureSpec(ITestOutputHelper output) : ClusterSpec(output)
{
    [Fact]
    public async Task Entries_of_a_departed_node_still_queued_for_the_cache_are_purged_too()
    {
        // A's cache is held (its aggregate waits on a gate) while its bridge receives all of B's entries and B
        // leaves: the purge must clear the entries the cache adds after B's departure was seen, not only those
        // it held at that moment.
        var (a, b) = StartCluster(1) switch { var n => (n[0], n[1]) };
        using var gate = new ManualResetEventSlim();
        CachingTopic Follow(StasisCluster node, bool held)
        {
            var type = node.Bus.CreateMessageType<DeviceState>("device_state");
            var cache = new StasisCache(node.Bus, m => (m.Data as DeviceState)?.Device, (id, snapshots) =>
            {
                if (held)
                    gate.Wait(Patience);
                return type.CreateMessage(new DeviceState(id, snapshots.Sum(s => ((DeviceState)s.Data).Load)));
            });
            return node.CreateCachingTopic(cache, node.Bus.CreateTopic("devices"));
        }
        var onA = Follow(a, held: true);
        var onB = Follow(b, held: false);
        await a.WaitForSubscribersAsync(onA.Upstream, 1, Patience);
        await b.WaitForSubscribersAsync(onB.Upstream, 1, Patience);
        var typeB = (MessageType<DeviceState>)b.Bus.GetMessageType("device_state")!;
        for (var i = 0; i < 500; i++)
            onB.Upstream.Publish(typeB, new DeviceState("dev" + i, 1));
        AwaitCondition(() => a.ReceivedCount >= 500, Patience);

        var left = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        a.SystemTopic.Subscribe((_, _, m) => { if (m.Data is NodeLeft l && l.Eid == b.Eid) left.TrySetResult(); });
        await Await(CoordinatedShutdown.Get(b.System).Run(CoordinatedShutdown.ClusterLeavingReason.Instance));
        await Await(left.Task);
        gate.Set();

        var type = a.Bus.GetMessageType("device_state")!;
        AwaitCondition(() => onA.Subscription.QueueDepth == 0 && onA.Cache.Dump(type, b.Eid).Count == 0, Patience);
        Assert.DoesNotContain(onA.Cache.DumpAggregates(type), s => ((DeviceState)s.Data).Load > 0);
    }
}
