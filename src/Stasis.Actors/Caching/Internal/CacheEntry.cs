using System.Collections.ObjectModel;

namespace Stasis.Actors.Internal;

/// <summary>
/// One cached (type, id): its snapshot per node and their aggregate. Lives in its type's map from the first write of
/// the id until the write that leaves it empty.
/// </summary>
/// <remarks>
/// Readers read <see cref="Snapshots"/> and <see cref="Aggregate"/> without a lock; each is an immutable value that a
/// write replaces whole: a single node's snapshot is replaced by writing the new message, several nodes' snapshots by
/// a new array (copy-on-write for this id only). Writers lock the entry itself,
/// check <see cref="IsRemoved"/> (a removed entry is no longer in the map: look the id up again) and call
/// <see cref="Set"/>, <see cref="Remove"/>, <see cref="Aggregate"/>'s setter and <see cref="MarkRemoved"/> only while
/// holding that lock.
/// </remarks>
internal sealed class CacheEntry
{
    private static readonly StasisMessage[] None = [];

    // Null (no snapshot), one StasisMessage (one node: the common case, replaced without allocating), or a
    // StasisMessage[] of two or more, the local node's first, then the others ordered by EID.
    private object? _snapshots;
    private StasisMessage? _aggregate;

    /// <summary>The snapshots, one per node (each keyed by its own <see cref="StasisMessage.Eid"/>), the local node's first, then the others ordered by EID.</summary>
    public IReadOnlyList<StasisMessage> Snapshots => Volatile.Read(ref _snapshots) switch
    {
        StasisMessage one => [one],
        StasisMessage[] several => new ReadOnlyCollection<StasisMessage>(several),
        _ => None,
    };

    /// <summary>The aggregate snapshot, or null.</summary>
    public StasisMessage? Aggregate
    {
        get => Volatile.Read(ref _aggregate);
        set => Volatile.Write(ref _aggregate, value);
    }

    /// <summary>True once a write left the entry empty and took it out of the map (read and written under the entry's lock).</summary>
    public bool IsRemoved { get; private set; }

    /// <summary>True when the entry holds no snapshot and no aggregate.</summary>
    public bool IsEmpty => Volatile.Read(ref _snapshots) is null && Aggregate is null;

    /// <summary>Node <paramref name="eid"/>'s snapshot, or null.</summary>
    public StasisMessage? Find(EntityId eid)
    {
        switch (Volatile.Read(ref _snapshots))
        {
            case StasisMessage one:
                return one.Eid == eid ? one : null;
            case StasisMessage[] several:
                var index = IndexOf(several, eid);
                return index >= 0 ? several[index] : null;
            default:
                return null;
        }
    }

    /// <summary>Stores <paramref name="snapshot"/> as its node's snapshot; returns the one it replaced, or null.</summary>
    public StasisMessage? Set(StasisMessage snapshot, EntityId local)
    {
        var current = _snapshots;
        if (current is null || (current is StasisMessage one && one.Eid == snapshot.Eid))
        {
            Volatile.Write(ref _snapshots, snapshot);
            return (StasisMessage?)current;
        }
        var several = current as StasisMessage[] ?? [(StasisMessage)current];
        var index = IndexOf(several, snapshot.Eid);
        StasisMessage[] updated;
        StasisMessage? old = null;
        if (index >= 0)
        {
            old = several[index];
            // A new array and Array.Copy: several times cheaper than Array.Clone for these short arrays.
            updated = new StasisMessage[several.Length];
            Array.Copy(several, updated, several.Length);
            updated[index] = snapshot;
        }
        else
        {
            index = InsertionIndex(several, snapshot.Eid, local);
            updated = new StasisMessage[several.Length + 1];
            Array.Copy(several, updated, index);
            updated[index] = snapshot;
            Array.Copy(several, index, updated, index + 1, several.Length - index);
        }
        Volatile.Write(ref _snapshots, updated);
        return old;
    }

    /// <summary>Removes node <paramref name="eid"/>'s snapshot; returns it, or null when there was none.</summary>
    public StasisMessage? Remove(EntityId eid)
    {
        switch (_snapshots)
        {
            case StasisMessage one when one.Eid == eid:
                Volatile.Write(ref _snapshots, null);
                return one;
            case StasisMessage[] several when IndexOf(several, eid) is var index and >= 0:
                if (several.Length == 2)
                {
                    Volatile.Write(ref _snapshots, several[1 - index]);
                }
                else
                {
                    var updated = new StasisMessage[several.Length - 1];
                    Array.Copy(several, updated, index);
                    Array.Copy(several, index + 1, updated, index, several.Length - index - 1);
                    Volatile.Write(ref _snapshots, updated);
                }
                return several[index];
            default:
                return null;
        }
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
