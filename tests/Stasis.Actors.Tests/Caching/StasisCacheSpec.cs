using System.Collections.Concurrent;
using Akka.Actor;
using Stasis.Actors.Tests.Support;
using Xunit.Abstractions;

namespace Stasis.Actors.Tests.Caching;

public sealed class StasisCacheSpec(ITestOutputHelper output) : BusSpec(output)
{
    private static int Version(StasisMessage? m) => ((Snapshot)m!.Data).Version;

    [Fact]
    public void Entries_are_kept_per_eid_and_queried_by_id_eid_and_type()
    {
        var upstream = Bus.CreateTopic(Unique("upstream"));
        var cache = new StasisCache(Bus, SnapshotId);
        cache.CreateCachingTopic(upstream);
        var remote = new EntityId("02:00:00:00:00:0a");

        upstream.Publish(Snap("a", 1));
        upstream.Publish(Snap("a", 2, eid: remote));
        upstream.Publish(Snap("b", 3, eid: remote));
        AwaitCondition(() => cache.Dump(SnapshotType).Count == 3, Patience);

        Assert.Equal(1, Version(cache.Get(SnapshotType, "a")));
        Assert.Equal(2, Version(cache.Get(SnapshotType, "a", remote)));
        Assert.Null(cache.Get(SnapshotType, "b"));
        Assert.Equal([1, 2], cache.GetAll(SnapshotType, "a").Select(Version));
        Assert.Equal([1], cache.Dump(SnapshotType, Bus.Eid).Select(Version));
        Assert.Equal([2, 3], cache.Dump(SnapshotType, remote).Select(Version).Order());
        Assert.Equal([1, 2, 3], cache.Dump(SnapshotType).Select(Version).Order());
    }

    [Fact]
    public void Queries_for_unknown_types_and_ids_are_empty()
    {
        var cache = new StasisCache(Bus, SnapshotId);
        Assert.Null(cache.Get(BeatType, "x"));
        Assert.Null(cache.Get(BeatType, "x", Bus.Eid));
        Assert.Null(cache.GetAggregate(BeatType, "x"));
        Assert.Empty(cache.GetAll(BeatType, "x"));
        Assert.Empty(cache.Dump(BeatType));
        Assert.Empty(cache.Dump(BeatType, Bus.Eid));
        Assert.Empty(cache.DumpAggregates(BeatType));
    }

    [Fact]
    public async Task Dumps_while_the_cache_is_written_from_other_threads_are_consistent()
    {
        const int writers = 4, ids = 50, versions = 20;
        var cache = new StasisCache(Bus, SnapshotId);
        var upstreams = Enumerable.Range(0, writers).Select(i => Bus.CreateTopic(Unique("upstream" + i))).ToList();
        var cachingTopics = upstreams.Select(u => cache.CreateCachingTopic(u)).ToList();

        var writing = upstreams.Select((upstream, w) => Task.Run(() =>
        {
            for (var v = 1; v <= versions; v++)
                for (var i = 0; i < ids; i++)
                    upstream.Publish(Snap($"w{w}-{i}", v));
        })).ToList();
        var dumps = 0;
        while (writing.Any(t => !t.IsCompleted) || dumps < 10)
        {
            var dump = cache.Dump(SnapshotType);
            // Each id appears once, and no dump ever shows more entries than exist.
            Assert.Equal(dump.Count, dump.Select(m => ((Snapshot)m.Data).Id).Distinct().Count());
            Assert.True(dump.Count <= writers * ids);
            dumps++;
        }
        await Task.WhenAll(writing);
        foreach (var caching in cachingTopics)
            await caching.UnsubscribeAndJoinAsync().WaitAsync(Patience);

        var final = cache.Dump(SnapshotType);
        Assert.Equal(writers * ids, final.Count);
        Assert.All(final, m => Assert.Equal(versions, Version(m)));
    }

    [Fact]
    public void Aggregate_function_that_throws_keeps_the_previous_aggregate()
    {
        var upstream = Bus.CreateTopic(Unique("upstream"));
        var cache = new StasisCache(Bus, SnapshotId, (id, snapshots) =>
            ((Snapshot)snapshots[0].Data).Version == 2 ? throw new InvalidOperationException("bad") : snapshots[0]);
        var caching = cache.CreateCachingTopic(upstream);
        caching.Topic.Subscribe((_, _, m) => { if (m.Data is CacheUpdate u) TestActor.Tell((u.IsAggregate, Version(u.NewSnapshot))); });

        upstream.Publish(Snap("a", 1));
        ExpectMsg((false, 1));
        ExpectMsg((true, 1));
        upstream.Publish(Snap("a", 2));
        ExpectMsg((false, 2));
        upstream.Publish(Snap("a", 3));
        ExpectMsg((false, 3));
        ExpectMsg((true, 3));

        Assert.Equal(0, caching.Subscription.FailedCount);
    }

    /// <summary><paramref name="count"/> upstream topics, each followed by a caching topic of <paramref name="cache"/>; every update of those caching topics lands in one queue.</summary>
    private (List<Topic> Upstreams, List<CachingTopic> CachingTopics, ConcurrentQueue<CacheUpdate> Updates) CachedUpstreams(StasisCache cache, int count)
    {
        var upstreams = Enumerable.Range(0, count).Select(i => Bus.CreateTopic(Unique("upstream" + i))).ToList();
        var cachingTopics = upstreams.Select(u => cache.CreateCachingTopic(u)).ToList();
        var updates = new ConcurrentQueue<CacheUpdate>();
        foreach (var caching in cachingTopics)
            caching.Topic.Subscribe((_, _, m) => { if (m.Data is CacheUpdate u) updates.Enqueue(u); });
        return (upstreams, cachingTopics, updates);
    }

    [Fact]
    public async Task Concurrent_writers_of_one_id_chain_every_update_old_to_new()
    {
        const int versions = 500;
        var cache = new StasisCache(Bus, SnapshotId);
        var (upstreams, _, updates) = CachedUpstreams(cache, 2);

        await Task.WhenAll(upstreams.Select((upstream, w) => Task.Run(() =>
        {
            for (var v = 1; v <= versions; v++)
                upstream.Publish(Snap("a", w * 10_000 + v));
        })));
        AwaitCondition(() => updates.Count == 2 * versions, Patience);

        // One serialized history: one creation, every other update replaces the snapshot exactly one update wrote,
        // and the snapshot nobody replaced is the one the cache holds.
        var all = updates.ToList();
        Assert.Single(all, u => u.OldSnapshot is null);
        var replaced = all.Where(u => u.OldSnapshot is not null).Select(u => u.OldSnapshot!).ToList();
        Assert.Equal(replaced.Count, replaced.Distinct(ReferenceEqualityComparer.Instance).Count());
        var written = all.Select(u => u.NewSnapshot!).ToHashSet(ReferenceEqualityComparer.Instance);
        Assert.All(replaced, old => Assert.Contains(old, written));
        var last = Assert.Single(written.Except(replaced, ReferenceEqualityComparer.Instance));
        Assert.Same(last, cache.Get(SnapshotType, "a"));
    }

    [Fact]
    public async Task Clearing_and_refilling_one_id_from_several_nodes_at_once_loses_no_snapshot()
    {
        const int rounds = 300;
        var cache = new StasisCache(Bus, SnapshotId);
        var clearType = StasisCache.ClearType(Bus);
        var nodes = new[] { new EntityId("02:00:00:00:00:01"), new EntityId("02:00:00:00:00:02") };
        var (upstreams, cachingTopics, updates) = CachedUpstreams(cache, nodes.Length);

        // Each node fills and clears the same id, so the entry is dropped and made again while the other node writes it.
        await Task.WhenAll(upstreams.Select((upstream, n) => Task.Run(() =>
        {
            for (var v = 1; v <= rounds; v++)
            {
                upstream.Publish(Snap("a", v, eid: nodes[n]));
                upstream.Publish(clearType.CreateMessage(new CacheClear(SnapshotType, "a"), nodes[n])!);
            }
            upstream.Publish(Snap("a", rounds + 1, eid: nodes[n]));
        })));
        foreach (var caching in cachingTopics)
            await caching.UnsubscribeAndJoinAsync().WaitAsync(Patience);

        Assert.Equal([rounds + 1, rounds + 1], nodes.Select(n => Version(cache.Get(SnapshotType, "a", n))));
        Assert.Equal(2, cache.GetAll(SnapshotType, "a").Count);
        AwaitCondition(() => updates.Count == nodes.Length * (2 * rounds + 1), Patience);
        // Every clear reported the snapshot its node had just written.
        Assert.All(updates.Where(u => u.NewSnapshot is null), u => Assert.NotNull(u.OldSnapshot));
        Assert.Equal(nodes.Length * rounds, updates.Count(u => u.NewSnapshot is null));
    }

    [Fact]
    public void All_snapshots_of_an_id_list_the_local_node_first_then_by_eid_through_fills_and_clears()
    {
        var upstream = Bus.CreateTopic(Unique("upstream"));
        var cache = new StasisCache(Bus, SnapshotId);
        var caching = cache.CreateCachingTopic(upstream);
        var clearType = StasisCache.ClearType(Bus);
        var (r1, r2, r3) = (new EntityId("02:00:00:00:00:01"), new EntityId("02:00:00:00:00:02"), new EntityId("02:00:00:00:00:03"));
        EntityId[] Order() => [.. cache.GetAll(SnapshotType, "a").Select(m => m.Eid)];
        void Clear(EntityId eid) => upstream.Publish(clearType.CreateMessage(new CacheClear(SnapshotType, "a"), eid)!);

        upstream.Publish(Snap("a", 1, eid: r2));
        upstream.Publish(Snap("a", 1, eid: r3));
        upstream.Publish(Snap("a", 1, eid: r1));
        upstream.Publish(Snap("a", 1));
        upstream.Publish(Snap("a", 2, eid: r3));
        AwaitCondition(() => Order().Length == 4 && Version(cache.Get(SnapshotType, "a", r3)) == 2, Patience);
        Assert.Equal([Bus.Eid, r1, r2, r3], Order());

        Clear(r2);
        AwaitCondition(() => Order().Length == 3, Patience);
        Assert.Equal([Bus.Eid, r1, r3], Order());
        Clear(Bus.Eid);
        AwaitCondition(() => Order().Length == 2, Patience);
        Assert.Equal([r1, r3], Order());
        Clear(r1);
        AwaitCondition(() => Order().Length == 1, Patience);
        Assert.Equal([r3], Order());
        Assert.Equal(2, Version(cache.Get(SnapshotType, "a", r3)));
        Clear(r3);
        AwaitCondition(() => Order().Length == 0, Patience);
        Assert.Empty(cache.Dump(SnapshotType));
        Assert.Equal(0, caching.Subscription.FailedCount);
    }
}
