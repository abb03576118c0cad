using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Text.Json;
using Akka.Actor;
using Akka.Cluster.Tools.PublishSubscribe;
using Akka.Configuration;
using Akka.Event;
using Stasis.Actors.Cluster.Internal;
using Stasis.Actors.Cluster.Serialization;
using Stasis.Actors.Internal;

namespace Stasis.Actors.Cluster;

/// <summary>
/// One Stasis bus across the nodes of an Akka.Cluster: an Akka extension, reached with <see cref="Get"/>.
/// </summary>
/// <remarks>
/// <para><b>Clustered topics.</b> A topic is local-only until it is clustered (<see cref="MarkClustered(Topic)"/>, or
/// by name in <c>stasis.cluster.clustered-topics</c>). A message created on this node and published on a clustered
/// topic (or on a topic forwarding into one) is delivered locally exactly as on a local topic, and is also published
/// once, through DistributedPubSub, to the topic's bridge on every other node, which dispatches it into that node's
/// topic of the same name with this node's EID. Messages from other nodes are never sent out again, so nothing loops;
/// local-only topics never touch the network.</para>
/// <para><b>Ordering.</b> The messages of one origin node on one topic reach every other node's subscribers in the
/// order that node published them (one mediator and one bridge per topic per node). There is no order between
/// different origin nodes, nor between different topics.</para>
/// <para><b>Eventual consistency.</b> Which nodes cluster which topic spreads by gossip: right after a node clusters
/// a topic (or joins), other nodes may still publish without reaching it. <see cref="WaitForSubscribersAsync(Topic, int, TimeSpan?, CancellationToken)"/>
/// waits until given nodes answer on a topic; <see cref="PublishWithAckAsync"/> reports the nodes that did not
/// answer.</para>
/// <para><b>Payloads</b> cross the wire as System.Text.Json documents, or MessagePack with <c>stasis.cluster.payload-codec = messagepack</c>; each node
/// must create the message type with the same name and payload type. A payload that cannot be serialized makes the
/// publish throw <see cref="PayloadSerializationException"/>, delivering it nowhere.</para>
/// <para><b>Membership</b> is published on the local <see cref="SystemTopic"/> (<see cref="NodeJoined"/>,
/// <see cref="NodeLeft"/>). When a node leaves, is downed (Akka's Split Brain Resolver, see
/// <c>hocon/stasis-cluster.conf</c>) or is removed, its entries in caching topics made with
/// <see cref="TrackCachingTopic"/> (or made by <see cref="CreateCachingTopic"/>) are cleared here at once, publishing cache updates and aggregates.</para>
/// <para>Every member is thread-safe; only the <c>*Async</c> methods wait, and never block a thread.</para>
/// </remarks>
public sealed class StasisCluster : IExtension, IRemotePublisher
{
    [ThreadStatic] private static long t_ackId;

    private readonly PayloadCodec _codec;
    private readonly ClusterOutbox _outbox;
    private readonly ConcurrentDictionary<long, PendingAck> _pending = new();
    private readonly ConcurrentDictionary<string, ImmutableList<CachingTopic>> _cachingTopics = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, bool> _reported = new(StringComparer.Ordinal);
    private readonly ILoggingAdapter _log;
    private ImmutableDictionary<EntityId, NodeInfo> _nodes = ImmutableDictionary<EntityId, NodeInfo>.Empty;
    private ImmutableHashSet<string> _departed = [];
    private long _nextAck;
    private long _sent;
    private long _received;
    private long _rejected;

    internal StasisCluster(ExtendedActorSystem system)
    {
        System = system;
        system.Settings.InjectTopLevelFallback(DefaultConfig);
        Settings = StasisClusterSettings.Create(system);
        Bus = StasisBus.Get(system);
        _log = Logging.GetLogger(system, "Stasis.Actors.Cluster");
        _codec = new PayloadCodec(Bus, Settings.PayloadCodec);
        Mediator = DistributedPubSub.Get(system).Mediator;
        NodeJoinedType = Bus.CreateMessageType<NodeJoined>("stasis_cluster_node_joined");
        NodeLeftType = Bus.CreateMessageType<NodeLeft>("stasis_cluster_node_left");
        SystemTopic = Bus.CreateTopic(Settings.SystemTopic, "cluster membership (NodeJoined, NodeLeft)");
        Directory = system.SystemActorOf(NodeDirectoryActor.Props(this), "stasis-cluster");
        _outbox = new ClusterOutbox(this, system, _codec);
        Bus.RemotePublisher = this;
        Bus.TopicCreated = topic =>
        {
            if (topic.Name != Settings.SystemTopic && Settings.IsClusteredByDefault(topic.Name))
                MarkClustered(topic);
        };
        foreach (var topic in Bus.Topics.Where(t => t.Name != Settings.SystemTopic && Settings.IsClusteredByDefault(t.Name)))
            MarkClustered(topic);
    }

    /// <summary>The embedded reference configuration (<c>hocon/stasis-cluster.conf</c>): cluster provider, serializer, Split Brain Resolver.</summary>
    public static Config DefaultConfig { get; } = ConfigurationFactory.FromResource<StasisClusterSettings>("Stasis.Actors.Cluster.stasis-cluster.conf");

    /// <summary>The cluster extension of <paramref name="system"/>, created on first use (or at start, with <see cref="DefaultConfig"/>).</summary>
    /// <exception cref="ConfigurationException">The system is not a cluster node (<c>akka.actor.provider = cluster</c>).</exception>
    public static StasisCluster Get(ActorSystem system)
    {
        ArgumentNullException.ThrowIfNull(system);
        return system.WithExtension<StasisCluster, StasisClusterProvider>();
    }

    /// <summary>
    /// The configuration of one cluster node listening on <paramref name="hostname"/>:<paramref name="port"/> and joining
    /// through <paramref name="seeds"/> (<c>HOST:PORT</c> each; none: the node is its own seed and starts a new cluster),
    /// with <see cref="DefaultConfig"/> as fallback. Every node of a cluster must use the same <paramref name="systemName"/>.
    /// </summary>
    /// <exception cref="ArgumentException">A seed is not <c>HOST:PORT</c>, or the port is out of range.</exception>
    public static Config NodeConfig(string systemName, int port, IEnumerable<string>? seeds = null, string hostname = "127.0.0.1")
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(systemName);
        if (port is < 0 or > 65535)
            throw new ArgumentException($"The cluster port must be between 0 and 65535, was {port}.", nameof(port));
        var seedList = (seeds ?? []).Select(seed => SeedAddress(systemName, seed)).ToList();
        if (seedList.Count == 0)
            seedList.Add($"akka.tcp://{systemName}@{hostname}:{port}");
        var quoted = string.Join(", ", seedList.Select(s => "\"" + s + "\""));
        return ConfigurationFactory.ParseString($$"""
            akka.remote.dot-netty.tcp.hostname = "{{hostname}}"
            akka.remote.dot-netty.tcp.port = {{port}}
            akka.cluster.seed-nodes = [{{quoted}}]
            """).WithFallback(DefaultConfig);
    }

    /// <summary>The actor system hosting the node.</summary>
    public ActorSystem System { get; }

    /// <summary>The settings read from <c>stasis.cluster { }</c>.</summary>
    public StasisClusterSettings Settings { get; }

    /// <summary>The local bus.</summary>
    public StasisBus Bus { get; }

    /// <summary>This node's EID (<c>stasis.eid</c>, or random at start): stable for the node's lifetime, carried by every message it creates.</summary>
    public EntityId Eid => Bus.Eid;

    /// <summary>The local topic on which <see cref="NodeJoined"/> and <see cref="NodeLeft"/> messages are published.</summary>
    public Topic SystemTopic { get; }

    /// <summary>The message type of <see cref="NodeJoined"/> (<c>stasis_cluster_node_joined</c>).</summary>
    public MessageType<NodeJoined> NodeJoinedType { get; }

    /// <summary>The message type of <see cref="NodeLeft"/> (<c>stasis_cluster_node_left</c>).</summary>
    public MessageType<NodeLeft> NodeLeftType { get; }

    /// <summary>
    /// The options payloads are written and read with by the default <c>json</c> codec. Add converters for your own types here before
    /// the first clustered publish; after that the options are frozen.
    /// </summary>
    public JsonSerializerOptions PayloadJsonOptions => _codec.Options;

    /// <summary>The other nodes this node knows the EID of (EID to Akka address), updated as they join and leave.</summary>
    public IReadOnlyDictionary<EntityId, string> Nodes => _nodes.ToImmutableDictionary(p => p.Key, p => p.Value.Address.ToString());

    /// <summary>Messages this node sent to the cluster (each once, whatever the number of nodes).</summary>
    public long SentCount => Volatile.Read(ref _sent);

    /// <summary>Messages from other nodes dispatched into local topics.</summary>
    public long ReceivedCount => Volatile.Read(ref _received);

    /// <summary>Messages from other nodes that were dropped (logged once per reason and type): unknown or mismatched type, topic not clustered here, node gone.</summary>
    public long RejectedCount => Volatile.Read(ref _rejected);

    internal IActorRef Mediator { get; }

    internal IActorRef Directory { get; }

    /// <summary>The other nodes known from their announcements (replaced, never changed, on each change).</summary>
    internal ImmutableDictionary<EntityId, NodeInfo> KnownNodes => Volatile.Read(ref _nodes);

    /// <summary>True when <paramref name="message"/> was created on this node (its EID is <see cref="Eid"/>).</summary>
    public bool IsLocal(StasisMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        return message.Eid == Eid;
    }

    /// <summary>True when <paramref name="topic"/> is clustered on this node.</summary>
    public bool IsClustered(Topic topic)
    {
        ArgumentNullException.ThrowIfNull(topic);
        return topic.IsClustered;
    }

    /// <summary>
    /// Clusters <paramref name="topic"/>: from now on, messages created here and published on it also reach its
    /// subscribers on the other nodes that cluster it, and theirs reach its subscribers here (once this node's bridge is
    /// subscribed: see <see cref="WaitForSubscribersAsync(Topic, int, TimeSpan?, CancellationToken)"/>). Idempotent.
    /// </summary>
    /// <remarks>Clustering is a property of this topic object: a topic destroyed and created again under the same name is
    /// local-only again, unless its name is listed in <c>stasis.cluster.clustered-topics</c>. There is no way back to
    /// local-only for a live topic.</remarks>
    /// <returns>The topic.</returns>
    /// <exception cref="ArgumentException">The topic belongs to another bus.</exception>
    public Topic MarkClustered(Topic topic)
    {
        ArgumentNullException.ThrowIfNull(topic);
        if (topic.Bus != Bus)
            throw new ArgumentException("The topic must belong to this node's bus.", nameof(topic));
        if (Bus.Graph.SetClustered(topic, true))
            Directory.Tell(new NodeDirectoryActor.EnsureBridge(topic.Name));
        return topic;
    }

    /// <summary>Creates (or finds) the topic <paramref name="name"/> and clusters it; see <see cref="MarkClustered(Topic)"/>.</summary>
    public Topic MarkClustered(string name, string? detail = null) => MarkClustered(Bus.CreateTopic(name, detail));

    /// <summary>
    /// Creates a caching topic of <paramref name="cache"/> on <paramref name="upstream"/> and clusters it; see
    /// <see cref="TrackCachingTopic"/>.
    /// </summary>
    public CachingTopic CreateCachingTopic(StasisCache cache, Topic upstream, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(cache);
        ArgumentNullException.ThrowIfNull(upstream);
        return TrackCachingTopic(cache.CreateCachingTopic(upstream, name));
    }

    /// <summary>
    /// Clusters a caching topic (made elsewhere, e.g. by a caching pattern) by clustering its upstream topic: its cache
    /// then holds every node's snapshots under that node's EID, its aggregate combines them, and as soon as a node is
    /// leaving, downed or removed, that node's entries are cleared here, publishing <see cref="CacheUpdate"/>s with no new
    /// snapshot and the new aggregates.
    /// </summary>
    /// <remarks>The clearing is a <see cref="CacheClear"/> from the departed node's EID dispatched into the upstream topic on
    /// this node only, after every message of that node this node received; other subscribers of the upstream topic see
    /// it too.</remarks>
    /// <returns>The caching topic.</returns>
    public CachingTopic TrackCachingTopic(CachingTopic cachingTopic)
    {
        ArgumentNullException.ThrowIfNull(cachingTopic);
        MarkClustered(cachingTopic.Upstream);
        _cachingTopics.AddOrUpdate(cachingTopic.Upstream.Name, [cachingTopic], (_, list) => list.Contains(cachingTopic) ? list : list.Add(cachingTopic));
        return cachingTopic;
    }

    /// <summary>
    /// Publishes <paramref name="message"/> on the clustered <paramref name="topic"/> like <see cref="Topic.Publish(StasisMessage)"/>,
    /// and completes once every other node known to cluster the topic has queued it for its subscribers (a node that
    /// leaves the cluster meanwhile is no longer waited for).
    /// </summary>
    /// <param name="topic">A clustered topic.</param>
    /// <param name="message">A message created on this node.</param>
    /// <param name="timeout">How long to wait; <c>stasis.cluster.ack-timeout</c> when null.</param>
    /// <param name="cancellationToken">Cancels the wait (not the publish).</param>
    /// <exception cref="ClusterAckTimeoutException">Some nodes did not answer in time (it names them).</exception>
    /// <exception cref="InvalidOperationException">The topic is not clustered.</exception>
    /// <exception cref="ArgumentException">The message was not created on this node.</exception>
    public async Task PublishWithAckAsync(Topic topic, StasisMessage message, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(topic);
        ArgumentNullException.ThrowIfNull(message);
        if (!topic.IsClustered)
            throw new InvalidOperationException($"{topic} is not clustered: use Topic.Publish, or MarkClustered it first.");
        if (!IsLocal(message))
            throw new ArgumentException($"Only messages created on this node are sent to the cluster; this one comes from {message.Eid}.", nameof(message));
        var pending = new PendingAck();
        var id = Interlocked.Increment(ref _nextAck);
        // Registered before the expected nodes are read: a node that departs after this read is told to it (Depart).
        _pending[id] = pending;
        try
        {
            var expected = _nodes.Values.Where(n => n.Topics.Contains(topic.Name)).ToDictionary(n => n.Eid);
            pending.Start((answered, gone) => expected.Keys.All(eid => answered.Contains(eid) || gone.Contains(eid)));
            t_ackId = id;
            try
            {
                topic.Publish(message);
            }
            finally
            {
                t_ackId = 0;
            }
            await Wait(pending, topic, timeout ?? Settings.AckTimeout, cancellationToken, () =>
                [.. expected.Values.Where(n => !pending.Answered.Contains(n.Eid)).Select(n => n.ToString())]).ConfigureAwait(false);
        }
        finally
        {
            _pending.TryRemove(id, out _);
        }
    }

    /// <summary>
    /// Completes once at least <paramref name="nodeCount"/> other nodes have a bridge on <paramref name="topic"/> that this
    /// node's publishes reach (checked end to end by probes through DistributedPubSub). Use it before publishing
    /// messages that must not be lost while a cluster starts.
    /// </summary>
    /// <exception cref="ClusterAckTimeoutException">Fewer nodes answered within <paramref name="timeout"/> (default <c>stasis.cluster.ack-timeout</c>).</exception>
    public Task WaitForSubscribersAsync(Topic topic, int nodeCount, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(nodeCount);
        return Probe(topic, answered => answered.Count >= nodeCount, answered => [$"{nodeCount - answered.Count} more (answered: {string.Join(", ", answered)})"], timeout, cancellationToken);
    }

    /// <summary>Completes once each node of <paramref name="nodes"/> (EIDs) answers on <paramref name="topic"/>; see <see cref="WaitForSubscribersAsync(Topic, int, TimeSpan?, CancellationToken)"/>.</summary>
    /// <exception cref="ClusterAckTimeoutException">Some did not answer in time (it names them).</exception>
    public Task WaitForSubscribersAsync(Topic topic, IReadOnlyCollection<EntityId> nodes, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(nodes);
        var wanted = nodes.Where(n => n != Eid).ToHashSet();
        return Probe(topic, answered => wanted.All(answered.Contains), answered => [.. wanted.Except(answered).Select(e => e.ToString())], timeout, cancellationToken);
    }

    void IRemotePublisher.Send(Topic[] clusteredTopics, StasisMessage message)
    {
        if (_outbox.Send(clusteredTopics, message, t_ackId))
            Interlocked.Increment(ref _sent);
    }

    void IRemotePublisher.Forget(Topic topic) => Directory.Tell(new NodeDirectoryActor.RemoveBridge(topic.Name));

    internal static string PubSubTopic(string topicName) => "stasis/" + topicName;

    internal bool IsDeparted(string eid) => _departed.Contains(eid);

    /// <summary>True when <paramref name="eid"/> is this node's or a known other node's EID (its announcement arrived).</summary>
    internal bool IsKnown(string eid) => eid == Eid.Value || string.IsNullOrWhiteSpace(eid) || _nodes.ContainsKey(new EntityId(eid));

    internal void CountReceived() => Interlocked.Increment(ref _received);

    /// <summary>Rebuilds an envelope's message. False: rejected (logged, counted). True with null: declined here (counted by the bus).</summary>
    internal bool TryRestore(WireEnvelope envelope, out StasisMessage? message)
    {
        message = null;
        var type = Bus.GetMessageType(envelope.MessageType);
        if (type is null)
        {
            Reject(envelope, "this node has no message type of that name: create it on every node");
            return false;
        }
        if (type.IsDeclined)
        {
            Bus.Diagnostics.Declined(type);
            return true;
        }
        object payload;
        try
        {
            payload = _codec.Read(envelope.Payload, type.PayloadType);
        }
        catch (Exception ex)
        {
            Reject(envelope, $"its payload cannot be read as {type.PayloadType.FullName}: {ex.Message}");
            return false;
        }
        message = type.Restore(payload, new DateTimeOffset(envelope.TimestampTicks, TimeSpan.Zero), new EntityId(envelope.Eid));
        return true;
    }

    internal void Reject(WireEnvelope envelope, string reason)
    {
        Interlocked.Increment(ref _rejected);
        if (_reported.TryAdd(envelope.MessageType + "|" + reason, true))
            _log.Warning("Dropped a {0} message from node {1} on topic {2}: {3} (logged once per type and reason)", envelope.MessageType, envelope.Eid, envelope.Topic, reason);
    }

    internal void Answer(WireAck ack)
    {
        if (_pending.TryGetValue(ack.AckId, out var pending))
            pending.Answer(new EntityId(ack.Eid));
    }

    internal void SetNodes(IEnumerable<NodeInfo> nodes, EntityId departedBack)
    {
        ImmutableInterlocked.Update(ref _departed, set => set.Remove(departedBack.Value));
        Volatile.Write(ref _nodes, nodes.ToImmutableDictionary(n => n.Eid));
    }

    internal void Depart(EntityId eid, IEnumerable<NodeInfo> remaining)
    {
        ImmutableInterlocked.Update(ref _departed, set => set.Add(eid.Value));
        Volatile.Write(ref _nodes, remaining.ToImmutableDictionary(n => n.Eid));
        foreach (var pending in _pending.Values)
            pending.Leave(eid);
    }

    internal void PublishJoined(Address address, EntityId eid) => PublishOnSystemTopic(NodeJoinedType, new NodeJoined(address.ToString(), eid));

    internal void PublishLeft(Address address, EntityId eid, string reason) => PublishOnSystemTopic(NodeLeftType, new NodeLeft(address.ToString(), eid, reason));

    /// <summary>
    /// Clears node <paramref name="eid"/>'s entries in the caching topics on <paramref name="topicName"/> (called by its
    /// bridge, on the bridge's thread, after every message of that node it dispatched). Caching topics run on the
    /// dispatching thread, so those messages are cached already and the purge, handled here on the same thread, clears
    /// every entry they added.
    /// </summary>
    internal void PurgeCaches(string topicName, EntityId eid)
    {
        if (!_cachingTopics.TryGetValue(topicName, out var cachingTopics))
            return;
        var purgeType = StasisCache.PurgeType(Bus);
        foreach (var cachingTopic in cachingTopics.Where(c => !c.Upstream.IsDestroyed))
        {
            // Given to the caching topic's own subscription only: the upstream's other subscribers never see it.
            if (purgeType.CreateMessage(CachePurge.Instance, eid) is { } purge)
                cachingTopic.Subscription.Enqueue(purge, cachingTopic.Upstream);
        }
    }

    private void PublishOnSystemTopic<T>(MessageType<T> type, T payload) where T : class
    {
        if (!SystemTopic.IsDestroyed && type.CreateMessage(payload) is { } message)
            SystemTopic.Send(message);
    }

    private async Task Probe(Topic topic, Func<IReadOnlySet<EntityId>, bool> isComplete, Func<IReadOnlySet<EntityId>, IReadOnlyCollection<string>> missing,
        TimeSpan? timeout, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(topic);
        var pending = new PendingAck(eid => _outbox.Answered(topic.Name, eid));
        pending.Start((answered, _) => isComplete(answered));
        var id = Interlocked.Increment(ref _nextAck);
        _pending[id] = pending;
        try
        {
            var limit = timeout ?? Settings.AckTimeout;
            using var expiry = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            expiry.CancelAfter(limit);
            var probe = new Publish(PubSubTopic(topic.Name), new WireEnvelope(topic.Name, "", 0, Eid.Value, id, true, [], []));
            while (!pending.Task.IsCompleted)
            {
                Mediator.Tell(probe, Directory);
                try
                {
                    await Task.WhenAny(pending.Task, Task.Delay(Settings.SubscriberProbeInterval, expiry.Token)).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    // The Task.Delay's own cancellation cannot surface through WhenAny; kept for clarity.
                }
                if (!pending.Task.IsCompleted && expiry.IsCancellationRequested)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    throw new ClusterAckTimeoutException(topic.Name, missing(pending.Answered), limit);
                }
            }
        }
        finally
        {
            _pending.TryRemove(id, out _);
        }
    }

    private static async Task Wait(PendingAck pending, Topic topic, TimeSpan limit, CancellationToken cancellationToken, Func<IReadOnlyCollection<string>> missing)
    {
        try
        {
            await pending.Task.WaitAsync(limit, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            throw new ClusterAckTimeoutException(topic.Name, missing(), limit);
        }
    }

    private static string SeedAddress(string systemName, string seed)
    {
        var colon = seed?.LastIndexOf(':') ?? -1;
        if (colon <= 0 || !int.TryParse(seed![(colon + 1)..], out var port) || port is <= 0 or > 65535)
            throw new ArgumentException($"A seed must be HOST:PORT, was '{seed}'.", nameof(seed));
        return $"akka.tcp://{systemName}@{seed[..colon]}:{port}";
    }
}

/// <summary>Creates the <see cref="StasisCluster"/> extension of an actor system.</summary>
public sealed class StasisClusterProvider : ExtensionIdProvider<StasisCluster>
{
    /// <inheritdoc />
    public override StasisCluster CreateExtension(ExtendedActorSystem system) => new(system);
}
