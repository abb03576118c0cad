using Akka.Actor;
using Stasis.Actors.Tests.Support;
using Xunit.Abstractions;

namespace Stasis.Actors.Tests.Caching;

public sealed class CachingTopicSpec(ITestOutputHelper output) : BusSpec(output)
{
    /// <summary>Reports every CacheUpdate published on <paramref name="topic"/> to the test actor.</summary>
    private void ReportUpdates(Topic topic) =>
        topic.Subscribe((_, _, m) => { if (m.Data is CacheUpdate u) TestActor.Tell(u); });

    [Fact]
    public void Cache_update_reports_old_and_new_snapshots_on_create_update_and_clear()
    {
        var upstream = Bus.CreateTopic(Unique("upstream"));
        var cache = new StasisCache(Bus, SnapshotId);
        var caching = cache.CreateCachingTopic(upstream);
        ReportUpdates(caching.Topic);
        var v1 = Snap("a", 1);
        var v2 = Snap("a", 2);

        upstream.Publish(v1);
        upstream.Publish(v2);
        upstream.Publish(StasisCache.ClearType(Bus), new CacheClear(SnapshotType, "a"));

        var created = ExpectMsg<CacheUpdate>();
        Assert.Equal((SnapshotType, "a", (StasisMessage?)null, (StasisMessage?)v1), (created.Type, created.Id, created.OldSnapshot, created.NewSnapshot));
        var updated = ExpectMsg<CacheUpdate>();
        Assert.Same(v1, updated.OldSnapshot);
        Assert.Same(v2, updated.NewSnapshot);
        var cleared = ExpectMsg<CacheUpdate>();
        Assert.Same(v2, cleared.OldSnapshot);
        Assert.Null(cleared.NewSnapshot);
        Assert.False(cleared.IsAggregate);
        Assert.Null(cache.Get(SnapshotType, "a"));
    }

    [Fact]
    public void Cache_is_written_before_the_update_is_published()
    {
        var upstream = Bus.CreateTopic(Unique("upstream"));
        var cache = new StasisCache(Bus, SnapshotId);
        var caching = cache.CreateCachingTopic(upstream);
        caching.Topic.Subscribe((_, _, m) =>
        {
            if (m.Data is CacheUpdate u)
                TestActor.Tell(cache.Get(u.Type, u.Id) is { } s ? ((Snapshot)s.Data).Version : -1);
        });

        upstream.Publish(Snap("a", 1));

        ExpectMsg(1);
    }

    [Fact]
    public void Clear_of_an_unknown_id_changes_nothing_and_publishes_nothing()
    {
        var upstream = Bus.CreateTopic(Unique("upstream"));
        var cache = new StasisCache(Bus, SnapshotId);
        var caching = cache.CreateCachingTopic(upstream);
        ReportUpdates(caching.Topic);

        upstream.Publish(StasisCache.ClearType(Bus), new CacheClear(SnapshotType, "nobody"));
        upstream.Publish(StasisCache.ClearType(Bus), new CacheClear(BeatType, "never-cached-type"));
        upstream.Publish(Snap("marker", 1));

        Assert.Equal("marker", ExpectMsg<CacheUpdate>().Id);
        Assert.Single(cache.Dump(SnapshotType));
    }

    [Fact]
    public void Non_cacheable_messages_are_dropped_and_subscription_changes_pass_through()
    {
        var upstream = Bus.CreateTopic(Unique("upstream"));
        var cache = new StasisCache(Bus, SnapshotId);
        var caching = cache.CreateCachingTopic(upstream);
        // Reports upstream subscription changes other than the caching topic's own, and cache updates.
        caching.Topic.Subscribe((_, _, m) =>
        {
            if (m.Data is CacheUpdate || m.Data is SubscriptionChange c && c.Topic == upstream && c.SubscriptionId != caching.Subscription.Id)
                TestActor.Tell(m.Data);
        });

        upstream.Publish(BeatType, new Beat(1));
        var other = upstream.Subscribe((_, _, _) => { });
        upstream.Publish(Snap("a", 1));

        var change = ExpectMsg<SubscriptionChange>();
        Assert.Equal((upstream, other.Id), (change.Topic, change.SubscriptionId));
        Assert.Equal("a", ExpectMsg<CacheUpdate>().Id);
        Assert.Equal(1, cache.UncacheableCount);
    }

    [Fact]
    public void Id_function_that_throws_or_returns_null_makes_the_message_not_cacheable_and_disturbs_nothing_else()
    {
        var upstream = Bus.CreateTopic(Unique("upstream"));
        var cache = new StasisCache(Bus, m => m.Data switch
        {
            Snapshot { Id: "boom" } => throw new InvalidOperationException("bad id"),
            Snapshot s => s.Id,
            _ => null,
        });
        var caching = cache.CreateCachingTopic(upstream);
        ReportUpdates(caching.Topic);

        EventFilter.Warning(contains: "id function threw").Expect(1, () =>
        {
            upstream.Publish(Snap("boom", 1));
            upstream.Publish(Snap("boom", 2));
            upstream.Publish(BeatType, new Beat(1));
            upstream.Publish(Snap("ok", 1));
            Assert.Equal("ok", ExpectMsg<CacheUpdate>().Id);
        });

        Assert.Equal(3, cache.UncacheableCount);
        Assert.Equal(0, caching.Subscription.FailedCount);
        Assert.True(caching.IsSubscribed);
        Assert.Null(cache.Get(SnapshotType, "boom"));
    }

    [Fact]
    public async Task Caching_topic_can_be_unsubscribed_and_joined_from_upstream()
    {
        var upstream = Bus.CreateTopic(Unique("upstream"));
        var cache = new StasisCache(Bus, SnapshotId);
        var caching = cache.CreateCachingTopic(upstream);
        for (var i = 0; i < 10; i++)
            upstream.Publish(Snap("a", i));

        await caching.UnsubscribeAndJoinAsync().WaitAsync(Patience);
        upstream.Publish(Snap("a", 100));

        Assert.Equal(9, ((Snapshot)cache.Get(SnapshotType, "a")!.Data).Version);
        Assert.Equal(0, upstream.SubscriberCount);
        Assert.False(caching.Topic.IsDestroyed);
    }

    [Fact]
    public void One_cache_serves_several_caching_topics()
    {
        var first = Bus.CreateTopic(Unique("first"));
        var second = Bus.CreateTopic(Unique("second"));
        var cache = new StasisCache(Bus, SnapshotId);
        var cachingFirst = cache.CreateCachingTopic(first);
        var cachingSecond = cache.CreateCachingTopic(second);
        ReportUpdates(cachingFirst.Topic);
        ReportUpdates(cachingSecond.Topic);

        first.Publish(Snap("a", 1));
        Assert.Equal("a", ExpectMsg<CacheUpdate>().Id);
        second.Publish(Snap("a", 2));

        var update = ExpectMsg<CacheUpdate>();
        Assert.Equal(1, ((Snapshot)update.OldSnapshot!.Data).Version);
        Assert.Equal(2, ((Snapshot)cache.Get(SnapshotType, "a")!.Data).Version);
    }

    [Fact]
    public void Dispose_destroys_the_caching_topics_own_topic()
    {
        var upstream = Bus.CreateTopic(Unique("upstream"));
        var caching = new StasisCache(Bus, SnapshotId).CreateCachingTopic(upstream);
        caching.Dispose();
        Assert.True(caching.Topic.IsDestroyed);
        Assert.False(caching.IsSubscribed);
    }

    [Fact]
    public void Aggregate_over_three_eids_is_published_when_it_changes()
    {
        var upstream = Bus.CreateTopic(Unique("upstream"));
        var remote1 = new EntityId("02:00:00:00:00:01");
        var remote2 = new EntityId("02:00:00:00:00:02");
        // Aggregate: "up" when any node reports up, else "down"; as a local snapshot with version 0.
        var cache = new StasisCache(Bus, SnapshotId, (id, snapshots) =>
            snapshots.Count == 0 ? null : Snap(id, 0, snapshots.Any(s => ((Snapshot)s.Data).State == "up") ? "up" : "down"));
        var caching = cache.CreateCachingTopic(upstream);
        caching.Topic.Subscribe((_, _, m) =>
        {
            if (m.Data is CacheUpdate { IsAggregate: true, Id: "dev" } u)
                TestActor.Tell(((Snapshot?)u.NewSnapshot?.Data)?.State ?? "none");
            else if (m.Data is CacheUpdate { IsAggregate: false, Id: "marker" })
                TestActor.Tell("marker");
        });

        upstream.Publish(Snap("dev", 1, "down"));
        ExpectMsg("down");
        upstream.Publish(Snap("dev", 1, "down", remote1));
        upstream.Publish(Snap("dev", 1, "up", remote2));
        ExpectMsg("up");
        upstream.Publish(Snap("dev", 2, "up"));            // still up: no aggregate update
        upstream.Publish(Snap("dev", 2, "down", remote2)); // local still up
        upstream.Publish(Snap("marker", 1));
        ExpectMsg("marker");
        upstream.Publish(Snap("dev", 3, "down"));          // all down now
        ExpectMsg("down");

        Assert.Equal("down", ((Snapshot)cache.GetAggregate(SnapshotType, "dev")!.Data).State);
        Assert.Equal(3, cache.GetAll(SnapshotType, "dev").Count);
        Assert.Single(cache.DumpAggregates(SnapshotType), s => ((Snapshot)s.Data).Id == "dev");
    }
}
