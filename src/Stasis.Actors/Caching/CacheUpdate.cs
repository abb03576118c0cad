
namespace Stasis.Actors;

/// <summary>
/// The payload a <see cref="CachingTopic"/> publishes on its own topic each time an entry of its
/// <see cref="StasisCache"/> changes. Its message type is <see cref="StasisCache.UpdateType"/>.
/// </summary>
/// <remarks>
/// <para>A per-node update (<see cref="IsAggregate"/> false) reports one (type, id, <see cref="Eid"/>) entry: created
/// (<see cref="OldSnapshot"/> null), updated (both set) or cleared (<see cref="NewSnapshot"/> null).</para>
/// <para>An aggregate update (<see cref="IsAggregate"/> true, <see cref="Eid"/> null) follows a per-node update when the
/// cache's <see cref="CacheAggregate"/> gave a different aggregate snapshot for the id; its snapshots are the old and
/// new aggregate messages.</para>
/// <para>A <see cref="MessageRouter"/> routes cache updates by the payload type of <see cref="Type"/>.</para>
/// </remarks>
/// <param name="Type">The message type of the cached snapshots (the cache key's type).</param>
/// <param name="Id">The id the cache's id function gave the snapshot.</param>
/// <param name="Eid">The node whose entry changed; null for an aggregate update.</param>
/// <param name="OldSnapshot">The snapshot before the change, or null when there was none.</param>
/// <param name="NewSnapshot">The snapshot after the change, or null when the entry was cleared.</param>
public sealed record CacheUpdate(MessageType Type, string Id, EntityId? Eid, StasisMessage? OldSnapshot, StasisMessage? NewSnapshot)
{
    /// <summary>True for an update of the aggregate across nodes (see <see cref="StasisCache"/>).</summary>
    public bool IsAggregate => Eid is null;

    /// <inheritdoc />
    public override string ToString() =>
        $"{(IsAggregate ? "aggregate " : "")}{Type.Name}/{Id}@{Eid}: {OldSnapshot?.Data ?? "none"} -> {NewSnapshot?.Data ?? "none"}";
}

/// <summary>
/// A command published on a caching topic's upstream topic: remove the entry (<see cref="Type"/>, <see cref="Id"/>)
/// of the node that created this message (its <see cref="StasisMessage.Eid"/>). Its message type is
/// <see cref="StasisCache.ClearType"/>.
/// </summary>
/// <remarks>
/// The caching topic publishes a <see cref="CacheUpdate"/> with a null <see cref="CacheUpdate.NewSnapshot"/>. Clearing an
/// id the cache does not hold changes nothing and publishes nothing.
/// </remarks>
/// <param name="Type">The message type of the entry to remove.</param>
/// <param name="Id">The id of the entry to remove.</param>
public sealed record CacheClear(MessageType Type, string Id);

/// <summary>
/// Combines the snapshots of one id from every node (the local node's first) into one aggregate snapshot, or null
/// for none. Called by the writer of the cache (a caching topic's handler) after each change of that id.
/// </summary>
/// <param name="id">The id whose snapshots changed.</param>
/// <param name="snapshots">The id's snapshots, one per node, the local node's first; empty when the last was cleared.</param>
/// <returns>The aggregate snapshot, or null.</returns>
public delegate StasisMessage? CacheAggregate(string id, IReadOnlyList<StasisMessage> snapshots);

/// <summary>
/// Publishes a new aggregate snapshot (Asterisk's <c>cache_aggregate_publish_fn</c>): see <see cref="StasisCache.AggregatePublish"/>.
/// </summary>
/// <param name="upstream">The caching topic's upstream topic, where aggregates are usually published.</param>
/// <param name="aggregate">The new aggregate snapshot.</param>
public delegate void CacheAggregatePublish(Topic upstream, StasisMessage aggregate);
