using System.Collections.Concurrent;
using Akka.Actor;
using Akka.Event;
using Stasis.Actors.Tests.Support;
using Xunit.Abstractions;

namespace Stasis.Actors.Tests.Core;

/// <summary>Async handlers: each call's task is awaited before the next message, so order and serialization hold.</summary>
public sealed class AsyncHandlerSpec(ITestOutputHelper output) : StasisSpec(output)
{
    [Fact]
    public async Task Awaiting_handlers_run_one_at_a_time_in_order_with_the_final_message_last()
    {
        const int count = 2_000;
        var topic = NewTopic();
        var running = 0;
        var maxRunning = 0;
        var seqs = new ConcurrentQueue<int>();
        var afterFinal = 0;
        var finals = 0;
        var subscription = topic.Subscribe(async (s, _, m) =>
        {
            var now = Interlocked.Increment(ref running);
            InterlockedMax(ref maxRunning, now);
            if (Volatile.Read(ref finals) > 0)
                Interlocked.Increment(ref afterFinal);
            await Task.Delay(1);
            if (s.IsFinalMessage(m))
                Interlocked.Increment(ref finals);
            else if (m.Data is Ping ping)
                seqs.Enqueue(ping.Seq);
            Interlocked.Decrement(ref running);
        });
        for (var seq = 0; seq < count; seq++)
            topic.Publish(Ping(seq));
        await Await(subscription.UnsubscribeAndJoinAsync());

        Assert.Equal(1, maxRunning);
        Assert.Equal(Enumerable.Range(0, count), seqs);
        Assert.Equal(1, finals);
        Assert.Equal(0, afterFinal);
        Assert.Equal(count + 1, subscription.HandledCount); // and the Subscribe change (the final message is not counted)
    }

    [Fact]
    public async Task An_exception_after_an_await_goes_through_the_failure_policy_and_the_subscription_goes_on()
    {
        var topic = NewTopic();
        var seqs = new ConcurrentQueue<int>();
        var subscription = topic.Subscribe(async (_, _, m) =>
        {
            await Task.Yield();
            if (m.Data is not Ping ping)
                return;
            seqs.Enqueue(ping.Seq);
            if (ping.Seq == 3)
                throw new InvalidOperationException("fails after an await");
        }, new SubscriptionOptions { Name = "awaiting" });

        // Logged once by the policy (resume, the default), naming the subscription.
        EventFilter.Custom(e => e is Error { Cause: InvalidOperationException } error && error.Message.ToString()!.Contains("awaiting"))
            .ExpectOne(() =>
            {
                for (var seq = 0; seq < 8; seq++)
                    topic.Publish(Ping(seq));
                AwaitCondition(() => seqs.Count == 8, Patience);
            });
        await Await(subscription.UnsubscribeAndJoinAsync());

        Assert.Equal(Enumerable.Range(0, 8), seqs);
        Assert.Equal(1, subscription.FailedCount);
    }

    [Fact]
    public async Task An_async_lambda_binds_to_the_async_overload_so_the_next_call_waits_for_its_task()
    {
        var topic = NewTopic();
        var probe = CreateTestProbe();
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        // Bound to the void delegate instead (async void), the second call would start while the first awaits.
        Subscription subscription = topic.Subscribe(async (_, _, m) =>
        {
            if (m.Data is not Ping ping)
                return;
            probe.Ref.Tell($"start {ping.Seq}");
            if (ping.Seq == 1)
                await release.Task;
            probe.Ref.Tell($"end {ping.Seq}");
        });
        topic.Publish(Ping(1));
        topic.Publish(Ping(2));

        probe.ExpectMsg("start 1");
        probe.ExpectNoMsg(TimeSpan.FromMilliseconds(300));
        release.SetResult();
        probe.ExpectMsg("end 1");
        probe.ExpectMsg("start 2");
        probe.ExpectMsg("end 2");
        await Await(subscription.UnsubscribeAndJoinAsync());
    }

    [Fact]
    public async Task Publish_sync_and_join_complete_after_the_handlers_task()
    {
        var topic = NewTopic();
        var handled = new ConcurrentQueue<string>();
        var subscription = topic.Subscribe(async (s, _, m) =>
        {
            await Task.Delay(20);
            handled.Enqueue(s.IsFinalMessage(m) ? "final" : m.Type.Name);
        });

        Assert.True(await Await(topic.PublishSyncAsync(Ping(1), subscription)));
        Assert.Contains(PingType.Name, handled);
        await Await(subscription.UnsubscribeAndJoinAsync());
        Assert.Equal("final", handled.Last());
    }

    [Fact]
    public async Task A_handler_factory_gives_each_restart_a_fresh_handler()
    {
        // Under "restart" a new handler is made for the actor's new incarnation: state kept in its closure starts afresh.
        var system = Akka.Actor.ActorSystem.Create("factory", "akka.loglevel = OFF\nstasis.subscription.failure-policy = restart");
        try
        {
            var bus = StasisBus.Get(system);
            var type = bus.CreateMessageType<Ping>("test_ping");
            var topic = bus.CreateTopic("factory");
            var seen = new ConcurrentQueue<(int Incarnation, int Count)>();
            var incarnations = 0;
            var subscription = topic.Subscribe(() =>
            {
                var incarnation = Interlocked.Increment(ref incarnations);
                var count = 0;
                return (_, _, m) =>
                {
                    if (m.Data is not Ping ping)
                        return;
                    seen.Enqueue((incarnation, ++count));
                    if (ping.Seq == 2)
                        throw new InvalidOperationException("restart me");
                };
            });
            for (var seq = 0; seq < 5; seq++)
                topic.Publish(type, new Ping(0, seq));
            await Await(subscription.UnsubscribeAndJoinAsync());

            Assert.Equal([(1, 1), (1, 2), (1, 3), (2, 1), (2, 2)], seen);
        }
        finally
        {
            await system.Terminate();
        }
    }

    private static void InterlockedMax(ref int target, int value)
    {
        var current = Volatile.Read(ref target);
        while (value > current && Interlocked.CompareExchange(ref target, value, current) is var seen && seen != current)
            current = seen;
    }
}
