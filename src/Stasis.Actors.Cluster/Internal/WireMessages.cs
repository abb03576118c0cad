namespace Stasis.Actors.Cluster.Internal;

/// <summary>Marker of the messages written by <see cref="Serialization.StasisWireSerializer"/> (bound in <c>stasis-cluster.conf</c>).</summary>
internal interface IWireMessage;

/// <summary>
/// One Stasis message on its way to the other nodes' bridges of <see cref="Topic"/>, published on the
/// DistributedPubSub topic <c>stasis/&lt;Topic&gt;</c>. The payload is already serialized (once, by the publisher).
/// </summary>
/// <param name="Topic">The clustered topic's name.</param>
/// <param name="MessageType">The message type's name; the receiving node must have a type of that name.</param>
/// <param name="TimestampTicks">The message's creation time (UTC ticks).</param>
/// <param name="Eid">The EID of the node that created the message.</param>
/// <param name="AckId">Non-zero when the sender waits for an acknowledgement (<see cref="WireAck"/>).</param>
/// <param name="IsProbe">True for a subscriber probe: acknowledged, never dispatched.</param>
/// <param name="Payload">The payload as written by the payload codec (<c>stasis.cluster.payload-codec</c>); empty for a probe.</param>
/// <param name="Sent">
/// When one publish was sent on several clustered topics (a topic forwarding into others): all of their names, in the
/// publisher's order, the same in each copy; empty otherwise. A receiving node lets each subscription get the message
/// from one copy only (see <c>Topic.DispatchRemote</c>).
/// </param>
internal sealed record WireEnvelope(string Topic, string MessageType, long TimestampTicks, string Eid, long AckId, bool IsProbe, byte[] Payload, string[] Sent) : IWireMessage;

/// <summary>A bridge's answer to an envelope with an <see cref="WireEnvelope.AckId"/>: it was queued for the local subscribers.</summary>
/// <param name="AckId">The envelope's ack id.</param>
/// <param name="Eid">The answering node's EID.</param>
internal sealed record WireAck(long AckId, string Eid) : IWireMessage;

/// <summary>A node's announcement to the directory of another node: its EID and the topics it clusters.</summary>
/// <param name="Eid">The sending node's EID.</param>
/// <param name="Topics">The names of the topics whose bridge is subscribed on the sending node.</param>
/// <param name="WantsReply">True when the receiver should answer with its own announcement.</param>
internal sealed record NodeHello(string Eid, string[] Topics, bool WantsReply) : IWireMessage;
