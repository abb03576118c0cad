using Stasis.Actors.Tests.Support;
using Xunit.Abstractions;

namespace Stasis.Actors.Tests.Core;

public sealed class TopicSpec(ITestOutputHelper output) : StasisSpec(output)
{
    [Fact]
    public void Creating_an_existing_name_returns_the_existing_topic()
    {
        var first = Bus.CreateTopic("channel:all", "all channels");
        var second = Bus.CreateTopic("channel:all", "ignored detail");
        Assert.Same(first, second);
        Assert.Equal("all channels", second.Detail);
        Assert.Same(first, Bus.GetTopic("channel:all"));
        Assert.Contains(first, Bus.Topics);
    }

    [Fact]
    public void Topics_have_unique_ids()
    {
        var ids = Enumerable.Range(0, 50).Select(i => Bus.CreateTopic("t" + i).Id).ToList();
        Assert.Equal(ids.Count, ids.Distinct().Count());
    }

    [Fact]
    public void Unknown_topic_name_gives_null()
    {
        Assert.Null(Bus.GetTopic("no such topic"));
    }

    [Fact]
    public void Topic_without_subscribers_drops_messages_and_counts_them()
    {
        var topic = NewTopic();
        topic.Publish(Ping(1));
        topic.Publish(Ping(2));
        Assert.Equal(2, topic.NotDispatchedCount);
        Assert.Equal(0, topic.DispatchedCount);
    }

    [Fact]
    public async Task Destroy_ends_every_subscription_after_its_queued_messages()
    {
        var topic = NewTopic();
        var gate = new ManualResetEventSlim();
        var recorder = Record(topic, also: (_, _, m) => { if (m.Data is Ping { Seq: 1 }) gate.Wait(Patience); });
        for (var i = 1; i <= 5; i++)
            topic.Publish(Ping(i));
        topic.Destroy();
        gate.Set();
        await Await(recorder.Subscription.JoinAsync());
        Assert.Equal([1, 2, 3, 4, 5], recorder.Payloads<Ping>().Select(p => p.Seq));
        Assert.True(recorder.Subscription.IsFinalMessage(recorder.Messages[^1]));
        Assert.Equal(1, recorder.FinalCount);
    }

    [Fact]
    public void Destroyed_topic_rejects_publish_and_subscribe_and_frees_its_name()
    {
        var topic = Bus.CreateTopic("short-lived");
        topic.Destroy();
        topic.Destroy(); // idempotent
        Assert.True(topic.IsDestroyed);
        Assert.Throws<ObjectDisposedException>(() => topic.Publish(Ping(1)));
        Assert.Throws<ObjectDisposedException>(() => topic.Subscribe((_, _, _) => { }));
        Assert.Throws<ObjectDisposedException>(() => topic.ForwardTo(NewTopic()));
        var again = Bus.CreateTopic("short-lived");
        Assert.NotSame(topic, again);
        Assert.NotEqual(topic.Id, again.Id);
    }

    [Fact]
    public void Destroyed_topic_actor_stops_after_its_subscriptions()
    {
        var topic = NewTopic();
        Record(topic);
        var watcher = CreateTestProbe();
        watcher.Watch(topic.Actor);
        topic.Destroy();
        watcher.ExpectTerminated(topic.Actor, Patience);
    }

    [Fact]
    public void Bad_topic_names_get_clear_exceptions()
    {
        Assert.Throws<ArgumentNullException>(() => Bus.CreateTopic(null!));
        Assert.Throws<ArgumentException>(() => Bus.CreateTopic(""));
        var topic = NewTopic();
        Assert.Throws<ArgumentNullException>(() => topic.Publish(null!));
        Assert.Throws<ArgumentNullException>(() => topic.Subscribe((SubscriptionHandler)null!));
        Assert.Throws<ArgumentNullException>(() => topic.Subscribe((Akka.Actor.IActorRef)null!));
        Assert.Throws<ArgumentException>(() => topic.Subscribe(Akka.Actor.ActorRefs.Nobody));
    }

    [Fact]
    public async Task Publish_counters_stay_exact_when_several_threads_publish_to_one_topic()
    {
        const int threads = 4, each = 5000;
        var topic = NewTopic();
        var recorder = Record(topic, new SubscriptionOptions { AcceptOnly = [PingType] });
        var (published, dispatched, notDispatched) = (PingType.PublishedCount, topic.DispatchedCount, topic.NotDispatchedCount);
        // The first publishing thread owns the counters (no locked instruction), the others add to the shared cells.
        using var start = new Barrier(threads);
        await Await(Task.WhenAll(Enumerable.Range(0, threads).Select(t => Task.Factory.StartNew(() =>
        {
            start.SignalAndWait();
            for (var i = 0; i < each; i++)
                topic.Publish(PingType, new Ping(t, i));
        }, TaskCreationOptions.LongRunning))));
        Assert.Equal(dispatched + threads * each, topic.DispatchedCount);
        Assert.Equal(notDispatched, topic.NotDispatchedCount);
        Assert.Equal(published + threads * each, PingType.PublishedCount);
        await AwaitAssertAsync(() => Assert.Equal(threads * each, recorder.Payloads<Ping>().Count), Patience);
    }
}
