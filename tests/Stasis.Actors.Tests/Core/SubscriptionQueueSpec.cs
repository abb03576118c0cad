using Akka.Actor;
using Akka.Dispatch;
using Stasis.Actors.Internal;
using Stasis.Actors.Tests.Support;
using Xunit.Abstractions;

namespace Stasis.Actors.Tests.Core;

/// <summary>
/// The subscription actor's mailbox queue: many publishers, one taker. The bus specs cover it through subscriptions;
/// these drive it directly, with a thread standing in for the actor's mailbox.
/// </summary>
public sealed class SubscriptionQueueSpec(ITestOutputHelper output) : StasisSpec(output)
{
    private sealed record Tag(int Publisher, int Seq);

    [Fact]
    public async Task Concurrent_publishers_lose_no_message_and_keep_their_order()
    {
        var (taken, outOfOrder) = await Await(Drive(publishers: 4, perPublisher: 50_000));
        Assert.Equal(4 * 50_000, taken);
        Assert.Equal(0, outOfOrder);
    }

    [Fact]
    public async Task Takers_preempted_while_a_publisher_fills_and_freezes_segments_lose_nothing()
    {
        // Six queues, each with a publisher and a taker thread, on a machine of two or so cores: takers are preempted at
        // any point, also between looking at a segment and moving past it while its publisher fills it up and freezes it.
        const int queues = 6, perPublisher = 300_000;
        var results = await Await(Task.WhenAll(Enumerable.Range(0, queues).Select(_ => Drive(publishers: 1, perPublisher))));
        Assert.All(results, result =>
        {
            Assert.Equal(perPublisher, result.Taken);
            Assert.Equal(0, result.OutOfOrder);
        });
    }

    /// <summary>
    /// Publishers add tagged messages from their own threads; a taker thread takes until it has them all, checking each
    /// publisher's order and that the queue never reports more messages than were added and not yet taken. A lost
    /// message leaves the taker looking for good, so the caller's wait for this task times out.
    /// </summary>
    private static async Task<(int Taken, int OutOfOrder)> Drive(int publishers, int perPublisher)
    {
        var queue = new SubscriptionQueue();
        var added = 0L;
        var taken = 0;
        var outOfOrder = 0;
        var overCounted = 0;
        var last = Enumerable.Repeat(-1, publishers).ToArray();
        var taker = Task.Factory.StartNew(() =>
        {
            var spin = new SpinWait();
            while (taken < publishers * perPublisher)
            {
                if (queue.Count > Volatile.Read(ref added) - taken)
                    overCounted++;
                if (!queue.TryDequeue(out var envelope))
                {
                    spin.SpinOnce();
                    continue;
                }
                var tag = (Tag)envelope.Message;
                if (tag.Seq != last[tag.Publisher] + 1)
                    outOfOrder++;
                last[tag.Publisher] = tag.Seq;
                taken++;
            }
        }, TaskCreationOptions.LongRunning);
        var adders = Enumerable.Range(0, publishers).Select(p => Task.Factory.StartNew(() =>
        {
            for (var seq = 0; seq < perPublisher; seq++)
            {
                Interlocked.Increment(ref added); // before the add: the count may lag it, never lead it
                queue.Enqueue(ActorRefs.Nobody, new Envelope(new Tag(p, seq), ActorRefs.NoSender));
            }
        }, TaskCreationOptions.LongRunning));
        await Task.WhenAll(adders);
        await taker;
        Assert.Equal(0, queue.Count);
        Assert.False(queue.HasMessages);
        Assert.Equal(0, overCounted);
        return (taken, outOfOrder);
    }

    [Fact]
    public void A_backlog_spanning_many_segments_is_counted_and_taken_in_order_and_the_queue_shrinks_after_it()
    {
        const int backlog = 5_000; // segments of 8, 16, ... 4096: the last one is given up once drained
        var queue = new SubscriptionQueue();
        for (var seq = 0; seq < backlog; seq++)
            queue.Enqueue(ActorRefs.Nobody, new Envelope(new Tag(0, seq), ActorRefs.NoSender));
        Assert.Equal(backlog, queue.Count);
        Assert.True(queue.HasMessages);

        for (var seq = 0; seq < backlog; seq++)
        {
            Assert.True(queue.TryDequeue(out var envelope));
            Assert.Equal(seq, ((Tag)envelope.Message).Seq);
            Assert.Equal(backlog - seq - 1, queue.Count);
        }
        Assert.False(queue.TryDequeue(out _));
        Assert.False(queue.HasMessages);

        // Drained: the large segment was given up for a small one, and the queue goes on in order from there.
        for (var seq = 0; seq < 20; seq++)
            queue.Enqueue(ActorRefs.Nobody, new Envelope(new Tag(1, seq), ActorRefs.NoSender));
        Assert.Equal(20, queue.Count);
        for (var seq = 0; seq < 20; seq++)
        {
            Assert.True(queue.TryDequeue(out var envelope));
            Assert.Equal(new Tag(1, seq), envelope.Message);
        }
        Assert.Equal(0, queue.Count);
    }

    [Fact]
    public async Task Clean_up_after_the_final_message_drops_deliveries_completes_sync_deliveries_false_and_dead_letters_the_rest()
    {
        var queue = new SubscriptionQueue();
        var deadLetters = new SubscriptionQueue();
        var topic = NewTopic();
        var done = new TaskCompletionSource<bool>();
        queue.Enqueue(ActorRefs.Nobody, new Envelope(Ping(1), ActorRefs.NoSender));
        queue.Enqueue(ActorRefs.Nobody, new Envelope(new SyncDelivery(new StasisEnvelope(topic, Ping(2)), done), ActorRefs.NoSender));
        queue.Enqueue(ActorRefs.Nobody, new Envelope("control", ActorRefs.NoSender));

        queue.CleanUp(ActorRefs.Nobody, deadLetters);

        Assert.False(await Await(done.Task));
        Assert.Equal(1, deadLetters.Count);
        Assert.True(deadLetters.TryDequeue(out var letter));
        Assert.Equal("control", letter.Message);
        Assert.Equal(0, queue.Count);
    }

    [Fact]
    public async Task Unsubscribing_behind_a_backlog_delivers_every_queued_message_then_the_final_message()
    {
        // More messages than one actor turn handles (the dispatcher's throughput, 30) and than the first segment holds: the
        // final message's PoisonPill queues behind them all.
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
