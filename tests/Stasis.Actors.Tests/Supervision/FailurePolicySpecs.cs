using Akka.Event;
using Stasis.Actors.Tests.Support;

namespace Stasis.Actors.Tests.Supervision;

/// <summary>stasis.subscription.failure-policy = resume (the default).</summary>
public sealed class ResumePolicySpec : TickSpec
{
    private static bool FailsOnTick(StasisMessage m, int seq) => m.Data is Tick t && t.Seq == seq;

    [Fact]
    public async Task Resume_skips_the_failed_message_and_delivers_the_rest_in_order()
    {
        var topic = Bus.CreateTopic("resume");
        var log = new SubscriberLog();
        var sub = topic.Subscribe(log.Handler((_, m) => FailsOnTick(m, 3)));
        PublishTicks(topic, 8);
        await sub.UnsubscribeAndJoinAsync().WaitAsync(Dilated(TimeSpan.FromSeconds(5)));

        Assert.Equal(Enumerable.Range(0, 8), log.Ticks.Select(t => t.Seq));
        log.AssertFramedAndContiguous(sub);
        Assert.Equal(1, sub.FailedCount);
    }

    [Fact]
    public async Task Poison_message_that_always_fails_is_tried_once_and_never_loops()
    {
        var topic = Bus.CreateTopic("poison");
        var attempts = 0;
        var log = new SubscriberLog();
        var sub = topic.Subscribe(log.Handler((_, m) => m.Data is Tick { Seq: 0 } && Interlocked.Increment(ref attempts) > 0));
        PublishTicks(topic, 3);
        await sub.UnsubscribeAndJoinAsync().WaitAsync(Dilated(TimeSpan.FromSeconds(5)));

        Assert.Equal(1, attempts);
        Assert.Equal([0, 1, 2], log.Ticks.Select(t => t.Seq));
    }

    [Fact]
    public void Failure_is_logged_once_naming_topic_subscription_and_message_type()
    {
        var topic = Bus.CreateTopic("logged");
        var log = new SubscriberLog();
        topic.Subscribe(log.Handler((_, m) => FailsOnTick(m, 0)), new SubscriptionOptions { Name = "fragile" });

        // Exactly one error for one failure, and it names what failed.
        EventFilter.Error().ExpectOne(() => PublishTicks(topic, 1));
        EventFilter.Custom(e => e is Error { Cause: InvalidOperationException } error
                                && error.Message.ToString() is { } text
                                && text.Contains("fragile") && text.Contains("topic logged") && text.Contains("tick message"))
            .ExpectOne(() => topic.Publish(TickMessage(0)));
    }

    [Fact]
    public async Task Failures_are_counted_on_the_subscription_and_the_bus()
    {
        var topic = Bus.CreateTopic("counted");
        var log = new SubscriberLog();
        var sub = topic.Subscribe(log.Handler((_, m) => m.Data is Tick { Seq: 1 or 4 }));
        PublishTicks(topic, 6);
        await sub.UnsubscribeAndJoinAsync().WaitAsync(Dilated(TimeSpan.FromSeconds(5)));

        Assert.Equal(2, sub.FailedCount);
        Assert.Equal(2, Bus.GetStatistics().HandlerFailures);
    }

    [Fact]
    public async Task Failing_handler_leaves_its_topic_forwarders_and_other_subscriptions_running()
    {
        var child = Bus.CreateTopic("child");
        var parent = Bus.CreateTopic("parent");
        Bus.ForwardAll(child, parent);
        var failing = new SubscriberLog();
        var failingSub = child.Subscribe(failing.Handler((_, m) => m.Data is Tick));
        var sibling = new SubscriberLog();
        var siblingSub = child.Subscribe(sibling.Handler());
        var upstream = new SubscriberLog();
        var upstreamSub = parent.Subscribe(upstream.Handler());

        PublishTicks(child, 20);
        await failingSub.UnsubscribeAndJoinAsync().WaitAsync(Dilated(TimeSpan.FromSeconds(5)));
        await Task.WhenAll(siblingSub.UnsubscribeAndJoinAsync(), upstreamSub.UnsubscribeAndJoinAsync()).WaitAsync(Dilated(TimeSpan.FromSeconds(5)));

        Assert.Equal(20, failingSub.FailedCount);
        Assert.Equal(20, failing.Ticks.Count());
        sibling.AssertReceivedAll(siblingSub, new Dictionary<int, int> { [0] = 20 });
        upstream.AssertReceivedAll(upstreamSub, new Dictionary<int, int> { [0] = 20 });
        Assert.False(child.IsDestroyed);
    }

    [Fact]
    public async Task PublishSync_to_a_failing_handler_faults_and_the_subscription_goes_on()
    {
        var topic = Bus.CreateTopic("sync-fail");
        var log = new SubscriberLog();
        var sub = topic.Subscribe(log.Handler((_, m) => FailsOnTick(m, 0)));

        var failure = await Assert.ThrowsAsync<SubscriptionHandlerException>(() => topic.PublishSyncAsync(TickMessage(0), sub).WaitAsync(Dilated(TimeSpan.FromSeconds(5))));
        Assert.Same(sub, failure.Subscription);
        Assert.True(await topic.PublishSyncAsync(TickMessage(1), sub).WaitAsync(Dilated(TimeSpan.FromSeconds(5))));
        Assert.True(sub.IsSubscribed);
    }
}

/// <summary>stasis.subscription.failure-policy = restart.</summary>
public sealed class RestartPolicySpec() : TickSpec("stasis.subscription.failure-policy = restart")
{
    [Fact]
    public async Task Restart_keeps_the_queued_messages_and_their_order()
    {
        var topic = Bus.CreateTopic("restart");
        var log = new SubscriberLog();
        var sub = topic.Subscribe(log.Handler((_, m) => m.Data is Tick { Seq: 2 or 5 }, work: BlockOnFirstTick));
        PublishTicks(topic, 10); // queued behind the blocked first tick: the restarts happen with a full queue
        Gate.Set();
        await sub.UnsubscribeAndJoinAsync().WaitAsync(Dilated(TimeSpan.FromSeconds(5)));

        Assert.Equal(Enumerable.Range(0, 10), log.Ticks.Select(t => t.Seq));
        log.AssertFramedAndContiguous(sub);
        Assert.Equal(2, sub.FailedCount);
    }
}

/// <summary>stasis.subscription.failure-policy = stop.</summary>
public sealed class StopPolicySpec() : TickSpec("stasis.subscription.failure-policy = stop")
{
    [Fact]
    public async Task Stop_unsubscribes_then_delivers_the_queued_messages_and_the_final_message()
    {
        var topic = Bus.CreateTopic("stop");
        var log = new SubscriberLog();
        var sub = topic.Subscribe(log.Handler((_, m) => m.Data is Tick { Seq: 1 }, work: BlockOnFirstTick));
        PublishTicks(topic, 5);
        Gate.Set();
        await sub.JoinAsync().WaitAsync(Dilated(TimeSpan.FromSeconds(5)));
        PublishTicks(topic, 1, publisher: 1); // after the stop: not delivered

        Assert.False(sub.IsSubscribed);
        Assert.Equal(0, topic.SubscriberCount);
        Assert.Equal([0, 1, 2, 3, 4], log.Ticks.Select(t => t.Seq));
        log.AssertFramedAndContiguous(sub);
    }

    [Fact]
    public async Task Stop_while_congested_delivers_the_whole_queue_and_clears_the_overloaded_flag()
    {
        var topic = Bus.CreateTopic("stop-congested");
        var log = new SubscriberLog();
        var sub = topic.Subscribe(log.Handler((_, m) => m.Data is Tick { Seq: 1 }, work: BlockOnFirstTick), new SubscriptionOptions { HighWaterMark = 8 });
        PublishTicks(topic, 64);
        Assert.True(Bus.IsOverloaded);
        Gate.Set();
        await sub.JoinAsync().WaitAsync(Dilated(TimeSpan.FromSeconds(5)));

        Assert.Equal(Enumerable.Range(0, 64), log.Ticks.Select(t => t.Seq));
        Assert.False(Bus.IsOverloaded);
    }
}
