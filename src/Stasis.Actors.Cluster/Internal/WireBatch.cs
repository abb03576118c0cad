namespace Stasis.Actors.Cluster.Internal;

/// <summary>
/// Several envelopes of one origin node on one clustered topic, in publish order, published as one DistributedPubSub
/// message on <c>stasis/&lt;Topic&gt;</c> (written by <see cref="Serialization.StasisBatchSerializer"/>). The receiving
/// bridge handles them one by one, in order, as if they had come one at a time.
/// </summary>
internal sealed class WireBatch(string topic, string eid, WireEnvelope[] envelopes)
{
    /// <summary>The clustered topic's name (every envelope's <see cref="WireEnvelope.Topic"/>).</summary>
    public string Topic { get; } = topic;

    /// <summary>The origin node's EID (every envelope's <see cref="WireEnvelope.Eid"/>).</summary>
    public string Eid { get; } = eid;

    /// <summary>The envelopes, in the order the origin node published them.</summary>
    public WireEnvelope[] Envelopes { get; } = envelopes;

    /// <summary>
    /// The serialized form, kept by the serializer the first time it writes the batch: remoting writes a batch once per
    /// receiving node, and every node gets the same bytes (two threads may both compute it; either result is the same).
    /// </summary>
    internal byte[]? Bytes { get; set; }
}
