using System.Diagnostics;
using Akka.Actor;
using Akka.Event;
using Stasis.Actors.Internal;

namespace Stasis.Actors;

/// <summary>
/// One subscriber's subscription to a <see cref="Topic"/>. Made by <c>Topic.Subscribe</c> with a callback
/// (sync or async, or a factory of callbacks) or an actor.
/// </summary>
/// <remarks>
/// <para>Each subscription is an Akka actor and each delivery a message in its mailbox, so delivery is <b>ordered</b>
/// (publish order, forwarded messages included) and <b>serialized</b> (one handler call at a time, an async handler's
/// task awaited before the next call). Different subscriptions run concurrently, each handling up to its dispatcher's
/// throughput per turn.</para>
/// <para>The first message is the subscription's own <see cref="SubscriptionChange"/> "Subscribe"; the last is its
/// own "Unsubscribe" change, the <b>final message</b>, delivered exactly once after every message queued before
/// <see cref="Unsubscribe"/>: that queues a <see cref="PoisonPill"/> behind them, and the actor delivers the final
/// message when it stops, so also when the subscription ends by its failure policy, by the topic's destruction or by
/// the actor system's shutdown.</para>
/// <para>All members are thread-safe and never block; <see cref="Unsubscribe"/> may be called from inside the handler.
/// <see cref="DisposeAsync"/> unsubscribes and joins.</para>
/// </remarks>
public sealed class Subscription : IAsyncDisposable
{
    private readonly Func<Handler>? _newHandler; // null: the first handler serves every incarnation
    private readonly Completion _completion = new();
    private Handler _handler;
    private int _incarnations;
    private TypeFilter _filter;
    private StasisMessage? _final; // set once, by whatever ends the subscription first
    private int _stopped;          // 1 once the actor stopped
    private volatile bool _done;
    private HandlerCounters? _counters;
    private long _filtered;
    private int _congested;
    private WaterMarks _marks;
    private readonly Lock? _inline; // set: the handler runs on the publisher's thread, under this lock
    private readonly bool _pooled;  // the handler runs on a pool actor (SubscriptionPool), which is Actor

    internal Subscription(Topic topic, string id, Handler handler, Func<Handler>? newHandler, SubscriptionOptions options, WaterMarks marks, bool inline = false)
    {
        _inline = inline ? new Lock() : null;
        _pooled = options.Pooled;
        _incarnations = _pooled ? 1 : 0; // no actor incarnation asks for the first handler: a restart makes the next
        Topic = topic;
        Id = id;
        Name = options.Name ?? id;
        IsNamed = options.Name is not null;
        _handler = handler;
        _newHandler = newHandler;
        _filter = TypeFilter.From(options);
        _marks = marks;
    }

    /// <summary>The subscription's unique id within its bus (e.g. <c>sub-42</c>).</summary>
    public string Id { get; }

    /// <summary>The name used in logs: <see cref="SubscriptionOptions.Name"/>, or <see cref="Id"/>.</summary>
    public string Name { get; }

    /// <summary>True when made with a <see cref="SubscriptionOptions.Name"/> (unnamed ones share one metric series).</summary>
    internal bool IsNamed { get; }

    /// <summary>The topic subscribed to.</summary>
    public Topic Topic { get; }

    /// <summary>True until <see cref="Unsubscribe"/> is called or the subscription otherwise ends.</summary>
    public bool IsSubscribed => Volatile.Read(ref _final) is null;

    /// <summary>True once the final message was received; already true while its handler runs.</summary>
    public bool IsDone => _done;

    /// <summary>Messages queued and not yet handled. For a pooled subscription: its pool actor's, shared with the other subscriptions it runs.</summary>
    public int QueueDepth => Queue.Count;

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
    /// <c>stasis.subscription.handler_time</c>; otherwise the first call and then one call in 64 are. An async
    /// handler's time runs until its task completed.
    /// </summary>
    public TimeSpan HandlerTimeMean => TimedCount is var n and > 0
        ? Stopwatch.GetElapsedTime(0, Volatile.Read(ref Counters!.TicksTotal) / n)
        : TimeSpan.Zero;

    private long TimedCount => Counters is { } c ? Volatile.Read(ref c.Timed) : 0;

    /// <summary>Queue length at which the subscription is reported congested (see <see cref="SetCongestionLimits"/>).</summary>
    public int HighWaterMark => Volatile.Read(ref _marks).High;

    /// <summary>Queue length at which a congested subscription is reported recovered.</summary>
    public int LowWaterMark => Volatile.Read(ref _marks).Low;

    /// <summary>The formatters whose message types pass this subscription's filter (see <see cref="AcceptFormatters"/>).</summary>
    public MessageFormatters AcceptedFormatters => Filter.Formatters;

    /// <summary>
    /// True for a subscription whose handler runs on the publisher's thread before the publish returns, one call at a
    /// time (caching topics' subscriptions): its queue stays empty; its actor only delivers the final message.
    /// </summary>
    internal bool IsInline => _inline is not null;

    /// <summary>True for a subscription run by a pool actor (<see cref="SubscriptionOptions.Pooled"/>).</summary>
    public bool IsPooled => _pooled;

    /// <summary>The actor that receives this subscription's messages, for actor subscribers; null for callbacks.</summary>
    public IActorRef? Target => _handler.Target;

    /// <summary>The subscription's own actor (for a pooled one, its pool actor); set once, before the subscription is published to.</summary>
    internal IActorRef Actor { get; private set; } = ActorRefs.Nobody;

    /// <summary>The actor's mailbox queue.</summary>
    internal SubscriptionQueue Queue { get; private set; } = null!;

    internal TypeFilter Filter => Volatile.Read(ref _filter);

    /// <summary>Joins and pending publish-sync deliveries.</summary>
    internal Completion Completion => _completion;

    private HandlerCounters? Counters => Volatile.Read(ref _counters);

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
        if (ClaimFinal() is not { } final)
            return;
        try
        {
            Topic.Bus.Graph.RemoveSubscription(this, final);
        }
        finally
        {
            // Queues behind every delivery told before the subscription left its topic's snapshot.
            Actor.Tell(_pooled ? new PooledEnd(this) : PoisonPill.Instance, ActorRefs.NoSender);
        }
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
    public Task JoinAsync(CancellationToken cancellationToken = default) => _completion.Joined().WaitAsync(cancellationToken);

    /// <summary>Unsubscribes and waits for the final message's handler to return (<see cref="UnsubscribeAndJoinAsync"/>).</summary>
    public ValueTask DisposeAsync() => new(UnsubscribeAndJoinAsync());

    /// <summary>
    /// Lets messages of <paramref name="type"/> through and makes the filter selective: from now on only accepted
    /// types (and this subscription's own change messages) are queued.
    /// </summary>
    public void AcceptMessageType(MessageType type) => ChangeFilter(type, static (f, t) => f.Accept(t));

    /// <summary>Holds messages of <paramref name="type"/> back from now on (they are not queued), even if a formatter filter would take them.</summary>
    public void DeclineMessageType(MessageType type) => ChangeFilter(type, static (f, t) => f.Decline(t));

    /// <summary>
    /// Lets messages through whose type has one of <paramref name="formatters"/>, replacing the formatters accepted
    /// before (Asterisk's <c>stasis_subscription_accept_formatters</c>); <see cref="MessageFormatters.None"/> removes the
    /// formatter filter. With a formatter filter a message passes when its type is accepted (a selective filter) OR has
    /// an accepted formatter; a declined type never passes. Like type filters, this filters before queueing.
    /// </summary>
    public void AcceptFormatters(MessageFormatters formatters) => ChangeFilter(formatters, static (f, x) => f.WithFormatters(x));

    /// <summary>
    /// Sets the filter's mode (Asterisk's <c>stasis_subscription_set_filter</c>): <see cref="SubscriptionFilter.Default"/>
    /// goes back to receiving every type (accepted and declined types and accepted formatters are forgotten);
    /// <see cref="SubscriptionFilter.Selective"/> receives only accepted types (and formatter matches) from now on.
    /// </summary>
    public void SetFilter(SubscriptionFilter filter) =>
        ChangeFilter(filter, static (f, mode) => mode switch
        {
            SubscriptionFilter.Default => TypeFilter.AcceptAll,
            SubscriptionFilter.Selective => f.AsSelective(),
            _ => throw new ArgumentOutOfRangeException(nameof(filter), mode, "Not a SubscriptionFilter."),
        });

    /// <summary>
    /// Changes the water marks (Asterisk's <c>stasis_subscription_set_congestion_limits</c>); the next publish samples
    /// the queue against them.
    /// </summary>
    /// <param name="highWaterMark">Queue length at which the subscription is reported congested; positive.</param>
    /// <param name="lowWaterMark">Queue length at which it is reported recovered; from 0 to <paramref name="highWaterMark"/> - 1.
    /// When null: 90% of <paramref name="highWaterMark"/>, as for a new subscription.</param>
    /// <exception cref="ArgumentException">A mark is out of range (the message names this subscription).</exception>
    public void SetCongestionLimits(int highWaterMark, int? lowWaterMark = null)
    {
        var marks = WaterMarks.Checked(highWaterMark, lowWaterMark ?? Configuration.StasisSettings.DefaultLowWaterMark(highWaterMark), ToString());
        Volatile.Write(ref _marks, marks);
        CheckRecovered();
    }

    /// <summary>Replaces the whole filter (used by routers, which own their subscription's filter).</summary>
    internal void ReplaceFilter(TypeFilter filter) => Topic.Bus.Graph.ChangeFilter(this, () => _filter = filter);

    private void ChangeFilter<TArg>(TArg argument, Func<TypeFilter, TArg, TypeFilter> change)
    {
        if (argument is null)
            throw new ArgumentNullException(nameof(argument));
        Topic.Bus.Graph.ChangeFilter(this, () => _filter = change(_filter, argument));
    }

    /// <inheritdoc />
    public override string ToString() => $"subscription {Name} on topic {Topic.Name}";

    // ---- made by the bus ----

    /// <summary>Binds the subscription to its actor (a <see cref="LocalActorRef"/>, whose mailbox exists once it is made).</summary>
    internal void Attach(LocalActorRef actor)
    {
        Actor = actor;
        Queue = actor.Cell.Mailbox?.MessageQueue as SubscriptionQueue
                ?? throw new InvalidOperationException($"{this}: its actor's mailbox is not {SubscriptionMailbox.ConfigPath} (a subscription's mailbox type cannot be changed).");
    }

    // ---- publisher side: called from the publishing thread ----

    internal void CountFiltered() => Interlocked.Increment(ref _filtered);

    /// <summary>
    /// Tells the actor <paramref name="message"/>, published to <paramref name="via"/> (this subscription's topic, or for a
    /// message reached through forwarding the topic it was published to: the sender says which).
    /// </summary>
    internal void Enqueue(StasisMessage message, Topic via, TracedDelivery? traced = null)
    {
        if (_inline is null && !_pooled)
            Actor.Tell(traced ?? (object)message, via.Sender);
        else if (_pooled)
            Actor.Tell(new PooledOne(this, message, via, traced), ActorRefs.NoSender);
        else
            HandleInline(via, message, null, traced);
    }

    /// <summary>
    /// Tells the actor a publish-sync delivery. <paramref name="done"/> completes true once the handler ran it; if the
    /// subscription ends first, it completes false.
    /// </summary>
    internal void EnqueueSync(StasisEnvelope envelope, TaskCompletionSource<bool> done, TracedDelivery? traced = null)
    {
        if (_inline is not null)
        {
            HandleInline(envelope.Topic, envelope.Message, done, traced);
            return;
        }
        Actor.Tell(_pooled ? new PooledOne(this, envelope.Message, envelope.Topic, traced, done) : new SyncDelivery(envelope, done, traced), ActorRefs.NoSender);
        _completion.Register(done);
    }

    /// <summary>Reports the subscription congested if its queue reached the high-water mark (topics sample this every 16 publishes).</summary>
    internal void CheckCongestion()
    {
        if (Volatile.Read(ref _congested) == 1)
            return;
        var depth = QueueDepth;
        if (depth < HighWaterMark || Interlocked.CompareExchange(ref _congested, 1, 0) != 0)
            return;
        Topic.Bus.Diagnostics.Congested(this, depth);
        // A late publish may reach a subscription that has just ended: it must not stay congested for ever.
        if (Volatile.Read(ref _stopped) == 1)
            ClearCongestion(recovered: false);
        // The actor may have drained the queue between the depth read and the flag being set: it only clears the flag
        // while handling, so with nothing left to handle the check is made here.
        else
            CheckRecovered();
    }

    /// <summary>
    /// Runs the handler of an inline subscription on the calling (publishing) thread, serialized by its lock. A failure
    /// is counted and logged and never reaches the publisher ("resume").
    /// </summary>
    private void HandleInline(Topic topic, StasisMessage message, TaskCompletionSource<bool>? done, TracedDelivery? traced)
    {
        lock (_inline!)
            RunHere(topic, message, done, traced);
    }

    /// <summary>
    /// Runs the (synchronous) handler on the calling thread, which serializes the calls: an inline subscription's lock,
    /// or a pooled one's pool actor. A message that arrives once the final message was claimed is dropped (the
    /// subscription has ended: nothing may follow its final message). A failure is counted and logged; for a pooled
    /// subscription the failure policy then applies ("stop" unsubscribes, "restart" asks a handler factory for a new
    /// handler), an inline one goes on ("resume").
    /// </summary>
    internal void RunHere(Topic topic, StasisMessage message, TaskCompletionSource<bool>? done, TracedDelivery? traced)
    {
        if (_done)
        {
            done?.TrySetResult(false);
            return;
        }
        var counters = AttachCounters();
        var start = counters.StartTiming();
        // Traced: the handler call is a child of the publish; the publisher's own current activity is restored after.
        var publisherActivity = traced is null ? null : Activity.Current;
        var activity = traced is null ? null : Tracing.StartHandle(this, topic, message, traced.Parent);
        try
        {
            _handler.Invoke(this, topic, message).GetAwaiter().GetResult(); // inline and pooled handlers are synchronous
            counters.Count(this, start, failed: false);
            done?.TrySetResult(true);
        }
        catch (Exception ex)
        {
            if (activity is not null)
                Tracing.Fail(activity, ex);
            counters.Count(this, start, failed: true);
            var failure = new SubscriptionHandlerException(this, new StasisEnvelope(topic, message), ex);
            var policy = _pooled ? Topic.Bus.Settings.FailurePolicy : Configuration.FailurePolicy.Resume;
            Topic.Bus.Diagnostics.HandlerFailed(topic, failure, failure, policy);
            done?.TrySetException(failure);
            if (policy == Configuration.FailurePolicy.Stop)
                Unsubscribe();
            else if (policy == Configuration.FailurePolicy.Restart)
                NextHandler();
        }
        finally
        {
            if (activity is not null)
            {
                activity.Stop();
                Activity.Current = publisherActivity;
            }
        }
    }

    /// <summary>
    /// Ends a pooled subscription on its pool actor (<see cref="PooledEnd"/>): every delivery told before was handled;
    /// the final message is handled now, and later deliveries are dropped.
    /// </summary>
    internal void EndHere()
    {
        if (Stopped() is not { } final)
            return;
        MarkDone();
        try
        {
            _handler.Invoke(this, Topic, final).GetAwaiter().GetResult();
        }
        catch (Exception ex)
        {
            Topic.Bus.Diagnostics.FinalHandlerFailed(this, ex);
        }
        Finish();
    }

    // ---- actor side: called by SubscriptionActor, one call at a time ----

    /// <summary>The handler of a new incarnation of the actor: the first one, then (after a restart) a new one from the factory.</summary>
    internal Handler NextHandler()
    {
        if (_incarnations++ == 0 || _newHandler is null)
            return _handler; // the first incarnation uses the handler made (and checked) when subscribing
        try
        {
            return _handler = _newHandler();
        }
        catch (Exception ex)
        {
            // A failing factory must not make the actor fail to start (the supervisor would restart it again, for ever).
            Topic.Bus.Diagnostics.Log.Error(ex, "The handler factory of {0} failed on restart; the previous handler goes on", this);
            return _handler;
        }
    }

    /// <summary>The counters, made on first use (by the actor, or an inline subscription's first call) and kept across restarts.</summary>
    internal HandlerCounters AttachCounters()
    {
        if (Counters is { } counters)
            return counters;
        Interlocked.CompareExchange(ref _counters, new HandlerCounters(), null);
        return _counters!;
    }

    internal void CheckRecovered()
    {
        if (Volatile.Read(ref _congested) == 1 && QueueDepth <= LowWaterMark)
            ClearCongestion(recovered: true);
    }

    /// <summary>
    /// Called when the actor stopped: the subscription leaves its topic if it has not yet (ended by its failure policy,
    /// its topic's destruction or shutdown). Returns the final message to deliver (null if called again).
    /// </summary>
    internal StasisMessage? Stopped()
    {
        if (ClaimFinal() is { } final)
            Topic.Bus.Graph.RemoveSubscription(this, final);
        if (Interlocked.Exchange(ref _stopped, 1) == 1)
            return null;
        ClearCongestion(recovered: false); // an ended subscription no longer counts towards the bus's Overloaded flag
        return _final;
    }

    /// <summary>
    /// Called just before the final message is handled. For an inline subscription, under its lock: a publisher's call
    /// still running finishes first, and none starts after.
    /// </summary>
    internal void MarkDone()
    {
        if (_inline is null)
        {
            _done = true;
            return;
        }
        lock (_inline)
            _done = true;
    }

    /// <summary>Called once the final message's handler returned: completes joins and pending sync deliveries.</summary>
    internal void Finish()
    {
        Topic.Bus.Series.Retire(this);
        _completion.Finish();
    }

    /// <summary>
    /// Makes the final message; returns it to the first caller only, who then takes the subscription out of its topic.
    /// It is stored before anything can fail, so the actor always finds it when it stops.
    /// </summary>
    private StasisMessage? ClaimFinal()
    {
        if (Volatile.Read(ref _final) is not null)
            return null;
        var final = Topic.Bus.SubscriptionChangeType.CreateMessage(new SubscriptionChange(Topic, Id, SubscriptionChangeKind.Unsubscribe))!;
        return Interlocked.CompareExchange(ref _final, final, null) is null ? final : null;
    }

    private void ClearCongestion(bool recovered)
    {
        if (Interlocked.CompareExchange(ref _congested, 0, 1) == 1)
            Topic.Bus.Diagnostics.Recovered(this, recovered);
    }
}
