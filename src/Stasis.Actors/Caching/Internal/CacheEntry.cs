using System.Collections.Immutable;
using Stasis.Actors.Messages;

namespace Stasis.Actors.Caching.Internal;

/// <summary>One cached id: its snapshot per node and their aggregate. Immutable: a change swaps the whole entry.</summary>
internal sealed class CacheEntry
{
    public static readonly CacheEntry Empty = new(ImmutableDictionary<EntityId, StasisMessage>.Empty, null);

    public CacheEntry(ImmutableDictionary<EntityId, StasisMessage> snapshots, StasisMessage? aggregate)
    {
        Snapshots = snapshots;
        Aggregate = aggregate;
    }

    public ImmutableDictionary<EntityId, StasisMessage> Snapshots { get; }

    public StasisMessage? Aggregate { get; }

    public bool IsEmpty => Snapshots.IsEmpty && Aggregate is null;

    /// <summary>The snapshots, the <paramref name="local"/> node's first, then the others ordered by EID.</summary>
    public List<StasisMessage> Ordered(EntityId local)
    {
        var list = new List<StasisMessage>(Snapshots.Count);
        if (Snapshots.TryGetValue(local, out var own))
            list.Add(own);
        list.AddRange(Snapshots.Where(p => p.Key != local).OrderBy(p => p.Key.Value, StringComparer.Ordinal).Select(p => p.Value));
        return list;
    }
}

/// <summary>What one write changed: the per-node update, and the aggregate update when the aggregate changed.</summary>
internal sealed record CacheChange(CacheUpdate Update, CacheUpdate? AggregateUpdate);
