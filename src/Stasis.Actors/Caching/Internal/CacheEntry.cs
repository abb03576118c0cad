using System.Collections.ObjectModel;
using Stasis.Actors.Messages;

namespace Stasis.Actors.Caching.Internal;

/// <summary>
/// One cached (type, id): its snapshot per node and their aggregate. Lives in its type's map from the first write of
/// the id until the write that leaves it empty.
/// </summary>
/// <remarks>
/// Readers read <see cref="Snapshots"/> and <see cref="Aggregate"/> without a lock; each is an immutable value that a
/// write replaces whole (the snapshots array is copied on write, for this id only). Writers lock the entry itself,
/// check <see cref="IsRemoved"/> (a removed entry is no longer in the map: look the id up again) and call
/// <see cref="Set"/>, <see cref="Remove"/>, <see cref="Aggregate"/>'s setter and <see cref="MarkRemoved"/> only while
/// holding that lock.
/// </remarks>
internal sealed class CacheEntry
{
    private StasisMessage[] _snapshots = [];
    private StasisMessage? _aggregate;

    /// <summary>The snapshots, one per node (each keyed by its own <see cref="StasisMessage.Eid"/>), the local node's first, then the others ordered by EID.</summary>
    public StasisMessage[] Snapshots => Volatile.Read(ref _snapshots);

    /// <summary>The aggregate snapshot, or null.</summary>
    public StasisMessage? Aggregate
    {
        get => Volatile.Read(ref _aggregate);
        set => Volatile.Write(ref _aggregate, value);
    }

    /// <summary>True once a write left the entry empty and took it out of the map (read and written under the entry's lock).</summary>
    public bool IsRemoved { get; private set; }

    /// <summary>True when the entry holds no snapshot and no aggregate.</summary>
    public bool IsEmpty => Snapshots.Length == 0 && Aggregate is null;

    /// <summary>The snapshots as a read-only list (no copy).</summary>
    public IReadOnlyList<StasisMessage> ReadOnlySnapshots => Snapshots is { Length: > 0 } snapshots ? new ReadOnlyCollection<StasisMessage>(snapshots) : [];

    /// <summary>Node <paramref name="eid"/>'s snapshot, or null.</summary>
    public StasisMessage? Find(EntityId eid)
    {
        foreach (var snapshot in Snapshots)
        {
            if (snapshot.Eid == eid)
                return snapshot;
        }
        return null;
    }

    /// <summary>Stores <paramref name="snapshot"/> as its node's snapshot; returns the one it replaced, or null.</summary>
    public StasisMessage? Set(StasisMessage snapshot, EntityId local)
    {
        var current = _snapshots;
        var index = IndexOf(current, snapshot.Eid);
        StasisMessage[] updated;
        StasisMessage? old = null;
        if (index >= 0)
        {
            old = current[index];
            // A new array and Array.Copy: several times cheaper than Array.Clone for these short arrays.
            updated = new StasisMessage[current.Length];
            Array.Copy(current, updated, current.Length);
            updated[index] = snapshot;
        }
        else
        {
            index = InsertionIndex(current, snapshot.Eid, local);
            updated = new StasisMessage[current.Length + 1];
            Array.Copy(current, updated, index);
            updated[index] = snapshot;
            Array.Copy(current, index, updated, index + 1, current.Length - index);
        }
        Volatile.Write(ref _snapshots, updated);
        return old;
    }

    /// <summary>Removes node <paramref name="eid"/>'s snapshot; returns it, or null when there was none.</summary>
    public StasisMessage? Remove(EntityId eid)
    {
        var current = _snapshots;
        var index = IndexOf(current, eid);
        if (index < 0)
            return null;
        var updated = new StasisMessage[current.Length - 1];
        Array.Copy(current, updated, index);
        Array.Copy(current, index + 1, updated, index, current.Length - index - 1);
        Volatile.Write(ref _snapshots, updated);
        return current[index];
    }

    /// <summary>Marks the entry removed from its map.</summary>
    public void MarkRemoved() => IsRemoved = true;

    private static int IndexOf(StasisMessage[] snapshots, EntityId eid)
    {
        for (var i = 0; i < snapshots.Length; i++)
        {
            if (snapshots[i].Eid == eid)
                return i;
        }
        return -1;
    }

    /// <summary>Where a new node's snapshot goes: first for the local node, else among the others by EID (ordinal).</summary>
    private static int InsertionIndex(StasisMessage[] snapshots, EntityId eid, EntityId local)
    {
        if (eid == local)
            return 0;
        var index = 0;
        while (index < snapshots.Length
               && (snapshots[index].Eid == local || string.CompareOrdinal(snapshots[index].Eid.Value, eid.Value) < 0))
            index++;
        return index;
    }
}
