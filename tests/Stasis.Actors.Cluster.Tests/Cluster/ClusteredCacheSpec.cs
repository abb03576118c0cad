using Akka.Actor;
using Stasis.Actors.Cluster.Tests.Support;
using Xunit.Abstractions;

namespace Stasis.Actors.Cluster.Tests.Cluster;

[Trait("Category", "Cluster")]
public sealed class ClusteredCacheSpec : ClusterSpec
{
    private const string Device = "dev1";

    public ClusteredCacheSpec(ITestOutputHelper output)
        : base(output)
    {
    }

    /// <summary>One node's clustered device cache: per-node loads of each device, aggregated as their sum.</summary>
    private sealed record Node(StasisCluster Cluster, MessageType<DeviceState> Type, StasisCache Cache, CachingTopic Caching, Recorder Updates, Recorder Membership);

    [Fact]
    public async Task Cache_aggregate_combines_the_snapshots_of_three_nodes()
    {
        var nodes = await StartCachedCluster();

        foreach (var node in nodes)
        {
            var cache = node.Cache;
            AwaitAssert(() => Assert.Equal(6, ((DeviceState?)cache.GetAggregate(node.Type, Device)?.Data)?.Load), Patience);
            Assert.Equal(3, cache.GetAll(node.Type, Device).Count);
            Assert.Equal(node.Cluster.Eid, cache.GetAll(node.Type, Device)[0].Eid);
            for (var i = 0; i < nodes.Length; i++)
            {
                Assert.Equal(i + 1, ((DeviceState)cache.Get(node.Type, Device, nodes[i].Cluster.Eid)!.Data).Load);
                Assert.Equal(new DeviceState(Device, i + 1), Assert.Single(cache.Dump(node.Type, nodes[i].Cluster.Eid)).Data);
            }
        }
    }

    [Fact]
    public async Task A_node_that_leaves_gracefully_has_its_cache_entries_cleared_everywhere()
    {
        var nodes = await StartCachedCluster();
        var leaving = nodes[2].Cluster;

        await Await(CoordinatedShutdown.Get(leaving.System).Run(CoordinatedShutdown.ClusterLeavingReason.Instance));

        foreach (var node in nodes[..2])
            AssertCleared(node, leaving.Eid, "Leaving", "Exiting", "Removed");
    }

    [Fact]
    public async Task A_node_terminated_abruptly_has_its_cache_entries_cleared_everywhere()
    {
        var nodes = await StartCachedCluster("akka.coordinated-shutdown.run-by-actor-system-terminate = off");
        var crashed = nodes[2].Cluster;

        await Await(crashed.System.Terminate()); // no cluster leave: the others must detect it, and the resolver downs it

        foreach (var node in nodes[..2])
            AssertCleared(node, crashed.Eid, "Down", "Removed");
    }

    [Fact]
    public async Task A_cache_clear_published_on_one_node_clears_that_node_entry_on_every_node()
    {
        var nodes = await StartCachedCluster();
        var b = nodes[1];
        var clear = StasisCache.ClearType(b.Cluster.Bus).CreateMessage(new CacheClear(b.Type, Device))!;

        await b.Cluster.PublishWithAckAsync(b.Caching.Upstream, clear, Patience);

        foreach (var node in nodes)
        {
            AwaitAssert(() =>
            {
                Assert.Null(node.Cache.Get(node.Type, Device, b.Cluster.Eid));
                Assert.Equal(4, ((DeviceState?)node.Cache.GetAggregate(node.Type, Device)?.Data)?.Load);
            }, Patience);
            Assert.Equal(2, node.Cache.GetAll(node.Type, Device).Count);
        }
    }

    private void AssertCleared(Node node, EntityId gone, params string[] reasons)
    {
        AwaitAssert(() =>
        {
            Assert.Null(node.Cache.Get(node.Type, Device, gone));
            Assert.Empty(node.Cache.Dump(node.Type, gone));
            Assert.Equal(3, ((DeviceState?)node.Cache.GetAggregate(node.Type, Device)?.Data)?.Load);
            var updates = node.Updates.Payloads<CacheUpdate>();
            Assert.Contains(updates, u => u.Eid == gone && u.OldSnapshot is not null && u.NewSnapshot is null);
            Assert.Contains(updates, u => u.IsAggregate && ((DeviceState?)u.NewSnapshot?.Data)?.Load == 3);
            var left = Assert.Single(node.Membership.Payloads<NodeLeft>());
            Assert.Equal(gone, left.Eid);
            Assert.Contains(left.Reason, reasons);
        }, Patience, Dilated(TimeSpan.FromMilliseconds(200)));
    }

    /// <summary>Three nodes, each caching the clustered topic "devices" and reporting load i+1 for <see cref="Device"/>.</summary>
    private async Task<Node[]> StartCachedCluster(string thirdNodeConfig = "")
    {
        var clusters = new[] { A, StartNode("node-b"), StartNode("node-c", thirdNodeConfig) };
        AwaitUp(clusters);
        var nodes = clusters.Select(cluster =>
        {
            var type = cluster.Bus.CreateMessageType<DeviceState>("device_state");
            var cache = new StasisCache(cluster.Bus, m => m.Data is DeviceState d ? d.Device : null,
                (id, snapshots) => type.CreateMessage(new DeviceState(id, snapshots.Sum(s => ((DeviceState)s.Data).Load))));
            var caching = cluster.CreateCachingTopic(cache, cluster.Bus.CreateTopic("devices"));
            return new Node(cluster, type, cache, caching, Record(caching.Topic), Record(cluster.SystemTopic));
        }).ToArray();
        foreach (var node in nodes)
            await node.Cluster.WaitForSubscribersAsync(node.Caching.Upstream, nodes.Length - 1, Patience);
        for (var i = 0; i < nodes.Length; i++)
            await nodes[i].Cluster.PublishWithAckAsync(nodes[i].Caching.Upstream, nodes[i].Type.CreateMessage(new DeviceState(Device, i + 1))!, Patience);
        return nodes;
    }
}
