using System.Collections.Immutable;
using Akka.Actor;
using Akka.Cluster;

namespace Stasis.Actors.Cluster.Internal;

/// <summary>
/// Whether a publish on a clustered topic may reach another node, so that nothing is written or sent when no other node
/// can receive it (a lone node, or a topic no other node clusters).
/// </summary>
/// <remarks>
/// <para>Conservative by construction: a topic may reach another node when any other member (any status until it is
/// removed) has not announced its topics yet (no <see cref="NodeHello"/> from it), when an announced node clusters the
/// topic, or when a node answered a probe or acknowledgement on it (<see cref="Answered"/>, recorded before the
/// waiting task completes, so a publish after <c>WaitForSubscribersAsync</c> always reaches the nodes that answered
/// even when their announcement is still on its way). Until this node has seen the membership once, everything may
/// reach.</para>
/// <para>So a topic is skipped only when every other member announced its topics and none of them listed it nor
/// answered on it: a node that clusters the topic after its announcement misses messages until its next announcement
/// arrives, which it sends as soon as its bridge is subscribed, within the "eventually consistent" window that
/// DistributedPubSub's own gossip has too.</para>
/// <para><see cref="MayReach"/> is lock-free (one snapshot read and a set lookup); changes rebuild the snapshot under a
/// lock.</para>
/// </remarks>
internal sealed class RemoteReach
{
    private readonly StasisCluster _cluster;
    private readonly object _lock = new();
    private ImmutableHashSet<Address>? _members; // other members until removed; null until the first membership state
    private ImmutableDictionary<EntityId, ImmutableHashSet<string>> _answered = ImmutableDictionary<EntityId, ImmutableHashSet<string>>.Empty;
    private Snapshot _snapshot = new(null, Everything: true, []);

    /// <summary>Starts following membership with a system actor named <paramref name="name"/>.</summary>
    public RemoteReach(StasisCluster cluster, ExtendedActorSystem system, string name = "stasis-cluster-reach")
    {
        _cluster = cluster;
        system.SystemActorOf(Props.Create(() => new MemberWatcher(this)), name);
    }

    /// <summary>True when a message on <paramref name="topicName"/> may reach another node's bridge.</summary>
    public bool MayReach(string topicName)
    {
        var snapshot = Volatile.Read(ref _snapshot);
        if (!ReferenceEquals(snapshot.Nodes, _cluster.KnownNodes))
            snapshot = Rebuild();
        return snapshot.Everything || snapshot.Topics.Contains(topicName);
    }

    /// <summary>Node <paramref name="eid"/> answered a probe or acknowledgement on <paramref name="topicName"/>: its bridge is there.</summary>
    public void Answered(string topicName, EntityId eid)
    {
        lock (_lock)
        {
            _answered = _answered.SetItem(eid, _answered.GetValueOrDefault(eid, []).Add(topicName));
            Rebuild();
        }
    }

    private void SetMembers(ImmutableHashSet<Address> members)
    {
        lock (_lock)
        {
            _members = members;
            Rebuild();
        }
    }

    private Snapshot Rebuild()
    {
        lock (_lock)
        {
            var nodes = _cluster.KnownNodes;
            var announced = nodes.Values.Select(n => n.Address).ToHashSet();
            var everything = _members is null || _members.Any(address => !announced.Contains(address));
            var topics = nodes.Values.SelectMany(n => n.Topics)
                .Concat(_answered.Where(a => !_cluster.IsDeparted(a.Key.Value)).SelectMany(a => a.Value))
                .ToHashSet(StringComparer.Ordinal);
            var snapshot = new Snapshot(nodes, everything, topics);
            Volatile.Write(ref _snapshot, snapshot);
            return snapshot;
        }
    }

    /// <summary>What <see cref="MayReach"/> answers from, built for one version of the cluster's known nodes.</summary>
    private sealed record Snapshot(object? Nodes, bool Everything, HashSet<string> Topics);

    /// <summary>Follows membership: every other member, whatever its status, until it is removed.</summary>
    private sealed class MemberWatcher : ReceiveActor
    {
        private readonly RemoteReach _reach;
        private readonly Akka.Cluster.Cluster _akkaCluster = Akka.Cluster.Cluster.Get(Context.System);
        private ImmutableHashSet<Address> _members = [];

        public MemberWatcher(RemoteReach reach)
        {
            _reach = reach;
            Receive<ClusterEvent.CurrentClusterState>(state =>
                Set(state.Members.Select(m => m.Address).Concat(state.Unreachable.Select(m => m.Address)).ToImmutableHashSet()));
            Receive<ClusterEvent.MemberRemoved>(removed => Set(_members.Remove(removed.Member.Address)));
            Receive<ClusterEvent.IMemberEvent>(e => Set(_members.Add(e.Member.Address)));
        }

        protected override void PreStart() =>
            _akkaCluster.Subscribe(Self, ClusterEvent.SubscriptionInitialStateMode.InitialStateAsSnapshot, typeof(ClusterEvent.IMemberEvent));

        protected override void PostStop() => _akkaCluster.Unsubscribe(Self);

        private void Set(ImmutableHashSet<Address> members)
        {
            _members = members.Remove(_akkaCluster.SelfAddress);
            _reach.SetMembers(_members);
        }
    }
}
