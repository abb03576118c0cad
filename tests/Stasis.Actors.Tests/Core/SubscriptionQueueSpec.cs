using System.Diagnostics;
using Stasis.Actors.Subscriptions.Internal;
using Stasis.Actors.Tests.Support;
using Xunit.Abstractions;

namespace Stasis.Actors.Tests.Core;

/// <summary>
/// The subscription's own queue: many publishers, one taker, a wake-up only when the queue turns busy. The bus specs
/// cover it through subscriptions; these drive it directly, with a thread standing in for the subscription's actor.
/// </summary>
public sealed class SubscriptionQueueSpec(ITestOutputHelper output) : StasisSpec(output)
{
    private sealed record Tag(int Publisher, int Seq);

    [Theory]
    [InlineData(0)]
    [InlineData(5)]
    public async Task Concurrent_publishers_lose_no_delivery_and_keep_their_order(int streamWaitMicroseconds)
    {
        var (taken, outOfOrder) = await Await(Drive(streamWaitMicroseconds, publishers: 4, perPublisher: 50_000));
        Assert.Equal(4 * 50_000, taken);
        Assert.Equal(0, outOfOrder);
    }

    [Fact]
    public async Task Takers_preempted_while_a_publisher_fills_and_freezes_segments_lose_nothing()
    {
        // Six queues, each with a publisher and a taker thread, on a machine of two or so cores: takers are preempted at
        // any point, also between looking at a segment and moving past it while its publisher fills it up and freezes it.
        const int queues = 6, perPublisher = 300_000;
        var results = await Await(Task.WhenAll(Enumerable.Range(0, queues).Select(_ => Drive(0, publishers: 1, perPublisher))));
        Assert.All(results, result =>
        {
            Assert.Equal(perPublisher, result.Taken);
            Assert.Equal(0, result.OutOfOrder);
        });
    }

    /// <summary>
    /// Publishers add tagged deliveries from their own threads; a taker thread, woken up only when Add says so, takes
    /// until the queue says it went idle, and checks each publisher's order. A lost wake-up or delivery leaves the taker
    /// waiting for good, so the caller's wait for this task times out.
    /// </summary>
    private static async Task<(int Taken, int OutOfOrder)> Drive(int streamWaitMicroseconds, int publishers, int perPublisher)
    {
        var queue = new SubscriptionQueue(streamWaitMicroseconds * Stopwatch.Frequency / 1_000_000);
        var wakeUps = new SemaphoreSlim(0);
        var taken = 0;
        var outOfOrder = 0;
        var last = Enumerable.Repeat(-1, publishers).ToArray();
        var taker = Task.Factory.StartNew(() =>
        {
            while (taken < publishers * perPublisher)
            {
                wakeUps.Wait();
                while (queue.TryTake(out var delivery))
                {
                    var tag = (Tag)delivery.Item;
                    if (tag.Seq != last[tag.Publisher] + 1)
                        outOfOrder++;
                    last[tag.Publisher] = tag.Seq;
                    taken++;
                }
            }
        }, TaskCreationOptions.LongRunning);
        var adders = Enumerable.Range(0, publishers).Select(p => Task.Factory.StartNew(() =>
        {
            for (var seq = 0; seq < perPublisher; seq++)
            {
                if (queue.Add(new Delivery(new Tag(p, seq), null)))
                    wakeUps.Release();
            }
        }, TaskCreationOptions.LongRunning));
        await Task.WhenAll(adders);
        await taker;
        Assert.Equal(0, queue.Count);
        return (taken, outOfOrder);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(5)]
    public async Task A_publisher_racing_the_taker_going_idle_still_wakes_it_up(int streamWaitMicroseconds)
    {
        // Many short rounds: two publishers add at the same moment as the taker drains the queue and goes idle. A
        // delivery added between the taker's last look and its going idle must still get a wake-up; if it did not,
        // the round would never be taken and its wait below would time out.
        const int rounds = 10_000, perRound = 2;
        var queue = new SubscriptionQueue(streamWaitMicroseconds * Stopwatch.Frequency / 1_000_000);
        var wakeUps = new SemaphoreSlim(0);
        var drained = new SemaphoreSlim(0);
        var taken = 0;
        using var start = new Barrier(3);
        using var stop = new CancellationTokenSource();
        _ = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                await wakeUps.WaitAsync(stop.Token);
                while (queue.TryTake(out _))
                    Interlocked.Increment(ref taken);
                drained.Release();
            }
        });
        var adders = Enumerable.Range(0, 2).Select(p => Task.Run(() =>
        {
            for (var round = 0; round < rounds; round++)
            {
                start.SignalAndWait(stop.Token);
                for (var i = 0; i < perRound; i++)
                {
                    if (queue.Add(new Delivery(new Tag(p, round * perRound + i), null)))
                        wakeUps.Release();
                }
            }
        })).ToArray();
        try
        {
            for (var round = 0; round < rounds; round++)
            {
                start.SignalAndWait(stop.Token);
                var target = (round + 1) * perRound * 2;
                while (Volatile.Read(ref taken) < target)
                    Assert.True(await drained.WaitAsync(Patience), $"round {round}: {target - Volatile.Read(ref taken)} deliveries queued and no wake-up");
            }
        }
        finally
        {
            stop.Cancel();
        }
        Assert.Equal(rounds * perRound * 2, Volatile.Read(ref taken));
        await Await(Task.WhenAll(adders));
    }

    [Fact]
    public void A_backlog_spanning_many_segments_is_counted_and_taken_in_order()
    {
        const int backlog = 5_000; // segments of 8, 16, ... 1024, then 1024 each
        var queue = new SubscriptionQueue(0);
        var wakeUps = 0;
        for (var seq = 0; seq < backlog; seq++)
        {
            if (queue.Add(new Delivery(new Tag(0, seq), null)))
                wakeUps++;
        }
        Assert.Equal(1, wakeUps); // only the first add finds the queue idle
        Assert.Equal(backlog, queue.Count);

        for (var seq = 0; seq < backlog; seq++)
        {
            Assert.True(queue.TryTake(out var delivery));
            Assert.Equal(seq, ((Tag)delivery.Item).Seq);
            Assert.Equal(backlog - seq - 1, queue.Count);
        }
        Assert.False(queue.TryTake(out _)); // idle now: the next add asks for a wake-up again
        Assert.True(queue.Add(new Delivery(new Tag(0, backlog), null)));
        Assert.Equal(1, queue.Count);
    }

    [Fact]
    public async Task Unsubscribing_behind_a_backlog_delivers_every_queued_message_then_the_final_message()
    {
        // More messages than one wake-up handles (the dispatcher's throughput, 30) and than the first segment holds: the
        // final message's PoisonPill passes the actor's next wake-up, and what is left is handled before the final message.
        const int backlog = 500;
        var topic = NewTopic();
        using var gate = new ManualResetEventSlim(false);
        var recorder = Record(topic, also: (_, _, message) =>
        {
            if (message.Data is Ping { Seq: 0 })
                gate.Wait(Patience);
        });
        for (var seq = 0; seq < backlog; seq++)
            topic.Publish(Ping(seq));
        AwaitCondition(() => recorder.Subscription.QueueDepth == backlog - 1, Patience);

        recorder.Subscription.Unsubscribe();
        gate.Set();
        await Await(recorder.Final);

        Assert.Equal(Enumerable.Range(0, backlog), recorder.Payloads<Ping>().Select(p => p.Seq));
        Assert.True(recorder.Subscription.IsFinalMessage(recorder.Messages[^1]));
        Assert.Equal(1, recorder.FinalCount);
        Assert.Equal(0, recorder.Subscription.QueueDepth);
    }
}
