using System.Reflection;
using Stasis.Actors.Tests.Support;
using Xunit.Abstractions;

namespace Stasis.Actors.Tests.Core;

/// <summary>Races and counters found in review: each spec failed before its fix.</summary>
public sealed class RaceSpec(ITestOutputHelper output) : StasisSpec(output)
{
    [Fact]
    public async Task Subscribing_an_already_dead_actor_never_leaves_it_in_the_topic()
    {
        var topic = NewTopic();
        var watcher = Record(topic);
        var dead = CreateTestProbe();
        Watch(dead.Ref);
        Sys.Stop(dead.Ref);
        ExpectTerminated(dead.Ref);
        var subscriptions = Enumerable.Range(0, 2000).Select(_ => topic.Subscribe(dead.Ref)).ToList();
        await Await(Task.WhenAll(subscriptions.Select(s => s.JoinAsync())));
        Assert.Equal(1, topic.SubscriberCount);
        // Every other subscriber saw each dead subscription's Subscribe before its Unsubscribe.
        await AwaitAssertAsync(() => Assert.Equal(4000, watcher.Payloads<SubscriptionChange>().Count(c => c.SubscriptionId != watcher.Subscription.Id)), Patience);
        foreach (var changes in watcher.Payloads<SubscriptionChange>().Where(c => c.SubscriptionId != watcher.Subscription.Id).GroupBy(c => c.SubscriptionId))
            Assert.Equal([SubscriptionChangeKind.Subscribe, SubscriptionChangeKind.Unsubscribe], changes.Select(c => c.Kind));
    }

    [Fact]
    public async Task Completed_publish_syncs_leave_nothing_attached_to_the_subscription()
    {
        var topic = NewTopic();
        var recorder = Record(topic);
        for (var i = 0; i < 1000; i++)
            Assert.True(await Await(topic.PublishSyncAsync(Ping(i), recorder.Subscription)));
        // The join source is made by the first join only: no publish-sync may make it or attach to it.
        Assert.False(recorder.Subscription.Completion.HasJoinSource);
        await Await(recorder.Subscription.UnsubscribeAndJoinAsync());
        Assert.False(await Await(topic.PublishSyncAsync(Ping(1001), recorder.Subscription)));
    }

    [Fact]
    public void A_message_every_subscriber_declines_is_counted_as_not_dispatched()
    {
        var topic = NewTopic();
        var recorder = Record(topic, new SubscriptionOptions { Decline = [PongType] });
        var dispatched = topic.DispatchedCount;
        var notDispatched = topic.NotDispatchedCount;
        topic.Publish(PongType, new Pong("x"));
        Assert.Equal(dispatched, topic.DispatchedCount);
        Assert.Equal(notDispatched + 1, topic.NotDispatchedCount);
        Assert.Equal(1, recorder.Subscription.FilteredCount);
        Assert.Equal(1, PongType.UnusedCount);
    }

    [Fact]
    public async Task Cycle_check_visits_each_topic_once_in_a_stack_of_diamonds()
    {
        // 40 stacked diamonds hold 2^40 paths from top to bottom: a check that followed every path would never end.
        var top = NewTopic();
        var current = top;
        for (var level = 0; level < 40; level++)
        {
            var left = NewTopic();
            var right = NewTopic();
            var next = NewTopic();
            current.ForwardTo(left);
            current.ForwardTo(right);
            left.ForwardTo(next);
            right.ForwardTo(next);
            current = next;
        }
        var bottom = current;
        var check = Task.Run(() => Assert.Throws<InvalidOperationException>(() => bottom.ForwardTo(top)));
        await Await(check);
    }

    [Fact]
    public void Publishing_a_message_type_of_another_bus_is_rejected()
    {
        using var other = new Akka.TestKit.Xunit2.TestKit(output: null);
        var foreignType = StasisBus.Get(other.Sys).CreateMessageType<Ping>("test_ping");
        var topic = NewTopic();
        Assert.Throws<ArgumentException>(() => topic.Publish(foreignType, new Ping(0, 1)));
        Assert.Throws<ArgumentException>(() => topic.Publish(foreignType.CreateMessage(new Ping(0, 2))!));
    }

    [Fact]
    public async Task A_handler_unsubscribing_on_its_own_subscribe_change_never_stays_in_the_topic()
    {
        // The Subscribe change is told before the subscription joins its topic, so its handler may unsubscribe before
        // the join: it must still leave the topic, and the other subscribers see Subscribe then Unsubscribe. On the
        // calling-thread dispatcher the handler runs inside that tell, so it always unsubscribes before the join.
        var topic = NewTopic();
        var watcher = Record(topic);
        var subscriptions = new List<Subscription>();
        for (var i = 0; i < 200; i++)
        {
            subscriptions.Add(topic.Subscribe((s, _, m) =>
            {
                if (m.Data is SubscriptionChange { Kind: SubscriptionChangeKind.Subscribe } change && change.SubscriptionId == s.Id)
                    s.Unsubscribe();
            }, new SubscriptionOptions { Dispatcher = i % 2 == 0 ? "akka.test.calling-thread-dispatcher" : null }));
        }
        await Await(Task.WhenAll(subscriptions.Select(s => s.JoinAsync())));

        Assert.Equal(1, topic.SubscriberCount); // the watcher
        var ids = subscriptions.Select(s => s.Id).ToHashSet();
        AwaitCondition(() => watcher.Payloads<SubscriptionChange>().Count(c => c.Kind == SubscriptionChangeKind.Unsubscribe) == 200, Patience);
        var changes = watcher.Payloads<SubscriptionChange>().Where(c => ids.Contains(c.SubscriptionId)).GroupBy(c => c.SubscriptionId).ToList();
        Assert.Equal(200, changes.Count);
        Assert.All(changes, c => Assert.Equal([SubscriptionChangeKind.Subscribe, SubscriptionChangeKind.Unsubscribe], c.Select(k => k.Kind)));
    }
}
