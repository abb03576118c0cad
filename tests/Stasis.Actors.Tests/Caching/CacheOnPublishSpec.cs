using System.Collections.Concurrent;
using Stasis.Actors.Tests.Support;
using Xunit.Abstractions;

namespace Stasis.Actors.Tests.Caching;

/// <summary>
/// Caches current when <c>Publish</c> returns (the caching topic runs on the publisher's thread), aggregate publishing
/// (test_stasis.c's cache_eid_aggregate), all-type dumps, caching filters, per-object cached topics and sinks.
/// </summary>
public sealed class CacheOnPublishSpec(ITestOutputHelper output) : BusSpec(output)
{
    private static readonly EntityId Foreign1 = new("aa:aa:aa:aa:aa:aa");
    private static readonly EntityId Foreign2 = new("bb:bb:bb:bb:bb:bb");

    [Fact]
    public void Get_right_after_publish_returns_the_new_snapshot_from_any_of_8_publishing_threads()
    {
        var upstream = Bus.CreateTopic(Unique("current"));
        var cache = new StasisCache(Bus, SnapshotId);
        using var caching = cache.CreateCachingTopic(upstream);
        var stale = new ConcurrentBag<string>();

        Parallel.For(0, 8, new ParallelOptions { MaxDegreeOfParallelism = 8 }, thread =>
        {
            for (var version = 1; version <= 5; version++)
            {
                for (var id = thread; id < 1000; id += 8)
                {
                    var message = Snap(id.ToString(), version);
                    upstream.Publish(message);
                    if (!ReferenceEquals(cache.Get(SnapshotType, id.ToString()), message))
                        stale.Add($"{id} v{version}");
                }
            }
        });

        Assert.Empty(stale);
        Assert.Equal(1000, cache.Dump(SnapshotType).Count);
    }

    [Fact]
    public async Task Each_publishers_updates_come_out_in_its_publish_order()
    {
        var upstream = Bus.CreateTopic(Unique("ordered"));
        var cache = new StasisCache(Bus, SnapshotId);
        using var caching = cache.CreateCachingTopic(upstream);
        var updates = Record(caching.Topic);

        Parallel.For(0, 4, publisher =>
        {
            for (var version = 0; version < 500; version++)
                upstream.Publish(Snap("p" + publisher, version));
        });
        await Await(updates.Subscription.UnsubscribeAndJoinAsync());

        foreach (var publisher in updates.Payloads<CacheUpdate>().GroupBy(u => u.Id))
            Assert.Equal(Enumerable.Range(0, 500), publisher.Select(u => ((Snapshot)u.NewSnapshot!.Data).Version));
    }

    /// <summary>Asterisk's cache_eid_aggregate: the aggregate of an id is the sum of its snapshots' versions over the nodes.</summary>
    [Fact]
    public async Task Aggregates_are_published_back_to_the_upstream_topic_as_Asterisks_cache_eid_aggregate_expects()
    {
        var topic = Bus.CreateTopic(Unique("SomeTopic"));
        var cache = new StasisCache(Bus, SnapshotId,
            (id, snapshots) => snapshots.Count == 0 ? null : Snap(id, snapshots.Sum(s => ((Snapshot)s.Data).Version)),
            (upstream, aggregate) => upstream.Publish(aggregate));
        using var caching = cache.CreateCachingTopic(topic);
        var topicConsumer = Record(topic);
        var cacheConsumer = Record(caching.Topic);
        int? Aggregate(string id) => (cache.GetAggregate(SnapshotType, id)?.Data as Snapshot)?.Version;
        var m1 = Snap("1", 1);
        var m21 = Snap("2", 1);
        var m22 = Snap("2", 2, eid: Foreign1);
        var m23 = Snap("2", 3, eid: Foreign2);
        var m24 = Snap("2", 4, eid: Foreign2);

        topic.Publish(m1);
        Assert.Equal(1, Aggregate("1"));
        topic.Publish(m21);
        Assert.Equal(1, Aggregate("2"));
        topic.Publish(m22);
        Assert.Equal(3, Aggregate("2"));
        await Counts(6, 6);
        Assert.Equal([m1, m21, m22], cache.DumpAll().OrderBy(Order));
        Assert.Equal([m1, m21], cache.DumpAll(Bus.Eid).OrderBy(Order));

        topic.Publish(m23);
        Assert.Equal(6, Aggregate("2"));
        await Counts(8, 8);
        Assert.Equal(4, cache.DumpAll().Count);
        Assert.Equal([m22], cache.DumpAll(Foreign1));

        topic.Publish(m24);
        Assert.Equal(7, Aggregate("2"));
        await Counts(10, 10);
        Assert.Equal([m21, m22, m24], cache.GetAll(SnapshotType, "2").OrderBy(Order));

        topic.Publish(StasisCache.ClearType(Bus), new CacheClear(SnapshotType, "1"));
        Assert.Null(Aggregate("1"));
        await Counts(12, 11);
        Assert.Equal(3, cache.DumpAll().Count);

        topic.Publish(StasisCache.ClearType(Bus).CreateMessage(new CacheClear(SnapshotType, "2"), Foreign1)!);
        Assert.Equal(5, Aggregate("2"));
        await Counts(14, 13);
        Assert.Equal([m21, m24], cache.DumpAll().OrderBy(Order));

        async Task Counts(int cacheMessages, int topicMessages)
        {
            await AwaitAssertAsync(() =>
            {
                Assert.Equal(cacheMessages, cacheConsumer.Payloads<CacheUpdate>().Count);
                Assert.Equal(topicMessages, topicConsumer.Messages.Count(m => m.Data is not SubscriptionChange));
            }, Patience);
        }
    }

    [Fact]
    public void A_throwing_aggregate_publish_callback_is_counted_and_never_reaches_the_publisher()
    {
        var topic = Bus.CreateTopic(Unique("bad-publish"));
        var cache = new StasisCache(Bus, SnapshotId, (id, s) => s.Count == 0 ? null : Snap(id, s.Count), (_, _) => throw new InvalidOperationException("no"));
        using var caching = cache.CreateCachingTopic(topic);

        topic.Publish(Snap("a", 1));
        topic.Publish(Snap("b", 1));

        Assert.Equal(2, cache.AggregatePublishFailures);
        Assert.Equal(1, ((Snapshot)cache.GetAggregate(SnapshotType, "b")!.Data).Version);
        Assert.Throws<ArgumentException>(() => new StasisCache(Bus, SnapshotId, null, (_, _) => { }));
    }

    [Fact]
    public void A_purge_after_a_nodes_messages_clears_them_all_before_it_returns()
    {
        var topic = Bus.CreateTopic(Unique("purged"));
        var cache = new StasisCache(Bus, SnapshotId);
        using var caching = cache.CreateCachingTopic(topic);
        for (var i = 0; i < 100; i++)
            topic.Publish(Snap("id" + i, 1, eid: Foreign1));
        topic.Publish(Snap("local", 1));

        // What the cluster does on the bridge's thread once a node left, after dispatching that node's messages.
        caching.Subscription.Enqueue(StasisCache.PurgeType(Bus).CreateMessage(CachePurge.Instance, Foreign1)!, topic);

        Assert.Empty(cache.DumpAll(Foreign1));
        Assert.Single(cache.DumpAll());
    }

    [Fact]
    public void Caching_filters_select_the_types_that_are_cached()
    {
        var topic = Bus.CreateTopic(Unique("filtered"));
        var cache = new StasisCache(Bus, m => m.Data switch { Snapshot s => s.Id, Beat b => "beat" + b.N, _ => null });
        using var caching = cache.CreateCachingTopic(topic);

        caching.AcceptMessageType(BeatType);
        topic.Publish(Snap("a", 1));
        topic.Publish(BeatType, new Beat(1));
        Assert.Null(cache.Get(SnapshotType, "a"));
        Assert.NotNull(cache.Get(BeatType, "beat1"));

        topic.Publish(StasisCache.ClearType(Bus), new CacheClear(BeatType, "beat1")); // clears stay accepted
        Assert.Null(cache.Get(BeatType, "beat1"));

        caching.SetFilter(SubscriptionFilter.Default);
        caching.DeclineMessageType(BeatType);
        topic.Publish(Snap("a", 2));
        topic.Publish(BeatType, new Beat(2));
        Assert.NotNull(cache.Get(SnapshotType, "a"));
        Assert.Null(cache.Get(BeatType, "beat2"));
    }

    [Fact]
    public async Task An_objects_cached_topic_carries_only_its_updates_and_a_sink_is_never_cached()
    {
        using var pattern = new CachingPattern(Bus, Unique("thing"), SnapshotId);
        var cachedA = pattern.GetCachedTopic("a");
        Assert.Same(cachedA, pattern.GetCachedTopic("a"));
        var onlyA = Record(cachedA);
        var all = Record(pattern.AllCached.Topic);
        var sink = pattern.CreateSink(Unique("thing-sink"));
        var allTopic = Record(pattern.All);

        pattern.GetTopic("a").Publish(Snap("a", 1));
        pattern.GetTopic("b").Publish(Snap("b", 1));
        sink.Publish(Snap("s", 1));
        pattern.GetTopic("a").Publish(Snap("a", 2));
        Assert.Null(pattern.Cache.Get(SnapshotType, "s"));
        Assert.NotNull(pattern.Cache.Get(SnapshotType, "b"));

        Assert.True(pattern.DeleteTopic("a"));
        await Await(onlyA.Final); // deleting the object ends its cached topic
        await Await(all.Subscription.UnsubscribeAndJoinAsync());
        await Await(allTopic.Subscription.UnsubscribeAndJoinAsync());
        Assert.Equal([1, 2], onlyA.Payloads<CacheUpdate>().Select(u => ((Snapshot)u.NewSnapshot!.Data).Version));
        Assert.Equal(["a", "b", "a"], all.Payloads<CacheUpdate>().Select(u => u.Id));
        Assert.Equal(["a", "b", "s", "a"], allTopic.Payloads<Snapshot>().Select(s => s.Id));
        Assert.True(cachedA.IsDestroyed);
    }

    private static string Order(StasisMessage m) => $"{((Snapshot)m.Data).Id}/{((Snapshot)m.Data).Version}";
}
