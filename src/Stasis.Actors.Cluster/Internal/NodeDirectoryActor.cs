using System.Collections.Immutable;
using Akka.Actor;
using Akka.Cluster;

namespace Stasis.Actors.Cluster.Internal;

/// <summary>What this node knows of another node: its address, EID and the topics it clusters.</summary>
internal sealed record NodeInfo(Address Address, EntityId Eid, ImmutableHashSet<string> Topics)
{
    public override string ToString() => $"{Eid} ({Address})";
}

/// <summary>
/// The Stasis directory of this node (<c>/system/stasis-cluster</c>): parent of the topic bridges, it exchanges EIDs
/// and clustered-topic lists with the directories of the other nodes and follows cluster membership.
/// </summary>
/// <remarks>
/// <para>When a node is up, this directory sends it a <see cref="NodeHello"/> (EID, clustered topics) asking for one
/// back; it announces again to every node whenever a bridge becomes ready. Announcements go actor to actor, not
/// through DistributedPubSub, so they do not wait for its gossip.</para>
/// <para>As soon as a known node is leaving, exiting, downed or removed (the first of these seen), its EID is marked
/// departed (its bridges drop its later envelopes), each bridge purges its cache entries, and <see cref="NodeLeft"/> is
/// published on the system topic. Acknowledgements (<see cref="WireAck"/>) are also answered to this actor.</para>
/// <para>A node can send messages before its announcement arrives here, and die before it does. Bridges report EIDs
/// they receive from and this directory does not know (<see cref="SeenEid"/>); once every live member (joining, weakly
/// up or up) of the cluster has announced its EID, such an EID belongs to no live node and its cache entries are purged
/// as above. Until then it waits: it may be a member's that has not announced yet. It is not marked departed and no
/// <see cref="NodeLeft"/> is published (its address is not known): should it still be live after all (a member this
/// node has not yet seen join), its later messages are kept.</para>
/// <para>A destroyed clustered topic's bridge is stopped (<see cref="RemoveBridge"/>), unsubscribing from
/// DistributedPubSub, and the other nodes are told the topic list without it.</para>
/// </remarks>
internal sealed class NodeDirectoryActor : ReceiveActor
{
    private readonly StasisCluster _cluster;
    private readonly Akka.Cluster.Cluster _akkaCluster;
    private readonly Dictionary<string, IActorRef> _bridges = new(StringComparer.Ordinal);
    private readonly HashSet<string> _ready = new(StringComparer.Ordinal);
    private readonly Dictionary<Address, NodeInfo> _nodes = [];
    private readonly HashSet<Address> _up = [];
    private readonly HashSet<string> _unattributed = new(StringComparer.Ordinal);
    private int _bridgeCount;

    public NodeDirectoryActor(StasisCluster cluster)
    {
        _cluster = cluster;
        _akkaCluster = Akka.Cluster.Cluster.Get(Context.System);
        Receive<EnsureBridge>(ensure => Bridge(ensure.Topic));
        Receive<RemoveBridge>(remove => Unbridge(remove.Topic));
        Receive<SeenEid>(Seen);
        Receive<BridgeReady>(ready =>
        {
            if (_ready.Add(ready.Topic))
                foreach (var address in _up)
                    Announce(address, wantsReply: false);
        });
        Receive<ClusterEvent.MemberUp>(up => MemberUp(up.Member));
        Receive<ClusterEvent.MemberLeft>(e => Depart(e.Member.Address, "Leaving"));
        Receive<ClusterEvent.MemberExited>(e => Depart(e.Member.Address, "Exiting"));
        Receive<ClusterEvent.MemberDowned>(e => Depart(e.Member.Address, "Down"));
        Receive<ClusterEvent.MemberRemoved>(e => Depart(e.Member.Address, "Removed"));
        Receive<ClusterEvent.IMemberEvent>(_ => { });
        Receive<NodeHello>(Hello);
        Receive<WireAck>(ack => _cluster.Answer(ack));
    }

    public static Props Props(StasisCluster cluster) => Akka.Actor.Props.Create(() => new NodeDirectoryActor(cluster));

    /// <summary>Create the bridge of a clustered topic, if it has none yet.</summary>
    public sealed record EnsureBridge(string Topic);

    /// <summary>The clustered topic was destroyed: stop its bridge, unless a clustered topic of that name exists again.</summary>
    public sealed record RemoveBridge(string Topic);

    /// <summary>A bridge received a message from an EID this node had no announcement of.</summary>
    public sealed record SeenEid(string Eid);

    /// <summary>A bridge's DistributedPubSub subscription was acknowledged.</summary>
    public sealed record BridgeReady(string Topic);

    protected override void PreStart() =>
        _akkaCluster.Subscribe(Self, ClusterEvent.SubscriptionInitialStateMode.InitialStateAsEvents, typeof(ClusterEvent.IMemberEvent));

    protected override void PostStop() => _akkaCluster.Unsubscribe(Self);

    private void Bridge(string topic)
    {
        if (!_bridges.ContainsKey(topic))
            _bridges[topic] = Context.ActorOf(TopicBridgeActor.Props(_cluster, topic), "bridge-" + ++_bridgeCount);
    }

    private void Unbridge(string topic)
    {
        // Destroy and a new MarkClustered of the same name may reach this actor in either order: the bus decides.
        if (_cluster.Bus.GetTopic(topic) is { IsDestroyed: false, IsClustered: true } || !_bridges.Remove(topic, out var bridge))
            return;
        Context.Stop(bridge);
        if (_ready.Remove(topic))
            foreach (var address in _up)
                Announce(address, wantsReply: false);
    }

    private void Seen(SeenEid seen)
    {
        if (!_cluster.IsKnown(seen.Eid) && !_cluster.IsDeparted(seen.Eid) && _unattributed.Add(seen.Eid))
            Settle();
    }

    /// <summary>Departs the unattributed EIDs once every live member has announced its own (see the remarks).</summary>
    private void Settle()
    {
        _unattributed.RemoveWhere(eid => _cluster.IsKnown(eid) || _cluster.IsDeparted(eid));
        if (_unattributed.Count == 0)
            return;
        var self = _akkaCluster.SelfAddress;
        if (_akkaCluster.State.Members.Any(m => m.Address != self && m.Status is MemberStatus.Joining or MemberStatus.WeaklyUp or MemberStatus.Up
                                               && !_nodes.ContainsKey(m.Address)))
            return;
        foreach (var eid in _unattributed)
            PurgeBridges(new EntityId(eid));
        _unattributed.Clear();
    }

    private void PurgeBridges(EntityId eid)
    {
        foreach (var bridge in _bridges.Values)
            bridge.Tell(new TopicBridgeActor.Purge(eid));
    }

    private void MemberUp(Member member)
    {
        if (member.Address == _akkaCluster.SelfAddress)
        {
            _cluster.PublishJoined(member.Address, _cluster.Eid);
            return;
        }
        if (_up.Add(member.Address))
            Announce(member.Address, wantsReply: true);
    }

    private void Hello(NodeHello hello)
    {
        var address = Sender.Path.Address;
        if (!_up.Contains(address))
            return; // not up in this node's view yet: its MemberUp will make this node ask again
        var eid = new EntityId(hello.Eid);
        var known = _nodes.ContainsKey(address);
        _nodes[address] = new NodeInfo(address, eid, [.. hello.Topics]);
        _cluster.SetNodes(_nodes.Values, departedBack: eid);
        if (!known)
            _cluster.PublishJoined(address, eid);
        if (hello.WantsReply)
            Sender.Tell(OwnHello(wantsReply: false));
        Settle();
    }

    private void Depart(Address address, string reason)
    {
        _up.Remove(address);
        if (!_nodes.Remove(address, out var node))
        {
            Settle(); // a member that never announced itself: the EIDs nobody claims may have been its own
            return;
        }
        _cluster.Depart(node.Eid, _nodes.Values);
        PurgeBridges(node.Eid);
        _cluster.PublishLeft(address, node.Eid, reason);
    }

    private void Announce(Address address, bool wantsReply) =>
        Context.ActorSelection(new RootActorPath(address) / Self.Path.Elements).Tell(OwnHello(wantsReply), Self);

    private NodeHello OwnHello(bool wantsReply) => new(_cluster.Eid.Value, [.. _ready], wantsReply);
}
