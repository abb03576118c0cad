using Akka.Actor;
using Stasis.Actors.Tests.Support;

namespace Stasis.Actors.Tests.Core;

/// <summary>A device's presence, for the README's example.</summary>
public sealed record PresenceChanged(string Device, string State);

/// <summary>SubscriptionOptions.Pooled: every per-subscription promise, with handlers run by a few shared actors.</summary>
public sealed class PooledSubscriptionSpec() : TickSpec("stasis.subscription.pool.size = 3")
{
    private static readonly SubscriptionOptions Pooled = new() { Pooled = true };

    [Fact]
    public void The_pool_size_comes_from_the_configuration()
    {
        Assert.Equal(3, Bus.Settings.PoolSize);
        var topic = Bus.CreateTopic("pooled:size");
        var subscriptions = Enumerable.Range(0, 7).Select(_ => topic.Subscribe((_, _, _) => { }, Pooled)).ToList();

        Assert.All(subscriptions, s => Assert.True(s.IsPooled));
        Assert.Equal(3, subscriptions.Select(s => s.Actor).Distinct().Count());
        Assert.False(topic.Subscribe((_, _, _) => { }).IsPooled);
    }

    [Fact]
    public async Task Each_subscription_gets_every_publishers_messages_in_order_framed_by_its_changes()
    {
        var topic = Bus.CreateTopic("pooled:order");
        var logs = Enumerable.Range(0, 20).Select(_ => new SubscriberLog()).ToList();
        var subscriptions = logs.Select((log, i) => topic.Subscribe(log.Handler(), i % 4 == 0 ? null : Pooled)).ToList(); // actors mixed in
        const int perPublisher = 2_000;

        await Task.WhenAll(Enumerable.Range(0, 4).Select(p => Task.Run(() => PublishTicks(topic, perPublisher, p))));
        await Task.WhenAll(subscriptions.Select(s => s.UnsubscribeAndJoinAsync())).WaitAsync(Dilated(TimeSpan.FromSeconds(30)));

        var published = Enumerable.Range(0, 4).ToDictionary(p => p, _ => perPublisher);
        for (var i = 0; i < logs.Count; i++)
        {
            logs[i].AssertFramedAndContiguous(subscriptions[i]);
            logs[i].AssertReceivedAll(subscriptions[i], published);
        }
    }

    [Fact]
    public async Task Messages_forwarded_from_other_topics_arrive_in_publish_order_and_name_their_topic()
    {
        var parent = Bus.CreateTopic("pooled:parent");
        var child = Bus.CreateTopic("pooled:child");
        child.ForwardTo(parent);
        var topics = new List<string>();
        var log = new SubscriberLog();
        var handler = log.Handler();
        var subscription = parent.Subscribe((s, t, m) =>
        {
            topics.Add(t.Name);
            handler(s, t, m);
        }, Pooled);

        for (var i = 0; i < 100; i++)
            (i % 2 == 0 ? child : parent).Publish(TickMessage(i));
        await subscription.UnsubscribeAndJoinAsync().WaitAsync(Dilated(TimeSpan.FromSeconds(10)));

        log.AssertFramedAndContiguous(subscription);
        log.AssertReceivedAll(subscription, new Dictionary<int, int> { [0] = 100 });
        var tickTopics = topics.Skip(1).Take(100).ToList(); // after the Subscribe change
        Assert.Equal(Enumerable.Range(0, 100).Select(i => i % 2 == 0 ? "pooled:child" : "pooled:parent"), tickTopics);
    }

    [Fact]
    public async Task Filters_hold_back_declined_and_unaccepted_types_before_the_handler()
    {
        var topic = Bus.CreateTopic("pooled:filters");
        var other = Bus.CreateMessageType<Other>("pooled_other");
        var declining = new SubscriberLog();
        var declined = topic.Subscribe(declining.Handler(), Pooled with { Decline = [other] });
        var accepting = new SubscriberLog();
        var selective = topic.Subscribe(accepting.Handler(), Pooled with { AcceptOnly = [other] });

        PublishTicks(topic, 10);
        topic.Publish(other, new Other(1));
        await Task.WhenAll(declined.UnsubscribeAndJoinAsync(), selective.UnsubscribeAndJoinAsync()).WaitAsync(Dilated(TimeSpan.FromSeconds(10)));

        declining.AssertFramedAndContiguous(declined);
        Assert.DoesNotContain(declining.Calls, m => m.Data is Other);
        Assert.Equal(10, declining.Ticks.Count());
        Assert.Equal(1, declined.FilteredCount);
        accepting.AssertFramedAndContiguous(selective);
        Assert.Empty(accepting.Ticks);
        Assert.Single(accepting.Calls, m => m.Data is Other);
    }

    [Fact]
    public async Task Unsubscribing_during_traffic_ends_with_a_prefix_and_the_final_message_last()
    {
        var topic = Bus.CreateTopic("pooled:unsubscribe");
        var log = new SubscriberLog();
        var subscription = topic.Subscribe(log.Handler(), Pooled);
        var stayLog = new SubscriberLog();
        var stays = topic.Subscribe(stayLog.Handler(), Pooled);

        var publisher = Task.Run(() => PublishTicks(topic, 5_000));
        Eventually(() => subscription.HandledCount > 100);
        await subscription.UnsubscribeAndJoinAsync().WaitAsync(Dilated(TimeSpan.FromSeconds(10)));
        await publisher;
        var handledAtEnd = log.Calls.Count;
        await stays.UnsubscribeAndJoinAsync().WaitAsync(Dilated(TimeSpan.FromSeconds(10)));

        log.AssertFramedAndContiguous(subscription);
        log.AssertPrefix(subscription);
        Assert.Equal(handledAtEnd, log.Calls.Count); // nothing after the final message
        Assert.True(subscription.IsDone);
        stayLog.AssertReceivedAll(stays, new Dictionary<int, int> { [0] = 5_000 });
    }

    [Fact]
    public async Task A_throwing_handler_is_counted_and_the_subscription_and_its_pool_go_on()
    {
        var topic = Bus.CreateTopic("pooled:failure");
        var failing = new SubscriberLog();
        var bad = topic.Subscribe(failing.Handler(fail: (_, m) => m.Data is Tick { Seq: 3 }), Pooled);
        var healthy = Enumerable.Range(0, 6).Select(_ => new SubscriberLog()).ToList();
        var good = healthy.Select(l => topic.Subscribe(l.Handler(), Pooled)).ToList();

        EventFilter.Error().ExpectOne(() => PublishTicks(topic, 10));
        await Task.WhenAll(good.Append(bad).Select(s => s.UnsubscribeAndJoinAsync())).WaitAsync(Dilated(TimeSpan.FromSeconds(10)));

        Assert.Equal(1, bad.FailedCount);
        failing.AssertFramedAndContiguous(bad);
        Assert.Equal(10, failing.Ticks.Count()); // resume: the next message is handled
        for (var i = 0; i < good.Count; i++)
            healthy[i].AssertReceivedAll(good[i], new Dictionary<int, int> { [0] = 10 });
    }

    [Fact]
    public async Task PublishSync_waits_for_a_pooled_subscriptions_handler()
    {
        var topic = Bus.CreateTopic("pooled:sync");
        var handled = 0;
        var subscription = topic.Subscribe((_, _, m) =>
        {
            if (m.Data is Tick)
                Interlocked.Increment(ref handled);
        }, Pooled);
        topic.Subscribe((_, _, _) => { }, Pooled);

        Assert.True(await topic.PublishSyncAsync(TickMessage(0), subscription).WaitAsync(Dilated(TimeSpan.FromSeconds(10))));
        Assert.Equal(1, Volatile.Read(ref handled));
        await subscription.UnsubscribeAndJoinAsync();
        Assert.False(await topic.PublishSyncAsync(TickMessage(1), subscription).WaitAsync(Dilated(TimeSpan.FromSeconds(10))));
    }

    [Fact]
    public async Task Destroying_the_topic_ends_its_pooled_subscriptions_with_their_final_messages()
    {
        var topic = Bus.CreateTopic("pooled:destroy");
        var logs = Enumerable.Range(0, 5).Select(_ => new SubscriberLog()).ToList();
        var subscriptions = logs.Select(l => topic.Subscribe(l.Handler(), Pooled)).ToList();
        PublishTicks(topic, 50);

        topic.Destroy();
        await Task.WhenAll(subscriptions.Select(s => s.JoinAsync())).WaitAsync(Dilated(TimeSpan.FromSeconds(10)));

        for (var i = 0; i < logs.Count; i++)
        {
            logs[i].AssertFramedAndContiguous(subscriptions[i]);
            logs[i].AssertReceivedAll(subscriptions[i], new Dictionary<int, int> { [0] = 50 });
        }
    }

    [Fact]
    public async Task The_readme_example_delivers_to_every_pooled_phone()
    {
        var bus = Bus;
        var received = 0;
        // <readme:pooled>
        var presenceChanged = bus.CreateMessageType<PresenceChanged>("presence_changed");
        var presence = bus.CreateTopic("presence:all");
        var phones = Enumerable.Range(0, 10_000)
            .Select(i => presence.Subscribe((_, _, m) => { if (m.Data is PresenceChanged) Interlocked.Increment(ref received); },
                new SubscriptionOptions { Pooled = true, Name = $"phone-{i}" }))
            .ToList();
        presence.Publish(presenceChanged, new PresenceChanged("SIP/100", "busy")); // one message per pool actor, not per phone
        // </readme:pooled>

        await Task.WhenAll(phones.Select(p => p.UnsubscribeAndJoinAsync())).WaitAsync(Dilated(TimeSpan.FromSeconds(30)));
        Assert.Equal(10_000, Volatile.Read(ref received));
    }

    [Fact]
    public void Async_handlers_actor_subscribers_and_dispatchers_are_refused_with_the_topic_named()
    {
        var topic = Bus.CreateTopic("pooled:refused");

        var async = Assert.Throws<ArgumentException>(() => topic.Subscribe(async (_, _, _) => await Task.Yield(), Pooled));
        Assert.Contains("pooled:refused", async.Message);
        Assert.Throws<ArgumentException>(() => topic.Subscribe(CreateTestProbe().Ref, Pooled));
        Assert.Throws<ArgumentException>(() => topic.Subscribe((_, _, _) => { }, Pooled with { Dispatcher = "akka.actor.default-dispatcher" }));
        Assert.Equal(0, topic.SubscriberCount);
    }
}

/// <summary>stasis.subscription.failure-policy = stop, for pooled subscriptions.</summary>
public sealed class PooledStopPolicySpec() : TickSpec("stasis.subscription.failure-policy = stop")
{
    [Fact]
    public async Task A_throwing_handler_unsubscribes_and_the_queued_messages_come_before_the_final_one()
    {
        var topic = Bus.CreateTopic("pooled:stop");
        var log = new SubscriberLog();
        var subscription = topic.Subscribe(log.Handler(fail: (_, m) => m.Data is Tick { Seq: 3 }), new SubscriptionOptions { Pooled = true });

        EventFilter.Error().ExpectOne(() => PublishTicks(topic, 10));
        await subscription.JoinAsync().WaitAsync(Dilated(TimeSpan.FromSeconds(10)));

        Assert.False(subscription.IsSubscribed);
        log.AssertFramedAndContiguous(subscription);
        log.AssertPrefix(subscription);
    }
}
