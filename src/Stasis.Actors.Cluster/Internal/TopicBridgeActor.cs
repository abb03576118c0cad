using Akka.Actor;
using Akka.Cluster.Tools.PublishSubscribe;

namespace Stasis.Actors.Cluster.Internal;

/// <summary>
/// The bridge of one clustered topic on this node: subscribed to the DistributedPubSub topic <c>stasis/&lt;name&gt;</c>,
/// it dispatches the envelopes other nodes publish there into the local topic of that name, keeping their EID.
/// </summary>
/// <remarks>
/// One bridge per topic per node receives everything other nodes send on that topic, through one mediator, so the
/// messages of one origin node arrive in the order that node published them. Envelopes carrying this node's own EID
/// (the mediator also delivers to local subscribers) and envelopes from nodes that left are dropped. Dispatching
/// goes through <c>Topic.DispatchRemote</c>, which never sends a message out again (nothing loops); when the origin sent
/// the publish on several clustered topics, each subscription gets it from one of their bridges only (nothing arrives twice). A <see cref="Purge"/> clears a
/// departed node's cache entries after every message of it this bridge dispatched.
/// </remarks>
internal sealed class TopicBridgeActor : ReceiveActor
{
    private readonly StasisCluster _cluster;
    private readonly string _topicName;
    private readonly HashSet<string> _seen = new(StringComparer.Ordinal);

    public TopicBridgeActor(StasisCluster cluster, string topicName)
    {
        _cluster = cluster;
        _topicName = topicName;
        Receive<WireEnvelope>(Handle);
        Receive<WireBatch>(batch => Array.ForEach(batch.Envelopes, Handle)); // in order, as if one at a time
        Receive<Purge>(purge =>
        {
            _cluster.PurgeCaches(_topicName, purge.Eid);
            _seen.Remove(purge.Eid.Value); // the same EID may come back with a restarted node
        });
        Receive<SubscribeAck>(_ => Context.Parent.Tell(new NodeDirectoryActor.BridgeReady(_topicName)));
    }

    public static Props Props(StasisCluster cluster, string topicName) =>
        Akka.Actor.Props.Create(() => new TopicBridgeActor(cluster, topicName));

    /// <summary>Clear the cache entries of the node <see cref="Eid"/> (it left) in the caching topics of this topic.</summary>
    public sealed record Purge(EntityId Eid);

    /// <summary>The topics of an envelope's <see cref="WireEnvelope.Sent"/> that are clustered here, so have a bridge getting their own copy.</summary>
    private Topic[] SentHere(string[] names) =>
        [.. names.Select(_cluster.Bus.GetTopic).Where(t => t is { IsDestroyed: false, IsClustered: true })!];

    protected override void PreStart() => _cluster.Mediator.Tell(new Subscribe(StasisCluster.PubSubTopic(_topicName), Self));

    protected override void PostStop() => _cluster.Mediator.Tell(new Unsubscribe(StasisCluster.PubSubTopic(_topicName), Self));

    private void Handle(WireEnvelope envelope)
    {
        if (envelope.Eid == _cluster.Eid.Value)
            return;
        if (_cluster.IsDeparted(envelope.Eid))
        {
            _cluster.Reject(envelope, "it comes from a node that left the cluster");
            return;
        }
        if (!envelope.IsProbe)
        {
            var topic = _cluster.Bus.GetTopic(envelope.Topic);
            if (topic is not { IsDestroyed: false, IsClustered: true })
            {
                _cluster.Reject(envelope, "the topic is not clustered on this node");
                return;
            }
            if (_seen.Add(envelope.Eid) && !_cluster.IsKnown(envelope.Eid))
                Context.Parent.Tell(new NodeDirectoryActor.SeenEid(envelope.Eid));
            if (!_cluster.TryRestore(envelope, out var message))
                return;
            if (message is not null)
            {
                topic.DispatchRemote(message, envelope.Sent.Length > 1 ? SentHere(envelope.Sent) : []);
                _cluster.CountReceived();
            }
        }
        if (envelope.AckId != 0)
            Sender.Tell(new WireAck(envelope.AckId, _cluster.Eid.Value));
    }
}
