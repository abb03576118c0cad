using System.Runtime.InteropServices;
using Akka.Actor;
using Akka.Dispatch;
using Akka.Dispatch.MessageQueues;

namespace Stasis.Actors.Internal;

/// <summary>
/// The mailbox queue of a subscription's actor (made by <see cref="SubscriptionMailbox"/>): every delivery of the
/// subscription is an Akka message in it, behind which the final message's <c>PoisonPill</c> queues, so Akka's mailbox
/// gives ordering, serialized handling, batching (the dispatcher's throughput) and fairness between subscriptions.
/// </summary>
/// <remarks>
/// <para>A multi-producer, single-consumer chain of ring segments (the ring with sequence numbers that
/// <see cref="System.Collections.Concurrent.ConcurrentQueue{T}"/> uses). A publisher reserves a position with a
/// compare-exchange on the tail, writes the slot, then marks it ready; the actor takes ready slots in order. A full
/// segment is frozen and followed by one twice as long (up to <see cref="LargestSegment"/>), so a backlog costs few
/// allocations. The first segment holds 8 messages, so an idle subscription keeps a few hundred bytes where Akka's
/// default queue reserves about a kilobyte per actor; once a backlog is drained the actor starts a small segment again.</para>
/// <para>Positions are absolute (counted since the queue was made), so <see cref="Count"/> is the difference of two
/// single reads. The reservation is a full fence, which Akka's scheduling needs: a mailbox going idle sets its status,
/// then reads <see cref="HasMessages"/>, while a sender enqueues, then reads the status; one of the two sees the other.</para>
/// </remarks>
internal sealed class SubscriptionQueue : IMessageQueue, IUnboundedMessageQueueSemantics
{
    private const int FirstSegment = 8;
    private const int LargestSegment = 1 << 16;
    private const int ShrinkAbove = 1 << 10; // a drained segment longer than this is given up (24 KB and more)
    private const long Frozen = 1L << 62; // added to a segment's tail when it is frozen: no publisher can reserve in it any more

    private readonly Lock _growLock = new();
    private readonly Taker _taker; // the actor's side, in an object of its own: it is written for every message taken
    private Segment _tail;         // the segment publishers add to

    public SubscriptionQueue()
    {
        _tail = new Segment(FirstSegment, 0);
        _taker = new Taker(_tail);
    }

    /// <summary>Messages queued and not yet taken (a moment's estimate while publishers or the actor are busy).</summary>
    public int Count => (int)Math.Clamp(Added - Volatile.Read(ref _taker.Taken), 0, int.MaxValue);

    public bool HasMessages => Added > Volatile.Read(ref _taker.Taken);

    private long Added
    {
        get
        {
            var tail = Volatile.Read(ref _tail);
            return tail.Base + tail.Tail.Reserved;
        }
    }

    public void Enqueue(IActorRef receiver, Envelope envelope)
    {
        if (!Volatile.Read(ref _tail).TryAdd(envelope))
            AddToNewSegment(envelope);
    }

    private void AddToNewSegment(in Envelope envelope)
    {
        while (true)
        {
            var tail = Volatile.Read(ref _tail);
            if (tail.TryAdd(envelope))
                return;
            lock (_growLock)
            {
                if (ReferenceEquals(tail, _tail))
                    Append(tail, Math.Min(tail.Length * 2, LargestSegment));
            }
        }
    }

    /// <summary>Freezes <paramref name="tail"/> and links a segment of <paramref name="length"/> behind it (under the grow lock).</summary>
    private void Append(Segment tail, int length)
    {
        tail.Freeze();
        var next = new Segment(length, tail.Base + tail.Tail.Reserved);
        Volatile.Write(ref tail.Next, next);
        Volatile.Write(ref _tail, next);
    }

    /// <summary>Takes the next message (actor side), waiting for one a publisher has reserved but not yet written.</summary>
    public bool TryDequeue(out Envelope envelope)
    {
        var taker = _taker;
        var spin = new SpinWait();
        while (true)
        {
            var segment = taker.Segment;
            var position = taker.Taken - segment.Base;
            ref var slot = ref segment.Slots[(int)(position % segment.Length)];
            if (Volatile.Read(ref slot.Sequence) == position + 1)
            {
                envelope = slot.Envelope;
                slot.Envelope = default; // the queue does not keep the handled message alive
                Volatile.Write(ref slot.Sequence, position + segment.Length);
                Volatile.Write(ref taker.Taken, taker.Taken + 1);
                return true;
            }
            // One read of the tail tells both how far publishers reserved and whether the segment is frozen: read apart,
            // a publisher could fill and freeze the segment in between, and its messages would be skipped.
            var (reserved, frozen) = segment.Tail;
            if (reserved > position)
            {
                spin.SpinOnce(sleep1Threshold: -1); // reserved by a publisher that is still writing it
                continue;
            }
            if (!frozen)
            {
                Shrink(segment);
                envelope = default;
                return false;
            }
            // Drained and frozen: go on in the next segment, which the freezing thread is linking.
            if (Volatile.Read(ref segment.Next) is not { } next)
            {
                spin.SpinOnce(sleep1Threshold: -1);
                continue;
            }
            taker.Segment = next;
        }
    }

    /// <summary>
    /// After a backlog, a drained large segment is frozen and followed by a small one, so a subscription does not keep
    /// its largest segment (up to 1.5 MB) for ever. Publishers that reserved meanwhile are taken from it as usual. Small
    /// segments are kept: a stream of short bursts would otherwise allocate and lock on every burst.
    /// </summary>
    private void Shrink(Segment drained)
    {
        if (drained.Length <= ShrinkAbove)
            return;
        lock (_growLock)
        {
            if (ReferenceEquals(drained, _tail))
                Append(drained, FirstSegment);
        }
    }

    /// <summary>
    /// Runs once the actor stopped, after its final message (whatever was queued before it was handled first): messages
    /// that still arrive were published after the subscription ended. Deliveries are dropped, a pending publish-sync
    /// completes false, and anything else goes to dead letters as Akka's own queues do.
    /// </summary>
    public void CleanUp(IActorRef owner, IMessageQueue deadletters)
    {
        while (TryDequeue(out var envelope))
        {
            switch (envelope.Message)
            {
                case StasisMessage or TracedDelivery:
                    break;
                case SyncDelivery sync:
                    sync.Done.TrySetResult(false);
                    break;
                default:
                    deadletters.Enqueue(owner, envelope);
                    break;
            }
        }
    }

    /// <summary>
    /// One ring of slots. Slot <c>i</c> holds relative position <c>p</c> (with <c>p % Length == i</c>) once its sequence
    /// number is <c>p + 1</c>, and is free for position <c>p</c> while it is <c>p</c>.
    /// </summary>
    private sealed class Segment
    {
        public readonly Slot[] Slots;
        public readonly int Length;
        public readonly long Base; // messages added to the queue before this segment
        public Segment? Next;
        private PaddedPosition _tail; // next relative position to reserve; + Frozen once frozen

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

        public bool TryAdd(in Envelope envelope)
        {
            while (true)
            {
                var tail = Volatile.Read(ref _tail.Value);
                if (tail >= Frozen)
                    return false;
                ref var slot = ref Slots[(int)(tail % Length)];
                var free = Volatile.Read(ref slot.Sequence) - tail;
                if (free < 0)
                    return false; // full: the actor has not taken this slot's last message yet
                if (free == 0 && Interlocked.CompareExchange(ref _tail.Value, tail + 1, tail) == tail)
                {
                    slot.Envelope = envelope;
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

    /// <summary>Where the actor takes next: its segment and the absolute position of the next message.</summary>
    private sealed class Taker(Segment first)
    {
        public Segment Segment = first;
        public long Taken;
    }

    private struct Slot
    {
        public Envelope Envelope;
        public long Sequence;
    }

    /// <summary>
    /// A segment's tail on a cache line of its own: every publisher writes it for every message, while the actor writes
    /// its own position for every message it takes.
    /// </summary>
    [StructLayout(LayoutKind.Explicit, Size = 120)]
    private struct PaddedPosition
    {
        [FieldOffset(56)]
        public long Value;
    }
}
