
namespace Stasis.Actors.Cluster;

/// <summary>
/// Published on the local system topic (<c>stasis.cluster.system-topic</c>, type <c>stasis_cluster_node_joined</c>)
/// when this node learns a node's EID: another node that is up, or this node itself once it is up.
/// </summary>
/// <param name="Address">The node's Akka address, e.g. <c>akka.tcp://pbx@10.0.0.2:4053</c>.</param>
/// <param name="Eid">The node's EID: every message it creates carries it.</param>
public sealed record NodeJoined(string Address, EntityId Eid);

/// <summary>
/// Published on the local system topic (type <c>stasis_cluster_node_left</c>) as soon as a known node is leaving,
/// exiting, downed or removed (whichever this node sees first). Its cache entries are cleared by each tracked caching
/// topic once that topic has handled the node's last messages: the <see cref="CacheUpdate"/>s with no new
/// snapshot may arrive just after this message.
/// </summary>
/// <param name="Address">The node's Akka address.</param>
/// <param name="Eid">The node's EID.</param>
/// <param name="Reason">The membership change that made it leave: <c>Leaving</c>, <c>Exiting</c>, <c>Down</c> or <c>Removed</c>.</param>
public sealed record NodeLeft(string Address, EntityId Eid, string Reason);

/// <summary>A payload that cannot be written for the wire: publishing it on a clustered topic throws this.</summary>
/// <remarks>The message is then delivered nowhere, neither locally nor remotely.</remarks>
public sealed class PayloadSerializationException : Exception
{
    /// <summary>Creates the exception for a payload of <paramref name="payloadType"/>.</summary>
    public PayloadSerializationException(Type payloadType, string messageTypeName, Exception inner)
        : base($"Cannot serialize a payload of type {payloadType.FullName} (message type '{messageTypeName}') for the cluster: {inner.Message} " +
               "Payloads of clustered topics must be plain records the payload codec (stasis.cluster.payload-codec) can write: " +
               "public properties, no cycles, no Type, delegates or streams; with the json codec a converter can be registered in " +
               "StasisCluster.PayloadJsonOptions.", inner)
    {
        PayloadType = payloadType;
    }

    /// <summary>The CLR type of the payload that could not be serialized.</summary>
    public Type PayloadType { get; }
}

/// <summary>
/// <see cref="StasisCluster.PublishWithAckAsync"/> or <see cref="StasisCluster.WaitForSubscribersAsync(Topic, int, TimeSpan?, CancellationToken)"/>
/// timed out: some nodes did not answer.
/// </summary>
public sealed class ClusterAckTimeoutException : TimeoutException
{
    /// <summary>Creates the exception naming the nodes that did not answer.</summary>
    public ClusterAckTimeoutException(string topic, IReadOnlyCollection<string> missingNodes, TimeSpan timeout)
        : base($"Topic {topic}: no answer within {timeout} from node(s) {string.Join(", ", missingNodes)}.")
    {
        Topic = topic;
        MissingNodes = missingNodes;
    }

    /// <summary>The clustered topic's name.</summary>
    public string Topic { get; }

    /// <summary>The nodes (EID and address when known) that did not answer.</summary>
    public IReadOnlyCollection<string> MissingNodes { get; }
}
