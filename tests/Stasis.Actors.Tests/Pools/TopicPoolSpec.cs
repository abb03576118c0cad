using Akka.Actor;
using Stasis.Actors.Tests.Support;
using Xunit.Abstractions;

namespace Stasis.Actors.Tests.Pools;

public sealed class TopicPoolSpec(ITestOutputHelper output) : BusSpec(output)
{
    [Fact]
    public void GetTopic_creates_a_topic_on_demand_and_then_returns_the_same_one()
    {
        var pool = new TopicPool(Bus.CreateTopic(Unique("pool")));
        Assert.False(pool.Exists("a"));

        var first = pool.GetTopic("a");

        Assert.Same(first, pool.GetTopic("a"));
        Assert.True(pool.Exists("a"));
        Assert.Equal(pool.PoolTopic.Name + "/a", first.Name);
        Assert.Equal(1, pool.Count);
    }

    [Fact]
    public void Pool_topics_forward_to_the_pool_topic_with_the_original_topic_reported()
    {
        var pool = new TopicPool(Bus.CreateTopic(Unique("pool")));
        pool.PoolTopic.Subscribe((_, t, m) => { if (m.Data is Beat p) TestActor.Tell((t.Name, p.N)); });
        var a = pool.GetTopic("a");
        var b = pool.GetTopic("b");

        a.Publish(BeatType, new Beat(1));
        b.Publish(BeatType, new Beat(2));

        ExpectMsg((a.Name, 1));
        ExpectMsg((b.Name, 2));
    }

    [Fact]
    public async Task Delete_cancels_the_forwarding_and_ends_the_topics_subscriptions()
    {
        var pool = new TopicPool(Bus.CreateTopic(Unique("pool")));
        var a = pool.GetTopic("a");
        var subscription = a.Subscribe((_, _, _) => { });

        Assert.True(pool.Delete("a"));

        await subscription.JoinAsync().WaitAsync(Patience);
        Assert.True(a.IsDestroyed);
        Assert.False(pool.Exists("a"));
        Assert.False(pool.Delete("a"));
        Assert.NotSame(a, pool.GetTopic("a"));
    }

    [Fact]
    public void Bad_names_are_rejected()
    {
        var pool = new TopicPool(Bus.CreateTopic(Unique("pool")));
        Assert.Throws<ArgumentException>(() => pool.GetTopic(""));
        Assert.Throws<ArgumentException>(() => pool.GetTopic(null!));
        Assert.False(pool.Exists(null!));
        Assert.False(pool.Delete(null!));
    }

    [Fact]
    public async Task Concurrent_create_delete_subscribe_and_publish_neither_deadlock_nor_lose_a_subscription()
    {
        const int threads = 4, perThread = 200;
        var pool = new TopicPool(Bus.CreateTopic(Unique("pool")));
        var received = 0;
        pool.PoolTopic.Subscribe((_, _, m) => { if (m.Data is Beat) Interlocked.Increment(ref received); });
        var delivered = 0;

        var workers = Enumerable.Range(0, threads).Select(w => Task.Run(() =>
        {
            var subscriptions = new List<Subscription>();
            for (var i = 0; i < perThread; i++)
            {
                // Kept topics: subscribed, published to, must deliver.
                var kept = pool.GetTopic($"keep-{w}-{i}");
                subscriptions.Add(kept.Subscribe((_, _, m) => { if (m.Data is Beat) Interlocked.Increment(ref delivered); }));
                kept.Publish(BeatType, new Beat(i));
                // Churned topics: shared names made and deleted by every thread at once.
                pool.GetTopic($"churn-{i % 10}");
                pool.Delete($"churn-{(i + w) % 10}");
            }
            return subscriptions;
        })).ToList();

        var all = await Task.WhenAll(workers).WaitAsync(Patience);

        AwaitCondition(() => Volatile.Read(ref delivered) == threads * perThread, Patience);
        AwaitCondition(() => Volatile.Read(ref received) >= threads * perThread, Patience);
        Assert.All(all.SelectMany(s => s), s => Assert.True(s.IsSubscribed));
        Assert.Equal(threads * perThread, pool.Names.Count(n => n.StartsWith("keep-", StringComparison.Ordinal)));
    }
}
