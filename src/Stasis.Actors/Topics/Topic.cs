using System.Collections.Immutable;
using Akka.Actor;
using Stasis.Actors.Internal;

namespace Stasis.Actors;

/// <summary>
/// A named topic of the bus. Made (or found) with <see cref="StasisBus.CreateTopic"/>.
/// </summary>
/// <remarks>
/// <para>Each topic is an actor that owns and supervises its subscriptions (one child actor each).</para>
/// <para><b>Publishing.</b> <see cref="Publish(StasisMessage)"/> never blocks on subscribers: it reads an immutable
/// snapshot of every subscription the topic reaches (its own and, flattened, those of every topic it forwards to) and
/// tells the message to each of them from the calling thread (a Tell per subscription, no actor hop per topic). Because a forwarded message takes no extra actor hop,
/// one thread's messages reach every subscription in the order it published them, whichever topics they went through.
/// </para>
/// <para>All members are thread-safe and may be called from inside a handler.</para>
/// </remarks>
public sealed class Topic
{
    private Fanout? _fanout = Fanout.Empty;
    private Fanout? _changeFanout = Fanout.Empty;
    private RemoteFanout? _remoteFanout;
    // First: publishes whose snapshot had subscriptions (also paces the congestion sampling); Second: of those,
    // publishes every reached subscription declined; Third: publishes that reached no subscription.
    private PaddedCounters _counts;

    internal Topic(StasisBus bus, string name, string? detail, string id)
    {
        Bus = bus;
        Name = name;
        MetricSeries = name;
        Detail = detail ?? "";
        Id = id;
    }

    /// <summary>The topic's name, unique within its bus.</summary>
    public string Name { get; }

    /// <summary>A free description of the topic (may be empty).</summary>
    public string Detail { get; }

    /// <summary>The topic's unique id within its bus (e.g. <c>topic-7</c>); a destroyed and re-created name gets a new id.</summary>
    public string Id { get; }

    /// <summary>The topic's metric series: its name, or its pool's <c>&lt;pool topic&gt;/*</c> (see <see cref="Internal.MetricSeries"/>).</summary>
    internal string MetricSeries { get; set; }

    /// <summary>The bus the topic belongs to.</summary>
    public StasisBus Bus { get; }

    /// <summary>True once <see cref="Destroy"/> ran (or the bus shut down).</summary>
    public bool IsDestroyed { get; internal set; }

    /// <summary>The number of subscriptions made on this topic itself (not through forwarding).</summary>
    public int SubscriberCount => Bus.Graph.DirectCount(this);

    /// <summary>The number of topics this topic forwards to directly (see <see cref="StasisBus.ForwardAll"/>).</summary>
    public int ForwardCount => Bus.Graph.ForwardCount(this);

    /// <summary>Messages published here that reached at least one subscription.</summary>
    public long DispatchedCount => _counts.First - _counts.Second;

    /// <summary>Messages published here that reached no subscription (dropped cheaply).</summary>
    public long NotDispatchedCount => _counts.Third + _counts.Second;

    /// <summary>
    /// True when the topic is clustered: messages created on this node and published here (or on a topic forwarding
    /// here) are also handed to <see cref="StasisBus.RemotePublisher"/>. Set through <see cref="TopicGraph.SetClustered"/>.
    /// </summary>
    internal bool IsClustered { get; set; }

    /// <summary>The topic's actor: the parent and supervisor of its subscriptions' actors.</summary>
    internal IActorRef Actor { get; private set; } = ActorRefs.Nobody;

    /// <summary>The sender of every delivery published here: tells a subscription the topic a message was published to.</summary>
    internal TopicSender Sender { get; private set; } = null!;

    /// <summary>Binds the topic to its actor (made by the bus before the topic is listed).</summary>
    internal void Attach(IActorRef actor, IActorRefProvider provider)
    {
        Actor = actor;
        Sender = new TopicSender(this, actor.Path / "publisher", provider);
    }

    // Membership (see TopicGraph). Direct and DirectChangeReceivers are guarded by the lock of Direct; forwardings are
    // immutable arrays replaced under the graph's structural lock (pools and caching patterns make topics by the
    // thousand, most of them without forwarding).
    internal HashSet<Subscription> Direct { get; } = [];
    internal HashSet<Subscription> DirectChangeReceivers { get; } = [];
    internal ImmutableArray<TopicForward> Outgoing { get; set; } = [];
    internal ImmutableArray<TopicForward> Incoming { get; set; } = [];

    /// <summary>Bumped by every change that clears this topic's snapshots, before it clears them (see <see cref="TopicGraph.Rebuild"/>).</summary>
    internal long Version;

    /// <summary>The publish snapshot, or null when a membership change made it stale (rebuilt on the next publish).</summary>
    internal Fanout? Fanout => Volatile.Read(ref _fanout);

    /// <summary>
    /// The part of the publish snapshot that accepts subscription-change messages, or null when stale. Subscribe and
    /// Unsubscribe dispatch their change through it, so a change costs the subscriptions that filter changes out nothing
    /// (not even a rebuild of the full snapshot).
    /// </summary>
    internal Fanout? ChangeFanout => Volatile.Read(ref _changeFanout);

    internal Fanout? Snapshot(FanoutKind kind) => Volatile.Read(ref SnapshotField(kind));

    /// <summary>Installs <paramref name="fanout"/> where the <paramref name="kind"/> snapshot was cleared; false if one is there.</summary>
    internal bool TryInstall(FanoutKind kind, Fanout fanout) => Interlocked.CompareExchange(ref SnapshotField(kind), fanout, null) is null;

    /// <summary>Clears the <paramref name="kind"/> snapshot if it is still <paramref name="fanout"/>.</summary>
    internal void TryWithdraw(FanoutKind kind, Fanout fanout) => Interlocked.CompareExchange(ref SnapshotField(kind), null, fanout);

    /// <summary>Bumps <see cref="Version"/>, then clears every snapshot.</summary>
    internal void Invalidate()
    {
        Interlocked.Increment(ref Version);
        Volatile.Write(ref _fanout, null);
        Volatile.Write(ref _changeFanout, null);
    }

    private ref Fanout? SnapshotField(FanoutKind kind)
    {
        switch (kind)
        {
            case FanoutKind.Changes:
                return ref _changeFanout;
            default:
                return ref _fanout;
        }
    }

    /// <summary>
    /// Publishes <paramref name="message"/> to every subscription this topic reaches. Fire-and-forget: it never waits
    /// for a handler.
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="message"/> is null.</exception>
    /// <exception cref="ArgumentException">The message's type belongs to another bus.</exception>
    /// <exception cref="ObjectDisposedException">The topic was destroyed (while the bus shuts down, publishing is instead a counted no-op).</exception>
    public void Publish(StasisMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        RequireOwnBus(message.Type);
        if (CanPublish())
            Send(message);
    }

    /// <summary>
    /// Creates a message of <paramref name="type"/> with <paramref name="payload"/> and publishes it. For a declined
    /// type this is a counted no-op (logged at debug).
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="type"/> or <paramref name="payload"/> is null.</exception>
    /// <exception cref="ObjectDisposedException">The topic was destroyed.</exception>
    public void Publish<T>(MessageType<T> type, T payload) where T : class
    {
        ArgumentNullException.ThrowIfNull(type);
        RequireOwnBus(type);
        if (type.CreateMessage(payload) is { } message && CanPublish())
            Send(message);
    }

    /// <summary>
    /// Publishes <paramref name="message"/> like <see cref="Publish(StasisMessage)"/>, and completes once
    /// <paramref name="waitFor"/> has handled it (for an actor subscriber: once it was passed to the actor). Other
    /// subscriptions receive it asynchronously as usual.
    /// </summary>
    /// <returns>
    /// True when <paramref name="waitFor"/>'s handler ran; false when it does not receive the message (not reached from
    /// this topic, filtered, or ended before handling it). Faults with <see cref="SubscriptionHandlerException"/> when the
    /// handler threw.
    /// </returns>
    public Task<bool> PublishSyncAsync(StasisMessage message, Subscription waitFor, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(message);
        ArgumentNullException.ThrowIfNull(waitFor);
        RequireOwnBus(message.Type);
        if (!CanPublish())
            return Task.FromResult(false);
        var done = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!Send(message, waitFor, done))
            done.TrySetResult(false);
        return done.Task.WaitAsync(cancellationToken);
    }

    /// <summary>
    /// Subscribes a callback. Before this returns, the subscription is queued its "Subscribe" change; every message
    /// published afterwards reaches it until it unsubscribes.
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="handler"/> is null.</exception>
    /// <exception cref="ObjectDisposedException">The topic was destroyed.</exception>
    /// <exception cref="ArgumentException">An option is out of range (water marks, dispatcher).</exception>
    public Subscription Subscribe(SubscriptionHandler handler, SubscriptionOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(handler);
        return Bus.Subscribe(this, Handler.Of(handler), null, options);
    }

    /// <summary>
    /// Subscribes an asynchronous callback (an <c>async</c> lambda binds here): each call's task is awaited before the
    /// next message is handled, so calls stay ordered and serialized. Otherwise as <see cref="Subscribe(SubscriptionHandler, SubscriptionOptions?)"/>.
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="handler"/> is null.</exception>
    /// <exception cref="ObjectDisposedException">The topic was destroyed.</exception>
    /// <exception cref="ArgumentException">An option is out of range (water marks, dispatcher).</exception>
    public Subscription Subscribe(AsyncSubscriptionHandler handler, SubscriptionOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(handler);
        return Bus.Subscribe(this, Handler.Of(handler), null, options);
    }

    /// <summary>
    /// Subscribes a callback made by <paramref name="handlerFactory"/>, which is called now and again each time the
    /// failure policy <c>restart</c> recreates the subscription's actor: state kept in the handler's closure starts
    /// afresh, as an actor's fields do. Otherwise as <see cref="Subscribe(SubscriptionHandler, SubscriptionOptions?)"/>.
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="handlerFactory"/> is null or returned null.</exception>
    /// <exception cref="ObjectDisposedException">The topic was destroyed.</exception>
    public Subscription Subscribe(Func<SubscriptionHandler> handlerFactory, SubscriptionOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(handlerFactory);
        return SubscribeMade(() => Handler.Of(handlerFactory() ?? throw FactoryReturnedNull()), options);
    }

    /// <summary>An asynchronous <see cref="Subscribe(Func{SubscriptionHandler}, SubscriptionOptions?)"/>: a factory of async callbacks.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="handlerFactory"/> is null or returned null.</exception>
    /// <exception cref="ObjectDisposedException">The topic was destroyed.</exception>
    public Subscription Subscribe(Func<AsyncSubscriptionHandler> handlerFactory, SubscriptionOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(handlerFactory);
        return SubscribeMade(() => Handler.Of(handlerFactory() ?? throw FactoryReturnedNull()), options);
    }

    /// <summary>
    /// Subscribes a callback that runs on each publisher's thread, before <c>Publish</c> returns (serialized by a lock of
    /// the subscription): what caching topics use, so that a cache is current when a publish returns.
    /// </summary>
    internal Subscription SubscribeInline(SubscriptionHandler handler, SubscriptionOptions options) =>
        Bus.Subscribe(this, Handler.Of(handler), null, options, inline: true);

    /// <summary>Subscribes with the handler <paramref name="make"/> makes now, and again for each restart of the subscription's actor.</summary>
    private Subscription SubscribeMade(Func<Handler> make, SubscriptionOptions? options) => Bus.Subscribe(this, make(), make, options);

    private static ArgumentNullException FactoryReturnedNull() => new("handlerFactory", "The handler factory returned null.");

    /// <summary>
    /// Subscribes an actor (any <see cref="IActorRef"/>, a <c>TestProbe</c> included): it receives a
    /// <see cref="StasisEnvelope"/> per message, with every ordering and final-message promise of a callback
    /// subscription. The actor is watched: when it stops without unsubscribing, the subscription ends.
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="subscriber"/> is null.</exception>
    /// <exception cref="ObjectDisposedException">The topic was destroyed.</exception>
    public Subscription Subscribe(IActorRef subscriber, SubscriptionOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(subscriber);
        if (subscriber.IsNobody())
            throw new ArgumentException("Cannot subscribe Nobody or NoSender: give a live actor.", nameof(subscriber));
        return Bus.Subscribe(this, Handler.Of(subscriber), null, options);
    }

    /// <summary>Forwards every message published here to <paramref name="destination"/>; see <see cref="StasisBus.ForwardAll"/>.</summary>
    public TopicForward ForwardTo(Topic destination) => Bus.ForwardAll(this, destination);

    /// <summary>
    /// Destroys the topic: its name is freed, its forwardings are cancelled, and every subscription on it ends (queued
    /// messages, then the final message). Idempotent. A topic is shared by everyone who created or looked up its name,
    /// so destroying is explicit and not <see cref="IDisposable"/>: a <c>using</c> by one holder must not end everyone's
    /// subscriptions.
    /// </summary>
    public void Destroy() => Bus.DestroyTopic(this);

    /// <inheritdoc />
    public override string ToString() => $"topic {Name} ({Id})";

    /// <summary>A type's <c>Index</c> selects subscriptions in this bus's snapshots: another bus's type would pick wrong ones.</summary>
    private void RequireOwnBus(MessageType type)
    {
        if (!ReferenceEquals(type.Bus, Bus))
            throw new ArgumentException($"Message type {type.Name} belongs to another bus (actor system {type.Bus.System.Name}); create it on this topic's bus.", nameof(type));
    }

    private bool CanPublish()
    {
        if (!IsDestroyed)
            return true;
        if (Bus.IsShuttingDown)
        {
            Bus.Diagnostics.PublishedWhileShuttingDown(this);
            return false;
        }
        throw new ObjectDisposedException(ToString(), $"Cannot publish to {this}: it was destroyed.");
    }

    /// <summary>
    /// Publishes a message: hands it to the <see cref="StasisBus.RemotePublisher"/> when it was created on this node and
    /// the publish reaches a clustered topic, then dispatches it here. Both read the same snapshot. The remote send comes
    /// first, so a message the remote publisher refuses (it throws, e.g. a payload it cannot serialize) is delivered
    /// nowhere. Messages from other nodes are never sent out again.
    /// </summary>
    /// <returns>True when <paramref name="syncTarget"/> was reached and queued the sync delivery.</returns>
    internal bool Send(StasisMessage message, Subscription? syncTarget = null, TaskCompletionSource<bool>? syncDone = null)
    {
        var fanout = Fanout ?? Bus.Graph.Rebuild(this, FanoutKind.Publish);
        if (fanout.Clustered.Length > 0 && message.IsLocal && Bus.RemotePublisher is { } remote)
            remote.Send(fanout.Clustered, message);
        if (!Tracing.Source.HasListeners())
            return DispatchTo(fanout, message, null, syncTarget, syncDone);
        // Traced: one publish activity; every delivery carries its context, so each handler call is its child.
        using var activity = Tracing.StartPublish(this, message);
        return DispatchTo(fanout, message, activity is null ? null : new TracedDelivery(message, activity.Context), syncTarget, syncDone);
    }

    /// <summary>
    /// Dispatches a message that came from another node (called by the cluster's bridge of this clustered topic); it is
    /// never sent out again. <paramref name="sent"/>: the topics of this bus, this one among them, on which the origin
    /// sent the same message and whose bridges here get their own copy (empty when only this one): each delivers what
    /// it reaches without passing through another of them, and a subscription reached from several of them gets the
    /// message from the first in <paramref name="sent"/>'s order only (the same order for every copy), so exactly once.
    /// </summary>
    internal void DispatchRemote(StasisMessage message, Topic[] sent)
    {
        var fanout = sent.Length <= 1 ? Fanout ?? Bus.Graph.Rebuild(this, FanoutKind.Publish) : RemoteFanoutFor(sent);
        DispatchTo(fanout, message, null, null, null);
    }

    /// <summary>
    /// The snapshot of <see cref="DispatchRemote"/> for several sent topics: kept while every one of them keeps its
    /// <see cref="Version"/> (each change bumps the versions of its topic and of every topic forwarding into it, so
    /// any change to what they reach moves one). Only this topic's bridge calls it; the field is read and written whole.
    /// </summary>
    private Fanout RemoteFanoutFor(Topic[] sent)
    {
        if (Volatile.Read(ref _remoteFanout) is { } cached && cached.IsCurrentFor(sent))
            return cached.Fanout;
        var versions = sent.Select(t => Volatile.Read(ref t.Version)).ToArray();
        var fanout = TopicGraph.BuildRemote(this, sent);
        Volatile.Write(ref _remoteFanout, new RemoteFanout(sent, versions, fanout));
        return fanout;
    }

    /// <summary>A remote snapshot and the versions of the sent topics it was built from (read before it was built).</summary>
    private sealed record RemoteFanout(Topic[] Sent, long[] Versions, Fanout Fanout)
    {
        public bool IsCurrentFor(Topic[] sent)
        {
            if (!sent.AsSpan().SequenceEqual(Sent))
                return false;
            for (var i = 0; i < sent.Length; i++)
            {
                if (Volatile.Read(ref sent[i].Version) != Versions[i])
                    return false;
            }
            return true;
        }
    }

    /// <summary>Dispatches a subscription-change message made by the bus, never to <paramref name="skip"/> (the subscription it is about).</summary>
    internal void DispatchChange(StasisMessage change, Subscription? skip = null) =>
        DispatchTo(ChangeFanout ?? Bus.Graph.Rebuild(this, FanoutKind.Changes), change, null, null, null, skip);

    /// <summary>
    /// The heart of the bus. The message is queued on each reached subscription's actor from the calling thread, in a
    /// loop over an immutable snapshot. Forwarding is flattened into the snapshot instead of being an actor hop per
    /// level: two forwarding actors would race, and a subscriber of a parent topic could then see one thread's m2
    /// (via child B) before its m1 (via child A). Queuing from the publisher's own thread keeps its order everywhere.
    /// </summary>
    private bool DispatchTo(Fanout fanout, StasisMessage message, TracedDelivery? traced, Subscription? syncTarget, TaskCompletionSource<bool>? syncDone, Subscription? skip = null)
    {
        var type = message.Type;
        var open = fanout.Open;
        var pooled = fanout.Pooled;
        var selective = type.Index < fanout.ByType.Length ? fanout.ByType[type.Index] : null;
        var pooledSelective = type.Index < fanout.PooledByType.Length ? fanout.PooledByType[type.Index] : null;
        if (open.Length == 0 && pooled.Length == 0 && selective is null && pooledSelective is null)
        {
            _counts.IncrementThird();
            type.CountPublished(used: false);
            return false;
        }
        // Every 16th publish also samples each reached subscription's queue against its high-water mark (not a pooled
        // one's: its queue is its pool actor's). Pooled subscriptions apply their declined types on their pool actor.
        var sample = (_counts.IncrementFirst() & 15) == 0;
        var syncQueued = DeliverPooled(pooled, message, traced, syncTarget, syncDone, skip);
        var declines = fanout.AnyDeclines;
        if (!declines && !sample && syncDone is null && skip is null)
        {
            // The common case: a plain loop over the snapshot's subscriptions, one enqueue each.
            foreach (var subscription in open)
                subscription.Enqueue(message, this, traced);
        }
        else
        {
            var declinedByAll = pooled.Length == 0 && open.Length > 0 && selective is null && pooledSelective is null;
            foreach (var subscription in open)
            {
                if (ReferenceEquals(subscription, skip))
                    continue;
                if (declines && subscription.Filter.Declined is { IsEmpty: false } declined && declined.Contains(type))
                {
                    subscription.CountFiltered();
                    continue;
                }
                declinedByAll = false;
                syncQueued |= Deliver(subscription, message, traced, sample, syncTarget, syncDone);
            }
            if (declinedByAll)
            {
                _counts.IncrementSecond();
                type.CountPublished(used: false);
                return false;
            }
        }
        type.CountPublished(used: true);
        if (pooledSelective is not null)
            syncQueued |= DeliverPooled(pooledSelective, message, traced, syncTarget, syncDone, skip);
        if (selective is not null)
        {
            foreach (var subscription in selective)
            {
                if (!ReferenceEquals(subscription, skip))
                    syncQueued |= Deliver(subscription, message, traced, sample, syncTarget, syncDone);
            }
        }
        return syncQueued;
    }

    /// <summary>Tells each pool actor of <paramref name="slices"/> the message for its slice; true when that held the sync delivery.</summary>
    private bool DeliverPooled(PoolSlice[] slices, StasisMessage message, TracedDelivery? traced, Subscription? syncTarget, TaskCompletionSource<bool>? syncDone, Subscription? skip)
    {
        var syncQueued = false;
        foreach (var slice in slices)
        {
            var sync = syncDone is not null && syncTarget is { IsPooled: true } && ReferenceEquals(syncTarget.Actor, slice.Pool)
                && Array.IndexOf(slice.Subscriptions, syncTarget) >= 0;
            slice.Pool.Tell(new PooledSlice(slice.Subscriptions, message, this, traced, skip, sync ? syncTarget : null, sync ? syncDone : null), ActorRefs.NoSender);
            syncQueued |= sync;
        }
        return syncQueued;
    }

    /// <summary>
    /// Queues <paramref name="message"/> on one subscription with this topic, the one it was published to (for a
    /// subscription reached through forwarding, its handler is told this topic), or as a publish-sync delivery.
    /// </summary>
    /// <returns>True when that was the sync delivery.</returns>
    private bool Deliver(Subscription subscription, StasisMessage message, TracedDelivery? traced, bool sample, Subscription? syncTarget, TaskCompletionSource<bool>? syncDone)
    {
        var sync = syncDone is not null && ReferenceEquals(subscription, syncTarget);
        if (sync)
            subscription.EnqueueSync(new StasisEnvelope(this, message), syncDone!, traced);
        else
            subscription.Enqueue(message, this, traced);
        if (sample)
            subscription.CheckCongestion();
        return sync;
    }
}
