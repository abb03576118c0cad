using System.Runtime.InteropServices;
using Akka.Actor;
using Akka.Cluster.Tools.PublishSubscribe;
using Stasis.Actors.Cluster.Serialization;

namespace Stasis.Actors.Cluster.Internal;

/// <summary>
/// The sending side of <c>IRemotePublisher.Send</c>: writes a message's payload once, on the publishing thread, and
/// hands one envelope per clustered topic that may reach another node (<see cref="RemoteReach"/>) to the
/// <see cref="OutboxActor"/>, which publishes them through DistributedPubSub in batches.
/// </summary>
/// <remarks>
/// A publish that reaches no other node writes and sends nothing; the first payload of each type is still written once
/// (<see cref="PayloadCodec.EnsureWritable"/>), so an unsupported payload type throws on a lone node too. A publish
/// waiting for acknowledgements is always sent. Thread-safe.
/// </remarks>
internal sealed class ClusterOutbox
{
    private readonly PayloadCodec _codec;
    private readonly RemoteReach _reach;
    private readonly IActorRef _outbox;

    /// <summary>Starts the outbox actor (<c>/system/stasis-cluster-outbox</c>) and the reach tracker of <paramref name="cluster"/>.</summary>
    public ClusterOutbox(StasisCluster cluster, ExtendedActorSystem system, PayloadCodec codec)
    {
        _codec = codec;
        _reach = new RemoteReach(cluster, system);
        // Half a remoting frame: a batch (plus its envelope and paths) stays well below maximum-frame-size.
        var frame = system.Settings.Config.GetByteSize("akka.remote.dot-netty.tcp.maximum-frame-size", 128000) ?? 128000;
        var maxBatchBytes = (int)Math.Clamp(frame / 2, 4096, 1 << 20);
        _outbox = system.SystemActorOf(OutboxActor.Props(cluster.Mediator, cluster.Directory, maxBatchBytes), "stasis-cluster-outbox");
    }

    /// <summary>Node <paramref name="eid"/> answered on <paramref name="topicName"/>: see <see cref="RemoteReach.Answered"/>.</summary>
    public void Answered(string topicName, EntityId eid) => _reach.Answered(topicName, eid);

    /// <summary>Sends <paramref name="message"/> on each of <paramref name="topics"/> that may reach another node; false when none did.</summary>
    /// <exception cref="PayloadSerializationException">The payload cannot be written (nothing was sent).</exception>
    public bool Send(Topic[] topics, StasisMessage message, long ackId)
    {
        var reaching = ackId != 0 ? topics : Array.FindAll(topics, topic => _reach.MayReach(topic.Name));
        if (reaching.Length == 0)
        {
            _codec.EnsureWritable(message);
            return false;
        }
        var payload = _codec.Write(message); // before the first envelope leaves: a failure sends nothing
        var ticks = message.Timestamp.UtcTicks;
        // Copies of one publish on several topics name all of them, so a receiving node delivers it once (WireEnvelope.Sent).
        string[] sent = reaching.Length > 1 ? Array.ConvertAll(reaching, t => t.Name) : [];
        foreach (var topic in reaching)
            _outbox.Tell(new WireEnvelope(topic.Name, message.Type.Name, ticks, message.Eid.Value, ackId, false, payload, sent));
        return true;
    }
}

/// <summary>
/// Publishes this node's envelopes through DistributedPubSub, batching what accumulates: the envelopes of each topic
/// that arrived before a <see cref="Flush"/> (sent to itself when the first of them arrived) go out together, as one
/// <see cref="WireBatch"/> (or a lone <see cref="WireEnvelope"/>), in arrival order, at most about half a
/// remoting frame per batch.
/// </summary>
/// <remarks>
/// Nothing waits for a batch to fill: under a light load every envelope leaves alone as soon as this actor runs; under
/// a heavy one, remoting carries one message per batch instead of one per envelope. Order per topic is kept: one actor,
/// one mediator, envelopes and batches in arrival order. Batches are sent with the directory as sender, which
/// receives the receiving bridges' acknowledgements.
/// </remarks>
internal sealed class OutboxActor : ReceiveActor
{
    private readonly IActorRef _mediator;
    private readonly IActorRef _directory;
    private readonly int _maxBatchBytes;
    private readonly Dictionary<string, List<WireEnvelope>> _pending = new(StringComparer.Ordinal); // emptied by each flush
    private bool _flushQueued;

    public OutboxActor(IActorRef mediator, IActorRef directory, int maxBatchBytes)
    {
        _mediator = mediator;
        _directory = directory;
        _maxBatchBytes = maxBatchBytes;
        Receive<WireEnvelope>(Add);
        Receive<Flush>(_ => FlushAll());
    }

    public static Props Props(IActorRef mediator, IActorRef directory, int maxBatchBytes) =>
        Akka.Actor.Props.Create(() => new OutboxActor(mediator, directory, maxBatchBytes));

    /// <summary>Publish what is pending: every envelope that arrived before this message.</summary>
    public sealed class Flush
    {
        public static readonly Flush Instance = new();

        private Flush()
        {
        }
    }

    /// <summary>A batch's size on the wire, roughly: the payload, the strings (UTF-8 at most 3 bytes a char) and the fixed fields.</summary>
    public static int SizeOf(WireEnvelope envelope) =>
        envelope.Payload.Length + 3 * (envelope.Topic.Length + envelope.MessageType.Length + envelope.Eid.Length) + 32;

    private void Add(WireEnvelope envelope)
    {
        if (!_pending.TryGetValue(envelope.Topic, out var pending))
            _pending[envelope.Topic] = pending = [];
        pending.Add(envelope);
        if (_flushQueued)
            return;
        _flushQueued = true;
        Self.Tell(Flush.Instance);
    }

    private void FlushAll()
    {
        _flushQueued = false;
        foreach (var (topic, envelopes) in _pending)
        {
            var pubSubTopic = StasisCluster.PubSubTopic(topic);
            var start = 0;
            var bytes = 0;
            for (var i = 0; i < envelopes.Count; i++)
            {
                var size = SizeOf(envelopes[i]);
                if (i > start && bytes + size > _maxBatchBytes)
                {
                    Publish(pubSubTopic, envelopes, start, i);
                    (start, bytes) = (i, 0);
                }
                bytes += size;
            }
            Publish(pubSubTopic, envelopes, start, envelopes.Count);
        }
        _pending.Clear(); // topics come and go (channel:all/<id>): keep none between flushes
    }

    private void Publish(string pubSubTopic, List<WireEnvelope> envelopes, int start, int end)
    {
        object message = end - start == 1
            ? envelopes[start]
            : new WireBatch(envelopes[start].Topic, envelopes[start].Eid, CollectionsMarshal.AsSpan(envelopes)[start..end].ToArray());
        _mediator.Tell(new Publish(pubSubTopic, message), _directory);
    }
}
