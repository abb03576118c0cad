using System.Text.Json;
using Akka.Actor;
using Akka.Cluster.Tools.PublishSubscribe;
using Stasis.Actors.Cluster.Internal;
using Stasis.Actors.Cluster.Tests.Support;
using Xunit.Abstractions;

namespace Stasis.Actors.Cluster.Tests.Cluster;

[Trait("Category", "Cluster")]
public sealed class DepartureSpec(ITestOutputHelper output) : ClusterSpec(output)
{
    [Fact]
    public async Task Entries_of_a_departed_node_still_on_their_way_to_the_cache_are_purged_too()
    {
        // B leaves right after publishing: many of its entries are still on their way to A (in the bridge's mailbox)
        // when A sees it leave. Caches are written on the bridge's thread as it dispatches each message, and the purge
        // runs on that thread after every message of B it dispatched, so it clears those entries as well.
        var (a, b) = StartCluster(1) switch { var n => (n[0], n[1]) };
        CachingTopic Follow(StasisCluster node)
        {
            var type = node.Bus.CreateMessageType<DeviceState>("device_state");
            var cache = new StasisCache(node.Bus, m => (m.Data as DeviceState)?.Device,
                (id, snapshots) => type.CreateMessage(new DeviceState(id, snapshots.Sum(s => ((DeviceState)s.Data).Load))));
            return node.CreateCachingTopic(cache, node.Bus.CreateTopic("devices"));
        }
        var onA = Follow(a);
        var onB = Follow(b);
        await a.WaitForSubscribersAsync(onA.Upstream, 1, Patience);
        await b.WaitForSubscribersAsync(onB.Upstream, 1, Patience);
        var typeB = (MessageType<DeviceState>)b.Bus.GetMessageType("device_state")!;
        var left = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        a.SystemTopic.Subscribe((_, _, m) => { if (m.Data is NodeLeft l && l.Eid == b.Eid) left.TrySetResult(); });

        for (var i = 0; i < 500; i++)
            onB.Upstream.Publish(typeB, new DeviceState("dev" + i, 1));
        // B leaves once A has its first entries (on a loaded machine B could otherwise leave before any left it, and
        // the purge would have nothing to clear); most of the 500 are still on their way then.
        AwaitCondition(() => a.ReceivedCount > 0, Patience);
        await Await(CoordinatedShutdown.Get(b.System).Run(CoordinatedShutdown.ClusterLeavingReason.Instance));
        await Await(left.Task);

        var type = a.Bus.GetMessageType("device_state")!;
        AwaitCondition(() => onA.Cache.Dump(type, b.Eid).Count == 0 && onA.Cache.DumpAggregates(type).All(s => ((DeviceState)s.Data).Load == 0), Patience);
    }

    [Fact]
    public async Task A_node_that_leaves_before_its_eid_announcement_arrived_has_its_entries_cleared_too()
    {
        // Node C sends a device state on the clustered "devices" topic but never announces its EID (it runs no Stasis
        // directory: a node that died right after its first publish looks the same). Once C is gone and every live
        // member has announced itself, the EID nobody claims is C's: its entries are cleared.
        var b = StartNode("node-b");
        var c = StartSystem("node-c", "akka.extensions = []");
        AwaitCondition(() => Akka.Cluster.Cluster.Get(Sys).State.Members.Count(m => m.Status == Akka.Cluster.MemberStatus.Up) == 3, Patience);
        var nodes = new[] { A, b }.Select(node =>
        {
            var type = node.Bus.CreateMessageType<DeviceState>("device_state");
            var cache = new StasisCache(node.Bus, m => (m.Data as DeviceState)?.Device);
            return (Node: node, Type: type, Cache: cache, Caching: node.CreateCachingTopic(cache, node.Bus.CreateTopic("devices")));
        }).ToArray();
        var fromC = new Publish(StasisCluster.PubSubTopic("devices"), new WireEnvelope("devices", "device_state", DateTimeOffset.UtcNow.UtcTicks, "node-c", 0, false,
            JsonSerializer.SerializeToUtf8Bytes(new DeviceState("dev-c", 5)), []));
        var mediatorC = DistributedPubSub.Get(c).Mediator;
        var eidC = new EntityId("node-c");

        foreach (var (node, type, cache, _) in nodes)
        {
            AwaitAssert(() =>
            {
                mediatorC.Tell(fromC); // again until C's registry knows this node's bridge; each one replaces the entry
                Assert.NotNull(cache.Get(type, "dev-c", eidC));
            }, Patience, Dilated(TimeSpan.FromMilliseconds(300)));
            Assert.DoesNotContain(eidC, node.Nodes.Keys);
        }
        await Await(CoordinatedShutdown.Get(c).Run(CoordinatedShutdown.ClusterLeavingReason.Instance));

        foreach (var (_, type, cache, _) in nodes)
            AwaitAssert(() => Assert.Empty(cache.Dump(type, eidC)), Patience, Dilated(TimeSpan.FromMilliseconds(200)));
        Assert.Equal(b.Eid, Assert.Single(A.Nodes.Keys));
    }
}
