using System.Diagnostics;
using System.Runtime.InteropServices;
using Stasis.Actors.Messages;
using Stasis.Actors.Topics;

namespace Stasis.Actors.Subscriptions.Internal;

/// <summary>
/// One queued delivery: a <see cref="StasisMessage"/> with the topic it was published to (<see cref="Via"/>, which
/// differs from the subscription's own topic for a message reached through forwarding), or a <see cref="SyncDelivery"/>.
/// </summary>
internal readonly record struct Delivery(object Item, Topic? Via);

/// <summary>
/// The queue of one subscription: publishers add to it from their own threads, and only the subscription's actor takes
/// from it, so deliveries stay in publish order and are handled one at a time.
/// </summary>
/// <remarks>
/// <para>Why the messages do not travel in the actor's mailbox: an Akka Tell costs the publisher a walk through the
/// actor cell and the dispatcher for every message, and the receiving side a mailbox step and an actor invocation per
/// message. Here a publisher adds a message with one compare-exchange and reads one flag; the actor is told a single
/// wake-up when the queue goes from idle to busy and then takes a batch per invocation. The actor still does all the
/// handling, on its dispatcher, under its topic's supervision; its mailbox carries the wake-ups and the control messages
/// (the final message's <c>PoisonPill</c>, watches).</para>
/// <para>The queue is a chain of ring segments (a multi-producer, single-consumer form of the ring with sequence numbers
/// that <see cref="System.Collections.Concurrent.ConcurrentQueue{T}"/> uses). A publisher reserves a position with a
/// compare-exchange on the tail, writes the slot, then marks it ready; the actor takes ready slots in order. A full
/// segment is frozen and followed by one twice as long, up to <see cref="LargestSegment"/> deliveries, so a backlog costs
/// few allocations. The first segment holds 8 deliveries, so an idle subscription keeps a few hundred bytes, where
/// Akka's mailbox queue reserves about a kilobyte per actor; after a backlog the queue keeps its last segment (at most
/// 1.5 MB; Akka's mailbox queue keeps segments of up to a million messages).</para>
/// <para>The wake-up flag is set while a wake-up is pending or the actor is taking messages. A publisher reserves its
/// position (a full fence), writes, then reads the flag; the actor clears the flag with a full fence, then looks at the
/// tail once more, and waits for a reserved slot to become ready. So either the publisher sees the flag clear and sends
/// a wake-up, or the actor sees the message: no message is left without a pending wake-up.</para>
/// <para>The stream wait (<c>stasis.subscription.stream-wait</c>): a handler that keeps pace with a fast publisher takes
/// each message right behind it, so the two cores pass the same memory between them for every message, and the queue
/// runs dry and is woken up again per message. Measured on two cores, that made each publish about three times as
/// costly as the publisher's own work. So when the queue runs dry shortly (within the wait) after the last time it went
/// idle, the actor waits (spinning, and yielding its core to any other runnable thread) for the wait's length before it
/// looks again, and then takes what arrived as a batch. It never waits while other work is queued for the thread pool,
/// and stops waiting as soon as a wait finds nothing, so a sparse stream goes idle at once as before.</para>
/// </remarks>
internal sealed class SubscriptionQueue
{
    private const int FirstSegment = 8;
    private const int LargestSegment = 1 << 16;
    private const long Frozen = 1L << 62; // added to a segment's tail when it is frozen: no publisher can reserve in it any more
    private const int SpinChunk = 20;     // Thread.SpinWait iterations between two yields while waiting (under a microsecond)

    private readonly long _streamWaitTicks;
    private readonly Lock _growLock = new();
    private readonly Taker _taker;
    private Segment _tail; // the segment publishers add to
    private int _wake;     // 1 while a wake-up is pending or the actor is taking messages

    public SubscriptionQueue(long streamWaitTicks)
    {
        _streamWaitTicks = streamWaitTicks;
        _tail = new Segment(FirstSegment, 0);
        _taker = new Taker(_tail);
    }

    /// <summary>Deliveries queued and not yet taken (a moment's estimate while publishers or the actor are busy).</summary>
    public int Count
    {
        get
        {
            var tail = Volatile.Read(ref _tail);
            var added = tail.Base + tail.Tail.Reserved;
            var head = Volatile.Read(ref _taker.Segment);
            var taken = head.Base + Volatile.Read(ref _taker.Head);
            return (int)Math.Clamp(added - taken, 0, int.MaxValue);
        }
    }

    /// <summary>Queues <paramref name="delivery"/>; true when the caller must wake the subscription's actor up.</summary>
    public bool Add(in Delivery delivery)
    {
        if (!Volatile.Read(ref _tail).TryAdd(delivery))
            AddToNewSegment(delivery);
        return Volatile.Read(ref _wake) == 0 && Interlocked.CompareExchange(ref _wake, 1, 0) == 0;
    }

    private void AddToNewSegment(in Delivery delivery)
    {
        while (true)
        {
            var tail = Volatile.Read(ref _tail);
            if (tail.TryAdd(delivery))
                return;
            lock (_growLock)
            {
                if (ReferenceEquals(tail, _tail))
                {
                    tail.Freeze();
                    var next = new Segment(Math.Min(tail.Length * 2, LargestSegment), tail.Base + tail.Tail.Reserved);
                    Volatile.Write(ref tail.Next, next);
                    Volatile.Write(ref _tail, next);
                }
            }
        }
    }

    /// <summary>
    /// Takes the next delivery (actor side). False when the queue is empty (after the stream wait, in a dense stream):
    /// the wake-up flag is then released, unless a publisher added meanwhile, whose message is then taken instead.
    /// </summary>
    public bool TryTake(out Delivery delivery)
    {
        var taker = _taker;
        if (taker.IdleSince != 0) // the first take since a wake-up
        {
            taker.Dense = Stopwatch.GetTimestamp() - taker.IdleSince < _streamWaitTicks;
            taker.IdleSince = 0;
        }
        if (taker.TryTake(out delivery))
            return true;
        if (taker.Dense)
        {
            if (WaitForStream() && taker.TryTake(out delivery))
                return true;
            taker.Dense = false;
        }
        Interlocked.Exchange(ref _wake, 0);
        // A publisher that added after the failed take may have seen the flag still set and sent no wake-up: its
        // delivery is taken now, and the flag set again (unless a publisher set it and sent a wake-up meanwhile, which
        // then finds the rest, or nothing).
        if (taker.TryTake(out delivery))
        {
            Interlocked.CompareExchange(ref _wake, 1, 0);
            return true;
        }
        if (_streamWaitTicks > 0)
            taker.IdleSince = Stopwatch.GetTimestamp();
        return false;
    }

    /// <summary>Takes what is left once the actor has stopped: no waiting, and the wake-up flag is left as it is.</summary>
    public bool TryTakeLeftover(out Delivery delivery) => _taker.TryTake(out delivery);

    /// <summary>
    /// Spins for the stream wait, yielding the core between short spins so that a runnable thread (the publisher's, or
    /// another actor's when more threads than cores are busy) is not kept off it; false (at once) when other work waits
    /// for a thread of the pool.
    /// </summary>
    private bool WaitForStream()
    {
        if (ThreadPool.PendingWorkItemCount > 0)
            return false;
        var deadline = Stopwatch.GetTimestamp() + _streamWaitTicks;
        while (Stopwatch.GetTimestamp() < deadline)
        {
            Thread.SpinWait(SpinChunk);
            Thread.Yield();
        }
        return true;
    }

    /// <summary>
    /// One ring of slots. Slot <c>i</c> holds position <c>p</c> (with <c>p % Length == i</c>) once its sequence number is
    /// <c>p + 1</c>, and is free for position <c>p</c> while it is <c>p</c>.
    /// </summary>
    private sealed class Segment
    {
        public readonly Slot[] Slots;
        public readonly int Length;
        public readonly long Base; // deliveries added to the queue before this segment (for Count)
        public Segment? Next;
        private PaddedPosition _tail; // next position to reserve; + Frozen once frozen

        public Segment(int length, long @base)
        {
            Length = length;
            Base = @base;
            Slots = new Slot[length];
            for (var i = 0; i < length; i++)
                Slots[i].Sequence = i;
        }

        /// <summary>Positions reserved so far, and whether the segment is frozen (one read).</summary>
        public (long Reserved, bool Frozen) Tail
        {
            get
            {
                var tail = Volatile.Read(ref _tail.Value);
                return tail >= Frozen ? (tail - Frozen, true) : (tail, false);
            }
        }

        public bool TryAdd(in Delivery delivery)
        {
            while (true)
            {
                var tail = Volatile.Read(ref _tail.Value);
                if (tail >= Frozen)
                    return false;
                ref var slot = ref Slots[(int)(tail % Length)];
                var free = Volatile.Read(ref slot.Sequence) - tail;
                if (free < 0)
                    return false; // full: the actor has not taken this slot's last delivery yet
                if (free == 0 && Interlocked.CompareExchange(ref _tail.Value, tail + 1, tail) == tail)
                {
                    slot.Delivery = delivery;
                    Volatile.Write(ref slot.Sequence, tail + 1);
                    return true;
                }
                // Another publisher reserved this position first: try the next one.
            }
        }

        /// <summary>Stops publishers from reserving more positions here (they go on in the next segment).</summary>
        public void Freeze()
        {
            while (true)
            {
                var tail = Volatile.Read(ref _tail.Value);
                if (tail >= Frozen || Interlocked.CompareExchange(ref _tail.Value, tail + Frozen, tail) == tail)
                    return;
            }
        }
    }

    private struct Slot
    {
        public Delivery Delivery;
        public long Sequence;
    }

    /// <summary>
    /// A segment's tail on a cache line of its own: every publisher writes it for every message, and the actor, which
    /// writes its own position for every message it takes, may have its fields allocated right next to the segment.
    /// </summary>
    [StructLayout(LayoutKind.Explicit, Size = 120)]
    private struct PaddedPosition
    {
        [FieldOffset(56)]
        public long Value;
    }

    /// <summary>The actor's side of the queue: where it takes next, and the state of the stream wait.</summary>
    private sealed class Taker(Segment first)
    {
        public Segment Segment = first;
        public long Head;      // next position to take in Segment
        public long IdleSince; // when the actor last went idle (0: not since its last wake-up)
        public bool Dense;     // woken up again within the stream wait of going idle

        /// <summary>Takes the delivery at the head, waiting for one a publisher has reserved but not yet written.</summary>
        public bool TryTake(out Delivery delivery)
        {
            var spin = new SpinWait();
            while (true)
            {
                var segment = Segment;
                ref var slot = ref segment.Slots[(int)(Head % segment.Length)];
                if (Volatile.Read(ref slot.Sequence) == Head + 1)
                {
                    delivery = slot.Delivery;
                    slot.Delivery = default; // the queue does not keep the handled message alive
                    Volatile.Write(ref slot.Sequence, Head + segment.Length);
                    Volatile.Write(ref Head, Head + 1);
                    return true;
                }
                // One read of the tail tells both how far publishers reserved and whether the segment is frozen: read
                // apart, a publisher could fill and freeze the segment in between, and its deliveries would be skipped.
                var (reserved, frozen) = segment.Tail;
                if (reserved > Head)
                {
                    spin.SpinOnce(sleep1Threshold: -1); // reserved by a publisher that is still writing it
                    continue;
                }
                if (!frozen)
                {
                    delivery = default;
                    return false;
                }
                // Drained and frozen: go on in the next segment, which the freezing publisher is linking.
                if (Volatile.Read(ref segment.Next) is not { } next)
                {
                    spin.SpinOnce(sleep1Threshold: -1);
                    continue;
                }
                Volatile.Write(ref Segment, next);
                Volatile.Write(ref Head, 0);
            }
        }
    }
}
