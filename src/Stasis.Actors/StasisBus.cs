using System.Collections.Concurrent;
using Akka.Actor;
using Akka.Event;
using Stasis.Actors.Configuration;
using Stasis.Actors.Internal;
using Stasis.Actors.Statistics;

namespace Stasis.Actors;

/// <summary>
/// The Stasis message bus of one <see cref="ActorSystem"/>: an Akka extension, reached with <see cref="Get"/>.
/// </summary>
/// <remarks>
/// <para>The bus holds named <see cref="MessageType"/>s and named <see cref="Topic"/>s. Publishers publish immutable
/// <see cref="StasisMessage"/>s to topics; subscriptions (callbacks or actors) receive them ordered and serialized,
/// framed by a "Subscribe" change first and a final "Unsubscribe" change last. Topics can forward to other topics.</para>
/// <para>Configuration is the <c>stasis { }</c> section of the system's HOCON (defaults embedded in this library,
/// see <see cref="StasisSettings"/>). When the actor system shuts down (its <see cref="CoordinatedShutdown"/>), every
/// topic is destroyed: each live subscription receives its queued messages and then its final message, and publishing
/// becomes a counted no-op.</para>
/// <para>Every member is thread-safe and non-blocking.</para>
/// </remarks>
public sealed class StasisBus : IExtension
{
    private readonly ConcurrentDictionary<string, MessageType> _types = new(StringComparer.Ordinal);
    private readonly object _typeLock = new();
    private System.Collections.Immutable.ImmutableList<Action<MessageType>> _typeWatchers = [];
    private readonly IActorRef _root;
    private readonly SubscriptionPool _pool;
    private long _nextTopicId;
    private long _nextSubscriptionId;

    internal StasisBus(ExtendedActorSystem system)
    {
        System = system;
        system.Settings.InjectTopLevelFallback(StasisSettings.DefaultConfig);
        Settings = StasisSettings.Create(system);
        Clock = Internal.MessageClock.For(Settings.MessageClock);
        Diagnostics = new BusDiagnostics(system);
        Graph = new TopicGraph(this);
        SubscriptionChangeType = (MessageType<SubscriptionChange>)_types.GetOrAdd(
            "stasis_subscription_change_type", name => new MessageType<SubscriptionChange>(name, false, 0, this, null));
        if (Settings.DeclinedMessageTypes.Contains(SubscriptionChangeType.Name))
            Diagnostics.Log.Warning("stasis.declined-message-types lists {0}: ignored, subscriptions need it for their final message", SubscriptionChangeType.Name);
        _root = BusRootActor.Create(system);
        _pool = new SubscriptionPool(_root, Settings.PoolSize);
        BusMetrics.Register(this);
        CoordinatedShutdown.Get(system).AddTask(CoordinatedShutdown.PhaseBeforeActorSystemTerminate, "stasis-destroy-topics", ShutdownAsync);
    }

    /// <summary>The bus of <paramref name="system"/>, created on first use.</summary>
    public static StasisBus Get(ActorSystem system)
    {
        ArgumentNullException.ThrowIfNull(system);
        return system.WithExtension<StasisBus, StasisBusProvider>();
    }

    /// <summary>The actor system hosting the bus.</summary>
    public ActorSystem System { get; }

    /// <summary>The settings read from <c>stasis { }</c>.</summary>
    public StasisSettings Settings { get; }

    /// <summary>The local node's entity id, stamped on every message created here.</summary>
    public EntityId Eid => Settings.Eid;

    /// <summary>The type of <see cref="SubscriptionChange"/> messages (<c>stasis_subscription_change_type</c>). Never declined.</summary>
    public MessageType<SubscriptionChange> SubscriptionChangeType { get; }

    /// <summary>Every live topic.</summary>
    public IReadOnlyCollection<Topic> Topics => [.. Graph.Topics];

    /// <summary>True once the actor system started shutting down: publishing is then a counted no-op.</summary>
    public bool IsShuttingDown => Graph.IsClosed;

    /// <summary>True while at least one subscription is above its high-water mark (publishers may slow down).</summary>
    public bool IsOverloaded => Diagnostics.CongestedSubscriptions > 0;

    /// <summary>How many subscriptions are above their high-water mark now (read without a snapshot).</summary>
    public int CongestedSubscriptionCount => Diagnostics.CongestedSubscriptions;

    /// <summary>Every message type made on the bus (the built-in subscription-change type included).</summary>
    public IReadOnlyCollection<MessageType> MessageTypes => [.. _types.Values];

    internal TopicGraph Graph { get; }

    /// <summary>The bounded series the meter reports (see <see cref="MetricSeries"/>).</summary>
    internal MetricSeries Series { get; } = new();

    /// <summary>Stamps new messages (<c>stasis.message-clock</c>).</summary>
    internal Internal.MessageClock Clock { get; }

    /// <summary>Sends messages published on clustered topics to other nodes; null on a bus that is not clustered.</summary>
    internal IRemotePublisher? RemotePublisher { get; set; }

    /// <summary>Called for each new topic before <see cref="CreateTopic"/> returns it (under the graph's lock: keep it short).</summary>
    internal Action<Topic>? TopicCreated { get; set; }

    internal BusDiagnostics Diagnostics { get; }

    /// <summary>
    /// Creates the message type <paramref name="name"/> for payloads of type <typeparamref name="T"/>, or returns the
    /// existing one. A name listed in <c>stasis.declined-message-types</c> gives a type whose
    /// <see cref="MessageType.IsDeclined"/> is true (reported, not thrown).
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="name"/> is empty, or already names a type of another payload type.</exception>
    public MessageType<T> CreateMessageType<T>(string name) where T : class => CreateType<T>(name, null);

    /// <summary>
    /// Creates the message type <paramref name="name"/> with <paramref name="formatters"/> (JSON, AMI, event), or returns
    /// the existing one if it was made with equal formatters. Formatters belong to the type: declare them where the
    /// type is defined, and get it elsewhere with <see cref="CreateMessageType{T}(string)"/>.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="name"/> is empty, or already names a type of another payload
    /// type or with other formatters.</exception>
    public MessageType<T> CreateMessageType<T>(string name, MessageTypeFormatters<T> formatters) where T : class
    {
        ArgumentNullException.ThrowIfNull(formatters);
        var type = CreateType(name, formatters);
        return Equals(type.Formatters, formatters)
            ? type
            : throw new ArgumentException($"Message type '{name}' already exists with other formatters ({type.AvailableFormatters}).", nameof(formatters));
    }

    private MessageType<T> CreateType<T>(string name, MessageTypeFormatters<T>? formatters) where T : class
    {
        ValidateName(name, "message type");
        System.Collections.Immutable.ImmutableList<Action<MessageType>>? watchers = null;
        if (!_types.TryGetValue(name, out var type))
        {
            lock (_typeLock)
            {
                if (!_types.TryGetValue(name, out type))
                {
                    var declined = Settings.DeclinedMessageTypes.Contains(name);
                    type = new MessageType<T>(name, declined, _types.Count, this, formatters);
                    _types[name] = type;
                    if (declined)
                        Diagnostics.Log.Debug("Message type {0} is declined by configuration", name);
                    watchers = _typeWatchers;
                }
            }
            // Formatter filters select types by their formatters: snapshots built before this type existed must be rebuilt.
            if (type.AvailableFormatters != MessageFormatters.None)
                Graph.InvalidateAll();
            foreach (var watcher in watchers ?? [])
                watcher(type);
        }
        return type as MessageType<T>
               ?? throw new ArgumentException($"Message type '{name}' already exists with payload type {type.PayloadType}, not {typeof(T)}.", nameof(name));
    }

    /// <summary>Every message type of the bus.</summary>

    /// <summary>
    /// Calls <paramref name="watcher"/> (outside any lock, from the creating thread) for each message type created
    /// from now on. A type created while this runs is either in <see cref="MessageTypes"/> afterwards or reported.
    /// </summary>
    /// <returns>Stops the calls.</returns>
    internal IDisposable WatchMessageTypes(Action<MessageType> watcher)
    {
        lock (_typeLock)
            _typeWatchers = _typeWatchers.Add(watcher);
        return new TypeWatch(this, watcher);
    }

    /// <summary>The message type named <paramref name="name"/>, or null.</summary>
    public MessageType? GetMessageType(string name) => name is null ? null : _types.GetValueOrDefault(name);

    /// <summary>
    /// Creates the topic <paramref name="name"/>, or returns the live topic of that name if there is one (its detail is
    /// then left as it was), as Asterisk's <c>stasis_topic_create</c> does.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="name"/> is null, empty or white space.</exception>
    /// <exception cref="InvalidOperationException">The bus is shutting down.</exception>
    public Topic CreateTopic(string name, string? detail = null)
    {
        ValidateName(name, "topic");
        return Graph.GetOrAdd(name, () =>
        {
            var topic = new Topic(this, name, detail, "topic-" + Interlocked.Increment(ref _nextTopicId));
            topic.Attach(BusRootActor.AttachChild(_root, TopicActor.Props(topic), topic.Id), ((ExtendedActorSystem)System).Provider);
            TopicCreated?.Invoke(topic);
            return topic;
        });
    }

    /// <summary>The live topic named <paramref name="name"/>, or null.</summary>
    public Topic? GetTopic(string name) => name is null ? null : Graph.Find(name);

    /// <summary>
    /// Forwards every message published on <paramref name="from"/> to the subscribers of <paramref name="to"/> (and
    /// transitively, of every topic <paramref name="to"/> forwards to). Handlers are told the topic each message was
    /// originally published to. A subscription reached through several paths receives each message once.
    /// </summary>
    /// <returns>A handle whose <see cref="TopicForward.Cancel"/> stops the forwarding.</returns>
    /// <exception cref="ArgumentNullException">A topic is null.</exception>
    /// <exception cref="ArgumentException">The topics are the same, or belong to another bus.</exception>
    /// <exception cref="InvalidOperationException">The forwarding would make a cycle (the message names it).</exception>
    /// <exception cref="ObjectDisposedException">A topic was destroyed.</exception>
    public TopicForward ForwardAll(Topic from, Topic to)
    {
        ArgumentNullException.ThrowIfNull(from);
        ArgumentNullException.ThrowIfNull(to);
        if (ReferenceEquals(from, to))
            throw new ArgumentException($"Cannot forward topic {from.Name} to itself.", nameof(to));
        if (from.Bus != this || to.Bus != this)
            throw new ArgumentException("Both topics must belong to this bus.", from.Bus != this ? nameof(from) : nameof(to));
        return Graph.AddForward(from, to);
    }

    /// <summary>
    /// A snapshot of the bus's counters: topics (subscribers, forwards, dispatched), live subscriptions (queue depth,
    /// handled, failed, filtered, handler time) and message types (published, unused). The meter
    /// <see cref="BusStatistics.MeterName"/> publishes the same numbers as metrics. Never blocks publishers.
    /// </summary>
    public BusStatistics GetStatistics() => BusMetrics.Snapshot(this);

    /// <summary>
    /// Makes a subscription: checks the options, makes its actor under the topic's actor, then joins it to the topic.
    /// With <paramref name="inline"/>, the handler runs on the publisher's thread (see <see cref="Subscription.IsInline"/>).
    /// </summary>
    internal Subscription Subscribe(Topic topic, Handler handler, Func<Handler>? newHandler, SubscriptionOptions? options, bool inline = false)
    {
        options ??= SubscriptionOptions.Default;
        if (topic.IsDestroyed)
            throw new ObjectDisposedException(topic.ToString(), $"Cannot subscribe to {topic}: it was destroyed.");
        var high = options.HighWaterMark ?? Settings.HighWaterMark;
        var low = options.LowWaterMark ?? (options.HighWaterMark is null ? Settings.LowWaterMark : StasisSettings.DefaultLowWaterMark(high));
        var marks = WaterMarks.Checked(high, low, $"a new subscription on topic {topic.Name}");

        if (options.Dispatcher is { } dispatcher && !System.Dispatchers.HasDispatcher(dispatcher))
            throw new ArgumentException($"Dispatcher '{dispatcher}' is not configured.", nameof(options));
        if (options.Pooled && (!handler.IsSync || options.Dispatcher is not null || inline))
            throw new ArgumentException($"A pooled subscription on topic {topic.Name} takes a synchronous callback (not an async handler or an actor) and no Dispatcher.", nameof(options));
        var id = "sub-" + Interlocked.Increment(ref _nextSubscriptionId);
        var subscription = new Subscription(topic, id, handler, newHandler, options, marks, inline);
        try
        {
            subscription.Attach(options.Pooled
                ? _pool.Assign()
                : BusRootActor.AttachChild(topic.Actor, SubscriptionActor.Props(subscription, options.Dispatcher ?? Settings.Dispatcher), id));
        }
        catch (InvalidOperationException) when (topic.IsDestroyed)
        {
            // The topic's actor refuses new children once it is stopping.
            throw new ObjectDisposedException(topic.ToString(), $"Cannot subscribe to {topic}: it was destroyed.");
        }
        Series.Track(subscription); // its actor exists: it will finish, and retire its counts then
        var change = SubscriptionChangeType.CreateMessage(new SubscriptionChange(topic, id, SubscriptionChangeKind.Subscribe))!;
        try
        {
            Graph.AddSubscription(subscription, change);
        }
        catch
        {
            // Its handler may already have had the Subscribe change: it ends as any subscription does, final message last.
            subscription.Unsubscribe();
            throw;
        }
        if (handler.Target is not null)
            subscription.Actor.Tell(SubscriptionActor.WatchTarget.Instance, ActorRefs.NoSender);
        return subscription;
    }

    /// <summary>Destroys <paramref name="topic"/>; returns the subscriptions it ended (none when it was already destroyed).</summary>
    internal Subscription[] DestroyTopic(Topic topic)
    {
        if (Graph.Destroy(topic) is not { } subscriptions)
            return [];
        Series.Retire(topic);
        if (topic.IsClustered)
            RemotePublisher?.Forget(topic);
        foreach (var subscription in subscriptions)
            subscription.Unsubscribe();
        topic.Actor.Tell(TopicActor.Stop.Instance);
        return subscriptions;
    }

    /// <summary>
    /// The CoordinatedShutdown task: refuses new topics, destroys every topic (each subscription gets its queued
    /// messages, then its final message) and completes when every final message was handled.
    /// </summary>
    private async Task<Akka.Done> ShutdownAsync()
    {
        Graph.Close();
        var joins = Graph.Topics.ToList().SelectMany(DestroyTopic).Select(s => s.JoinAsync()).ToList();
        await Task.WhenAll(joins).ConfigureAwait(false);
        return Akka.Done.Instance;
    }

    private sealed class TypeWatch(StasisBus bus, Action<MessageType> watcher) : IDisposable
    {
        public void Dispose()
        {
            lock (bus._typeLock)
                bus._typeWatchers = bus._typeWatchers.Remove(watcher);
        }
    }

    private static void ValidateName(string name, string what)
    {
        if (name is null)
            throw new ArgumentNullException(nameof(name), $"A {what} name must not be null.");
        if (string.IsNullOrWhiteSpace(name))
            throw new ArgumentException($"A {what} name must not be empty or white space.", nameof(name));
    }
}

/// <summary>Creates the <see cref="StasisBus"/> extension of an actor system.</summary>
public sealed class StasisBusProvider : ExtensionIdProvider<StasisBus>
{
    /// <inheritdoc />
    public override StasisBus CreateExtension(ExtendedActorSystem system) => new(system);
}
