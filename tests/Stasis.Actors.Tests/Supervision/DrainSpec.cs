using System.Collections.Concurrent;
using Akka.Actor;
using Akka.Configuration;
using Stasis.Actors.Tests.Support;
using Xunit.Abstractions;

namespace Stasis.Actors.Tests.Supervision;

/// <summary>
/// Unsubscribing behind a backlog: the backlog is handled turn by turn like any other mailbox, so other subscriptions
/// on the same threads keep their share, and the failure policy applies to the end.
/// </summary>
public sealed class DrainSpec(ITestOutputHelper output) : StasisSpec(output, """
    one-thread {
      type = ForkJoinDispatcher
      throughput = 30
      dedicated-thread-pool.thread-count = 1
    }
    """)
{
    private static readonly SubscriptionOptions OneThread = new() { Dispatcher = "one-thread" };

    [Fact]
    public async Task Unsubscribing_behind_a_backlog_leaves_other_subscriptions_their_turns()
    {
        const int backlog = 20_000;
        var topic = NewTopic();
        var aCalls = 0;
        var aCallsAtFirstB = -1;
        var a = topic.Subscribe((_, _, m) =>
        {
            if (m.Data is Ping)
                Interlocked.Increment(ref aCalls);
        }, OneThread);
        var b = topic.Subscribe((_, _, m) =>
        {
            if (m.Data is Ping && aCallsAtFirstB < 0)
                aCallsAtFirstB = Volatile.Read(ref aCalls);
        }, OneThread);
        AwaitCondition(() => a.HandledCount == 2 && b.HandledCount == 1, Patience); // their Subscribe changes

        // The dispatcher's only thread is held while both backlogs and A's unsubscription queue up.
        using var gate = new ManualResetEventSlim(false);
        using var holding = new ManualResetEventSlim(false);
        var blocker = NewTopic();
        blocker.Subscribe((_, _, m) =>
        {
            if (m.Data is Ping)
            {
                holding.Set();
                gate.Wait(Patience);
            }
        }, OneThread);
        blocker.Publish(Ping(0));
        Assert.True(holding.Wait(Patience));
        for (var seq = 0; seq < backlog; seq++)
            topic.Publish(Ping(seq));
        a.Unsubscribe();
        gate.Set();

        await Await(a.JoinAsync());
        await Await(b.UnsubscribeAndJoinAsync());
        Assert.Equal(backlog, aCalls);
        Assert.InRange(aCallsAtFirstB, 0, 199);

    }

    [Theory]
    [InlineData("resume", 1, 10)]
    [InlineData("restart", 3, 10)]
    [InlineData("stop", 1, 10)]
    public async Task Failure_policy_acts_the_same_whether_or_not_the_subscription_was_unsubscribed(string policy, int incarnations, int calls)
    {
        var kept = await RunBacklog(policy, unsubscribeFirst: false);
        var drained = await RunBacklog(policy, unsubscribeFirst: true);

        Assert.Equal(kept, drained);
        Assert.Equal(incarnations, drained.Incarnations);
        Assert.Equal(string.Join(",", Enumerable.Range(0, calls)), drained.Seqs);
        Assert.True(drained.FinalLast);
        Assert.Equal(2, drained.Failed);
    }

    /// <summary>What one run saw; <see cref="Seqs"/> is the handled pings' sequence numbers in handling order.</summary>
    private sealed record Outcome(int Incarnations, long Failed, bool FinalLast, string Seqs);

    /// <summary>
    /// Ten pings queue behind a handler held on the first; pings 2 and 5 fail. With <paramref name="unsubscribeFirst"/>
    /// the subscription is unsubscribed before the handler goes on, so the backlog is handled after the unsubscription.
    /// </summary>
    private async Task<Outcome> RunBacklog(string policy, bool unsubscribeFirst)
    {
        var system = ActorSystem.Create("drain-" + policy, ConfigurationFactory.ParseString($"""
            akka.loglevel = OFF
            stasis.subscription.failure-policy = {policy}
            """));
        try
        {
            var bus = StasisBus.Get(system);
            var type = bus.CreateMessageType<Ping>("test_ping");
            var topic = bus.CreateTopic("backlog");
            using var gate = new ManualResetEventSlim(false);
            var incarnations = 0;
            var seqs = new ConcurrentQueue<int>();
            var finalLast = false;
            var subscription = topic.Subscribe(() =>
            {
                Interlocked.Increment(ref incarnations);
                return (s, _, m) =>
                {
                    if (s.IsFinalMessage(m))
                    {
                        finalLast = seqs.Count == 10;
                        return;
                    }
                    if (m.Data is not Ping ping)
                        return;
                    seqs.Enqueue(ping.Seq);
                    if (ping.Seq == 0)
                        gate.Wait(Patience);
                    if (ping.Seq is 2 or 5)
                        throw new InvalidOperationException($"ping {ping.Seq} fails");
                };
            });
            for (var seq = 0; seq < 10; seq++)
                topic.Publish(type, new Ping(0, seq));
            AwaitCondition(() => subscription.QueueDepth == 9, Patience);
            if (unsubscribeFirst)
                subscription.Unsubscribe();
            gate.Set();
            if (!unsubscribeFirst)
                AwaitCondition(() => seqs.Count == 10, Patience);
            await Await(subscription.UnsubscribeAndJoinAsync());
            return new Outcome(incarnations, subscription.FailedCount, finalLast, string.Join(",", seqs));
        }
        finally
        {
            await system.Terminate();
        }
    }
}
