using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Akka.Actor;
using Akka.Event;
using Stasis.Actors.Internal;
using Stasis.Actors.Messages;
using Stasis.Actors.Subscriptions.Internal;
using Stasis.Actors.Topics;

namespace Stasis.Actors.Subscriptions;

/// <summary>
/// One subscriber's subscription to a <see cref="Topics.Topic"/>. Made by <see cref="Topic.Subscribe(SubscriptionHandler, SubscriptionOptions?)"/>
/// (a callback) or <see cref="Topic.Subscribe(IActorRef, SubscriptionOptions?)"/> (an actor).
/// </summary>
/// <remarks>
/// <para>Each subscription is an actor, the only reader of the subscription's queue, so delivery is <b>ordered</b>
/// (publish order, forwarded messages included) and <b>serialized</b> (one handler call at a time). Different
/// subscriptions run concurrently. Publishers queue messages without a Tell per message; the actor is woken up when
/// its queue goes from idle to busy and handles them in batches on its dispatcher.</para>
/// <para>The first message is the subscription's own <see cref="SubscriptionChange"/> "Subscribe"; the last is its
/// own "Unsubscribe" change, the <b>final message</b>, delivered exactly once after every message queued before
/// <see cref="Unsubscribe"/>. The final message is driven by a <see cref="PoisonPill"/>: the actor handles it in
/// <c>PostStop</c>, so it is also delivered when the subscription ends by its failure policy, by the topic's
/// disposal or by the actor system's shutdown.</para>
/// <para>All members are thread-safe and never block; <see cref="Unsubscribe"/> may be called from inside the handler.</para>
/// </remarks>
public sealed class Subscription
{
    private const int Active = 0, Ending = 1, Ended = 2;

    private readonly SubscriptionHandler? _handler;
    private readonly SubscriptionQueue _queue;
    private TaskCompletionSource? _joined; // made by the first join: most subscriptions are never joined
    private int _finished;                 // 1 once the final message's handler returned (or the subscription never started)
    private TypeFilter _filter;
    private int _state;
    private CancellationTokenSource? _ended;
    private volatile bool _done;
    private volatile StasisMessage? _final;
    private HandlerCounters? _counters;
    private long _filtered;
    private int _congested;

    internal Subscription(Topic topic, string id, SubscriptionHandler? handler, IActorRef? target, SubscriptionOptions options, int highWaterMark, int lowWaterMark)
    {
        Topic = topic;
        _queue = new SubscriptionQueue((long)(topic.Bus.Settings.StreamWait.TotalSeconds * Stopwatch.Frequency));
        Id = id;
        Name = options.Name ?? id;
        _handler = handler;
        Target = target;
        _filter = TypeFilter.From(options);
        HighWaterMark = highWaterMark;
        LowWaterMark = lowWaterMark;
    }

    /// <summary>The subscription's unique id within its bus (e.g. <c>sub-42</c>).</summary>
    public string Id { get; }

    /// <summary>The name used in logs: <see cref="SubscriptionOptions.Name"/>, or <see cref="Id"/>.</summary>
    public string Name { get; }

    /// <summary>The topic subscribed to.</summary>
    public Topic Topic { get; }

    /// <summary>True until <see cref="Unsubscribe"/> is called or the subscription otherwise ends.</summary>
    public bool IsSubscribed => Volatile.Read(ref _state) == Active;

    /// <summary>True once the final message was received; already true while its handler runs.</summary>
    public bool IsDone => _done;

    /// <summary>Messages queued and not yet handled.</summary>
    public int QueueDepth => _queue.Count;

    /// <summary>Messages handled so far, change messages included.</summary>
    public long HandledCount => Counters is { } c ? Volatile.Read(ref c.Handled) : 0;

    /// <summary>Handler calls that threw.</summary>
    public long FailedCount => Counters is { } c ? Volatile.Read(ref c.Failed) : 0;

    /// <summary>Messages held back by this subscription's filter before queueing.</summary>
    public long FilteredCount => Volatile.Read(ref _filtered);

    /// <summary>True while the queue is above <see cref="HighWaterMark"/> and has not yet fallen to <see cref="LowWaterMark"/>.</summary>
    public bool IsCongested => Volatile.Read(ref _congested) == 1;

    /// <summary>The shortest timed handler call so far (zero before the first call). See <see cref="HandlerTimeMean"/>.</summary>
    public TimeSpan HandlerTimeMin => TimedCount == 0 ? TimeSpan.Zero : Stopwatch.GetElapsedTime(0, Volatile.Read(ref Counters!.TicksMin));

    /// <summary>The longest timed handler call so far. See <see cref="HandlerTimeMean"/>.</summary>
    public TimeSpan HandlerTimeMax => Counters is { } c ? Stopwatch.GetElapsedTime(0, Volatile.Read(ref c.TicksMax)) : TimeSpan.Zero;

    /// <summary>
    /// The mean timed handler call so far (zero before the first call). Timing a call reads the clock twice, which on
    /// some machines costs as much as a delivery: every call is timed while a metrics listener records
    /// <c>stasis.subscription.handler_time</c>; otherwise the first call and then one call in 64 are.
    /// </summary>
    public TimeSpan HandlerTimeMean => TimedCount is var n and > 0
        ? Stopwatch.GetElapsedTime(0, Volatile.Read(ref Counters!.TicksTotal) / n)
        : TimeSpan.Zero;

    private long TimedCount => Counters is { } c ? Volatile.Read(ref c.Timed) : 0;

    /// <summary>Queue length at which the subscription is reported congested.</summary>
    public int HighWaterMark { get; }

    /// <summary>Queue length at which a congested subscription is reported recovered.</summary>
    public int LowWaterMark { get; }

    /// <summary>The actor that receives this subscription's messages, for actor subscribers; null for callbacks.</summary>
    public IActorRef? Target { get; }

    /// <summary>The subscription's own actor (its queue).</summary>
    internal IActorRef Actor { get; set; } = ActorRefs.Nobody;

    internal TypeFilter Filter => Volatile.Read(ref _filter);

    /// <summary>
    /// True when <paramref name="message"/> is this subscription's final message: its own "Unsubscribe" change.
    /// Other subscriptions' change messages are not final for this one.
    /// </summary>
    public bool IsFinalMessage(StasisMessage message) =>
        message is StasisMessage<SubscriptionChange> { Payload: { Kind: SubscriptionChangeKind.Unsubscribe } change }
        && ReferenceEquals(change.Topic, Topic)
        && change.SubscriptionId == Id;

    /// <summary>
    /// Ends the subscription: it leaves the topic at once (no message published after this call returns reaches
    /// it), messages already queued are still delivered, then the final message. Safe to call twice (the second call
    /// does nothing) and from inside the handler. Never blocks.
    /// </summary>
    public void Unsubscribe()
    {
        if (Interlocked.CompareExchange(ref _state, Ending, Active) != Active)
            return;
        _final = Topic.Bus.Graph.RemoveSubscription(this);
        Actor.Tell(PoisonPill.Instance, ActorRefs.NoSender);
    }

    /// <summary>
    /// <see cref="Unsubscribe"/>s, then completes once the handler of the final message has returned.
    /// </summary>
    /// <param name="cancellationToken">Cancels the wait (not the unsubscription).</param>
    public Task UnsubscribeAndJoinAsync(CancellationToken cancellationToken = default)
    {
        Unsubscribe();
        return JoinAsync(cancellationToken);
    }

    /// <summary>Completes once the handler of the final message has returned. Does not unsubscribe.</summary>
    /// <param name="cancellationToken">Cancels the wait.</param>
    public Task JoinAsync(CancellationToken cancellationToken = default) => Joined().WaitAsync(cancellationToken);

    private Task Joined()
    {
        if (Volatile.Read(ref _finished) == 1)
            return Task.CompletedTask;
        if (Volatile.Read(ref _joined) is null)
            Interlocked.CompareExchange(ref _joined, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously), null);
        var joined = Volatile.Read(ref _joined)!;
        // Finish may have run before the source existed: it sets the flag, then reads the source (a full fence between);
        // this makes the source, then reads the flag (the fence of the compare-exchange, or of the join that made the
        // source first). So one of the two sees the other and the source completes.
        if (Volatile.Read(ref _finished) == 1)
            joined.TrySetResult();
        return joined.Task;
    }

    /// <summary>Completes every join, then every pending sync delivery (with false).</summary>
    private void Finish()
    {
        Interlocked.Exchange(ref _finished, 1);
        Volatile.Read(ref _joined)?.TrySetResult();
        Volatile.Read(ref _ended)?.Cancel();
    }

    /// <summary>
    /// Lets messages of <paramref name="type"/> through and makes the filter selective: from now on only accepted
    /// types (and this subscription's own change messages) are queued.
    /// </summary>
    public void AcceptMessageType(MessageType type) => ChangeFilter(type, static (f, t) => f.Accept(t));

    /// <summary>Holds messages of <paramref name="type"/> back from now on (they are not queued).</summary>
    public void DeclineMessageType(MessageType type) => ChangeFilter(type, static (f, t) => f.Decline(t));

    /// <summary>Replaces the whole filter (used by routers, which own their subscription's filter).</summary>
    internal void SetFilter(TypeFilter filter) => Topic.Bus.Graph.ChangeFilter(this, () => _filter = filter);

    private void ChangeFilter(MessageType type, Func<TypeFilter, MessageType, TypeFilter> change)
    {
        ArgumentNullException.ThrowIfNull(type);
        Topic.Bus.Graph.ChangeFilter(this, () => _filter = change(_filter, type));
    }

    /// <inheritdoc />
    public override string ToString() => $"subscription {Name} on topic {Topic.Name}";

    // ---- publisher side: called by the topic's dispatch, from the publishing thread ----

    internal void CountFiltered() => Interlocked.Increment(ref _filtered);

    /// <summary>
    /// Queues <paramref name="message"/>, published to <paramref name="via"/> (this subscription's topic, or for a message
    /// reached through forwarding the topic it was published to), and wakes the actor up if its queue was idle.
    /// </summary>
    internal void Enqueue(StasisMessage message, Topic via) => Add(new Delivery(message, via));

    private void Add(in Delivery delivery)
    {
        if (_queue.Add(delivery))
            Actor.Tell(SubscriptionActor.Wake.Instance, ActorRefs.NoSender);
    }

    /// <summary>Reports the subscription congested if its queue reached the high-water mark (topics sample this every 16 publishes).</summary>
    internal void CheckCongestion()
    {
        if (Volatile.Read(ref _congested) == 1)
            return;
        var depth = QueueDepth;
        if (depth >= HighWaterMark)
            MarkCongested(depth);
    }

    private void MarkCongested(long depth)
    {
        if (Interlocked.CompareExchange(ref _congested, 1, 0) != 0)
            return;
        Topic.Bus.Diagnostics.Congested(this, depth);
        // A late publish may reach a subscription that has just ended: it must not stay congested for ever.
        if (Volatile.Read(ref _state) == Ended)
            ClearCongestion(recovered: false);
        // The handler may have drained the queue between the depth read and the flag being set: it only clears the
        // flag while handling, so with nothing left to handle the check is made here.
        else if (QueueDepth <= LowWaterMark)
            ClearCongestion(recovered: true);
    }

    /// <summary>
    /// Queues a publish-sync delivery. <paramref name="done"/> completes true once the handler ran it; if the
    /// subscription ends first, it completes false: the final message is the last handler call, so once the join
    /// completes the delivery can no longer run (a message sent to a stopping actor may be dropped without a trace).
    /// </summary>
    internal void EnqueueSync(StasisEnvelope envelope, TaskCompletionSource<bool> done)
    {
        Add(new Delivery(new SyncDelivery(envelope, done), null));
        // Made on first use only: an idle subscription pays nothing for it. The registration is dropped as soon as the
        // delivery completes, so a long-lived subscription keeps no trace of its past sync deliveries.
        var ended = Volatile.Read(ref _ended);
        if (ended is null)
        {
            Interlocked.CompareExchange(ref _ended, new CancellationTokenSource(), null);
            ended = Volatile.Read(ref _ended)!;
        }
        var registration = ended.Token.Register(static state => ((TaskCompletionSource<bool>)state!).TrySetResult(false), done);
        done.Task.ContinueWith(static (_, state) => ((CancellationTokenRegistration)state!).Dispose(), registration,
            CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        if (Volatile.Read(ref _finished) == 1) // ended before the token source existed: Finish may not have seen it
            done.TrySetResult(false);
    }

    // ---- actor side: called by SubscriptionActor, one call at a time ----

    /// <summary>
    /// Gives the handler thread its counters, made on first use by the subscription's actor (so, on the handler thread,
    /// away from the cache lines publishers read) and kept across restarts.
    /// </summary>
    internal void AttachCounters() => Volatile.Write(ref _counters, _counters ?? new HandlerCounters());

    /// <summary>
    /// Handles up to <paramref name="batch"/> queued deliveries (on a <see cref="SubscriptionActor.Wake"/>). With more
    /// left, the actor wakes itself up again, behind the other messages of its mailbox (a final message's
    /// <see cref="PoisonPill"/> among them: what it passes is handled in <see cref="OnStopped"/>, before the final message).
    /// </summary>
    internal void HandleQueued(IActorRef self, int batch)
    {
        for (var i = 0; i < batch; i++)
        {
            if (!_queue.TryTake(out var delivery))
                return;
            try
            {
                Handle(delivery);
            }
            catch
            {
                // The topic's actor decides what follows (resume, restart or stop). The queue keeps its wake-up flag, so
                // the rest of it is handled after that decision, through this wake-up.
                self.Tell(SubscriptionActor.Wake.Instance, ActorRefs.NoSender);
                throw;
            }
        }
        self.Tell(SubscriptionActor.Wake.Instance, ActorRefs.NoSender);
    }

    private void Handle(in Delivery delivery)
    {
        if (delivery.Item is StasisMessage message)
        {
            Handle(delivery.Via!, message);
            return;
        }
        var sync = (SyncDelivery)delivery.Item;
        try
        {
            Handle(sync.Envelope.Topic, sync.Envelope.Message);
            sync.Done.TrySetResult(true);
        }
        catch (Exception ex)
        {
            sync.Done.TrySetException(ex);
            throw;
        }
    }

    private void Handle(Topic originalTopic, StasisMessage message)
    {
        var counters = _counters!;
        if ((counters.Handled & 63) == 0 || BusMetrics.HandlerTimeListened) // see HandlerTimeMean
        {
            HandleTimed(counters, originalTopic, message);
            return;
        }
        try
        {
            Invoke(originalTopic, message);
        }
        catch (Exception ex)
        {
            throw Failed(counters, originalTopic, message, ex);
        }
        finally
        {
            Handled(counters);
        }
    }

    private void HandleTimed(HandlerCounters counters, Topic originalTopic, StasisMessage message)
    {
        var start = Stopwatch.GetTimestamp();
        try
        {
            Invoke(originalTopic, message);
        }
        catch (Exception ex)
        {
            throw Failed(counters, originalTopic, message, ex);
        }
        finally
        {
            RecordHandlerTime(counters, Stopwatch.GetTimestamp() - start);
            Handled(counters);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void Invoke(Topic originalTopic, StasisMessage message)
    {
        if (_handler is { } handler)
            handler(this, originalTopic, message);
        else
            Target!.Tell(new StasisEnvelope(originalTopic, message), ActorRefs.NoSender);
    }

    private SubscriptionHandlerException Failed(HandlerCounters counters, Topic originalTopic, StasisMessage message, Exception ex)
    {
        Volatile.Write(ref counters.Failed, counters.Failed + 1);
        return new SubscriptionHandlerException(this, new StasisEnvelope(originalTopic, message), ex);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void Handled(HandlerCounters counters)
    {
        Volatile.Write(ref counters.Handled, counters.Handled + 1);
        if (Volatile.Read(ref _congested) == 1 && QueueDepth <= LowWaterMark)
            ClearCongestion(recovered: true);
    }

    /// <summary>Keeps min, max and total handler time (single writer: the actor) and feeds the metrics histogram.</summary>
    private void RecordHandlerTime(HandlerCounters counters, long ticks)
    {
        if (ticks < counters.TicksMin)
            Volatile.Write(ref counters.TicksMin, ticks);
        if (ticks > counters.TicksMax)
            Volatile.Write(ref counters.TicksMax, ticks);
        Volatile.Write(ref counters.TicksTotal, counters.TicksTotal + ticks);
        Volatile.Write(ref counters.Timed, counters.Timed + 1);
        try
        {
            BusMetrics.RecordHandlerTime(this, ticks); // runs metrics listeners' callbacks: none of them may fail a delivery
        }
        catch (Exception ex)
        {
            Topic.Bus.Diagnostics.Log.Debug("A metrics listener failed recording handler time of subscription {0} on topic {1}: {2}", Id, Topic.Name, ex.Message);
        }
    }

    private HandlerCounters? Counters => Volatile.Read(ref _counters);

    private void ClearCongestion(bool recovered)
    {
        if (Interlocked.CompareExchange(ref _congested, 0, 1) == 1)
            Topic.Bus.Diagnostics.Recovered(this, recovered);
    }

    /// <summary>Runs from the actor's PostStop: whatever ended the actor, the final message is delivered once.</summary>
    internal void OnStopped()
    {
        if (Interlocked.CompareExchange(ref _state, Ending, Active) == Active)
            _final = Topic.Bus.Graph.RemoveSubscription(this); // ended by failure policy, disposal or shutdown
        if (Interlocked.Exchange(ref _state, Ended) == Ended)
            return; // never started (see Abandon)
        HandleLeftovers();
        ClearCongestion(recovered: false); // an ended subscription no longer counts towards the bus's Overloaded flag
        // Unsubscribe on another thread may have claimed the state and not yet stored the final message.
        var final = _final ?? SpinUntilFinal();
        _done = true;
        try
        {
            if (_handler is not null)
                _handler(this, Topic, final);
            else
                Target!.Tell(new StasisEnvelope(Topic, final), ActorRefs.NoSender);
        }
        catch (Exception ex)
        {
            Topic.Bus.Diagnostics.FinalHandlerFailed(this, ex);
        }
        finally
        {
            Finish();
        }
    }

    /// <summary>
    /// Handles what is still queued when the actor stops: messages queued before the subscription ended whose wake-up
    /// came after the stop (the final message stays last). A failure here cannot go to the topic's actor any more: it is
    /// counted and logged, and the next delivery is handled, as under <see cref="Configuration.FailurePolicy.Resume"/>.
    /// </summary>
    private void HandleLeftovers()
    {
        while (_queue.TryTakeLeftover(out var delivery))
        {
            try
            {
                Handle(delivery);
            }
            catch (SubscriptionHandlerException ex)
            {
                Topic.Bus.Diagnostics.HandlerFailed(Topic, ex, ex, Configuration.FailurePolicy.Resume);
            }
        }
    }

    private StasisMessage SpinUntilFinal()
    {
        var spin = new SpinWait();
        while (_final is null)
            spin.SpinOnce();
        return _final;
    }

    /// <summary>Marks a subscription whose topic was disposed while it was being made: it never started.</summary>
    internal void Abandon()
    {
        Volatile.Write(ref _state, Ended);
        _done = true;
        Finish();
    }
}

/// <summary>
/// Counters written only by a subscription's handler thread. <see cref="Handled"/>, written for every message, has a
/// cache line to itself: the garbage collector may compact this object next to data a publisher reads for every
/// message (a topic's snapshot, an actor's mailbox), and a line written by one core and read by another on every
/// message travels between them each time. The counters written once in 64 calls or on a failure fill the space before
/// it; nothing follows it but padding.
/// </summary>
[StructLayout(LayoutKind.Explicit, Size = 120)]
internal sealed class HandlerCounters
{
    [FieldOffset(0)]
    public long TicksMin = long.MaxValue;

    [FieldOffset(8)]
    public long TicksMax;

    [FieldOffset(16)]
    public long TicksTotal;

    [FieldOffset(24)]
    public long Timed;

    [FieldOffset(32)]
    public long Failed;

    [FieldOffset(56)]
    public long Handled;
}
