using Akka.Actor;
using Akka.TestKit;
using Stasis.Actors.Tests.Support;
using Xunit.Abstractions;

namespace Stasis.Actors.Tests.Routing;

public sealed class MessageRouterSpec(ITestOutputHelper output) : BusSpec(output)
{
    [Fact]
    public void Routes_each_message_by_payload_type_and_the_rest_to_the_default_route()
    {
        var topic = Bus.CreateTopic(Unique("router"));
        var router = MessageRouter.Create(topic);
        router.AddRoute<Beat>((_, _, _, p) => TestActor.Tell(("ping", p.N)));
        router.AddRoute<Snapshot>((_, _, _, s) => TestActor.Tell(("snapshot", s.Version)));
        router.SetDefaultRoute((_, _, m) => { if (m.Data is Other o) TestActor.Tell(("default", o.N)); });

        topic.Publish(BeatType, new Beat(1));
        topic.Publish(OtherType, new Other(2));
        topic.Publish(SnapshotType, new Snapshot("a", 3));

        ExpectMsg(("ping", 1));
        ExpectMsg(("default", 2));
        ExpectMsg(("snapshot", 3));
    }

    [Fact]
    public void Route_for_a_base_type_takes_derived_payloads_and_the_most_derived_route_wins()
    {
        var topic = Bus.CreateTopic(Unique("router"));
        var animals = Bus.CreateMessageType<Animal>(Unique("animal"));
        var dogs = Bus.CreateMessageType<Dog>(Unique("dog"));
        var router = MessageRouter.Create(topic);
        router.AddRoute<Animal>((_, _, _, a) => TestActor.Tell("animal " + a.Name));

        topic.Publish(dogs, new Dog("rex"));
        ExpectMsg("animal rex");

        router.AddRoute<Dog>((_, _, _, d) => TestActor.Tell("dog " + d.Name));
        topic.Publish(dogs, new Dog("fido"));
        topic.Publish(animals, new Animal("cat"));
        ExpectMsg("dog fido");
        ExpectMsg("animal cat");
    }

    [Fact]
    public async Task Final_message_is_delivered_to_the_default_route_last()
    {
        var topic = Bus.CreateTopic(Unique("router"));
        var router = MessageRouter.Create(topic);
        router.AddRoute<Beat>((_, _, _, p) => TestActor.Tell(p.N));
        router.SetDefaultRoute((r, _, m) =>
        {
            if (r.IsFinalMessage(m))
                TestActor.Tell(("final", r.IsDone));
        });
        for (var i = 0; i < 5; i++)
            topic.Publish(BeatType, new Beat(i));

        await router.UnsubscribeAndJoinAsync().WaitAsync(Patience);

        for (var i = 0; i < 5; i++)
            ExpectMsg(i);
        ExpectMsg(("final", true));
        ExpectNoMsg(TimeSpan.FromMilliseconds(100));
    }

    [Fact]
    public void Without_default_route_only_routed_types_are_queued()
    {
        var topic = Bus.CreateTopic(Unique("router"));
        var router = MessageRouter.Create(topic);
        router.AddRoute<Beat>((_, _, _, p) => TestActor.Tell(p.N));

        for (var i = 0; i < 50; i++)
            topic.Publish(OtherType, new Other(i));
        topic.Publish(BeatType, new Beat(1));

        ExpectMsg(1);
        AwaitCondition(() => router.Subscription.QueueDepth == 0, Patience);
        // Only the router's own Subscribe change (no route for it) and the ping: the 50 others were never queued.
        Assert.Equal(2, router.Subscription.HandledCount);
        Assert.Equal(1, router.UnroutedCount);
    }

    [Fact]
    public async Task Without_default_route_the_final_message_still_arrives_and_join_completes()
    {
        var topic = Bus.CreateTopic(Unique("router"));
        var router = MessageRouter.Create(topic);
        router.AddRoute<Beat>((_, _, _, p) => TestActor.Tell(p.N));
        topic.Publish(BeatType, new Beat(1));

        await router.UnsubscribeAndJoinAsync().WaitAsync(Patience);

        ExpectMsg(1);
        Assert.True(router.IsDone);
        Assert.Equal(2, router.UnroutedCount); // its own Subscribe and final Unsubscribe changes, no route for them
    }

    [Fact]
    public void Removing_the_default_route_turns_filtering_back_on()
    {
        var topic = Bus.CreateTopic(Unique("router"));
        var router = MessageRouter.Create(topic);
        router.SetDefaultRoute((_, _, m) => { if (m.Data is Other o) TestActor.Tell(("default", o.N)); });
        router.AddRoute<Beat>((_, _, _, p) => TestActor.Tell(p.N));
        topic.Publish(OtherType, new Other(1));
        ExpectMsg(("default", 1));
        AwaitCondition(() => router.Subscription.QueueDepth == 0, Patience);

        router.RemoveDefaultRoute();
        var handled = router.Subscription.HandledCount;
        topic.Publish(OtherType, new Other(2));
        topic.Publish(BeatType, new Beat(3));

        ExpectMsg(3);
        AwaitCondition(() => router.Subscription.QueueDepth == 0, Patience);
        Assert.Equal(handled + 1, router.Subscription.HandledCount);
        Assert.False(router.HasDefaultRoute);
    }

    [Fact]
    public void Route_added_for_a_message_type_created_later_receives_its_messages()
    {
        var topic = Bus.CreateTopic(Unique("router"));
        var router = MessageRouter.Create(topic);
        router.AddRoute<Dog>((_, _, _, d) => TestActor.Tell(d.Name));

        var lateType = Bus.CreateMessageType<Dog>(Unique("late_dog"));
        topic.Publish(lateType, new Dog("late"));

        ExpectMsg("late");
    }

    [Fact]
    public void Duplicate_route_for_a_type_is_rejected_and_the_first_route_stays()
    {
        var topic = Bus.CreateTopic(Unique("router"));
        var router = MessageRouter.Create(topic);
        router.AddRoute<Beat>((_, _, _, _) => TestActor.Tell("first"));

        Assert.Throws<InvalidOperationException>(() => router.AddRoute<Beat>((_, _, _, _) => TestActor.Tell("second")));

        topic.Publish(BeatType, new Beat(1));
        ExpectMsg("first");
    }

    [Fact]
    public void Duplicate_cache_route_is_rejected()
    {
        var router = MessageRouter.Create(Bus.CreateTopic(Unique("router")));
        router.AddCacheRoute<Snapshot>((_, _, _, _) => { });
        Assert.Throws<InvalidOperationException>(() => router.AddCacheRoute<Snapshot>((_, _, _, _) => { }));
    }

    [Fact]
    public void Removed_route_sends_its_type_to_the_default_route()
    {
        var topic = Bus.CreateTopic(Unique("router"));
        var router = MessageRouter.Create(topic);
        router.AddRoute<Beat>((_, _, _, p) => TestActor.Tell(("route", p.N)));
        router.SetDefaultRoute((_, _, m) => { if (m.Data is Beat p) TestActor.Tell(("default", p.N)); });
        topic.Publish(BeatType, new Beat(1));
        ExpectMsg(("route", 1));

        router.RemoveRoute<Beat>();
        topic.Publish(BeatType, new Beat(2));
        ExpectMsg(("default", 2));
    }

    [Fact]
    public async Task Routes_change_while_messages_flow_without_losing_or_reordering_any()
    {
        const int count = 20_000;
        var topic = Bus.CreateTopic(Unique("router"));
        var router = MessageRouter.Create(topic);
        var seen = new List<int>(count);
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        void Record(int n)
        {
            seen.Add(n); // routes are serialized: no lock needed
            if (n == count - 1)
                done.TrySetResult();
        }
        router.SetDefaultRoute((_, _, m) => { if (m.Data is Beat p) Record(p.N); });

        var publisher = Task.Run(() =>
        {
            for (var i = 0; i < count; i++)
                topic.Publish(BeatType, new Beat(i));
        });
        var changes = 0;
        while (!publisher.IsCompleted || changes < 10)
        {
            router.AddRoute<Beat>((_, _, _, p) => Record(p.N));
            router.RemoveRoute<Beat>();
            changes++;
        }
        await publisher;
        await done.Task.WaitAsync(Patience);

        Assert.Equal(Enumerable.Range(0, count), seen);
    }

    [Fact]
    public void Cache_updates_are_routed_by_the_type_of_the_snapshot_inside()
    {
        var upstream = Bus.CreateTopic(Unique("upstream"));
        var cache = new StasisCache(Bus, m => (m.Data as Snapshot)?.Id ?? (m.Data as Beat)?.N.ToString());
        var caching = cache.CreateCachingTopic(upstream);
        var router = MessageRouter.Create(caching.Topic);
        router.AddCacheRoute<Snapshot>((_, _, _, u) => TestActor.Tell(("snapshot", u.Id, ((Snapshot)u.NewSnapshot!.Data).Version)));
        router.AddCacheRoute<Beat>((_, _, _, u) => TestActor.Tell(("ping", u.Id, ((Beat)u.NewSnapshot!.Data).N)));

        upstream.Publish(BeatType, new Beat(7));
        upstream.Publish(Snap("a", 1));

        ExpectMsg(("ping", "7", 7));
        ExpectMsg(("snapshot", "a", 1));
    }

    [Fact]
    public async Task PublishSync_completes_after_the_route_handled_the_message()
    {
        var topic = Bus.CreateTopic(Unique("router"));
        var router = MessageRouter.Create(topic);
        var handled = 0;
        router.AddRoute<Beat>((_, _, _, p) => Volatile.Write(ref handled, p.N));

        var result = await router.PublishSyncAsync(BeatType.CreateMessage(new Beat(42))!).WaitAsync(Patience);

        Assert.True(result);
        Assert.Equal(42, Volatile.Read(ref handled));
    }

    [Fact]
    public void Route_reports_the_original_topic_of_forwarded_messages()
    {
        var parent = Bus.CreateTopic(Unique("parent"));
        var child = Bus.CreateTopic(Unique("child"));
        Bus.ForwardAll(child, parent);
        var router = MessageRouter.Create(parent);
        router.AddRoute<Beat>((_, t, _, _) => TestActor.Tell(t.Name));

        child.Publish(BeatType, new Beat(1));

        ExpectMsg(child.Name);
    }

    [Fact]
    public void Congestion_limits_of_the_options_apply_to_the_router()
    {
        var topic = Bus.CreateTopic(Unique("router"));
        var router = MessageRouter.Create(topic, new SubscriptionOptions { HighWaterMark = 16, LowWaterMark = 2 });
        using var gate = new ManualResetEventSlim();
        router.AddRoute<Beat>((_, _, _, p) =>
        {
            if (p.N == 0)
                gate.Wait();
        });
        for (var i = 0; i < 64; i++)
            topic.Publish(BeatType, new Beat(i));

        AwaitCondition(() => router.Subscription.IsCongested, Patience);
        gate.Set();
        AwaitCondition(() => !router.Subscription.IsCongested && router.Subscription.QueueDepth == 0, Patience);
        Assert.Equal(16, router.Subscription.HighWaterMark);
    }

    [Fact]
    public void Options_that_set_a_filter_are_rejected()
    {
        var topic = Bus.CreateTopic(Unique("router"));
        Assert.Throws<ArgumentException>(() => MessageRouter.Create(topic, new SubscriptionOptions { AcceptOnly = [BeatType] }));
        Assert.Throws<ArgumentException>(() => MessageRouter.Create(topic, new SubscriptionOptions { Decline = [BeatType] }));
    }

    [Fact]
    public void Subscription_changes_reach_a_router_without_default_route_that_routes_them()
    {
        var topic = Bus.CreateTopic(Unique("router"));
        var router = MessageRouter.Create(topic);
        router.AddRoute<SubscriptionChange>((r, _, _, c) =>
        {
            if (c.SubscriptionId != r.Subscription.Id)
                TestActor.Tell(c.Kind);
        });
        var other = topic.Subscribe((_, _, _) => { });
        other.Unsubscribe();

        ExpectMsg(SubscriptionChangeKind.Subscribe);
        ExpectMsg(SubscriptionChangeKind.Unsubscribe);
    }
}
