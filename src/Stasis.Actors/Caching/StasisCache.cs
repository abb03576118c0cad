using System.Collections.Concurrent;
using Akka.Event;
using Stasis.Actors.Internal;

namespace Stasis.Actors;

/// <summary>
/// The latest snapshot per (message type, id, node EID), filled by one or more <see cref="CachingTopic"/>s.
/// </summary>
/// <remarks>
/// <para><b>Ids.</b> The id function picks the id out of a message; a message it gives no id (null) is not cacheable.
/// A throwing id function is treated like null: the message is not cacheable, the failure is logged once per message
/// type and counted in <see cref="UncacheableCount"/>, and nothing else is disturbed.</para>
/// <para><b>Nodes.</b> Entries are kept per EID, taken from each message's <see cref="StasisMessage.Eid"/>: messages
/// from other nodes fill their own entries next to the local node's. <see cref="Get(MessageType, string)"/> reads
/// the local node's entry; the other queries read any node's.</para>
/// <para><b>Aggregates.</b> With a <see cref="CacheAggregate"/>, each change of an id recomputes the aggregate of its
/// snapshots over all nodes; when the aggregate's payload changes (by <see cref="object.Equals(object?)"/>), the
/// caching topic publishes an extra <see cref="CacheUpdate"/> whose <see cref="CacheUpdate.IsAggregate"/> is true.
/// A throwing aggregate function is logged and leaves the previous aggregate in place.</para>
/// <para><b>Threading.</b> Queries are lock-free, safe from any thread, and never wait for a caching topic; they see
/// each entry either before or after a change, never half-changed. Writes (made by caching topics' handlers) of one
/// (type, id) are serialized by a short lock of that id only, never held while calling out except into the aggregate
/// function; writes of different ids never wait for each other. The id function is called outside any lock, possibly
/// from several caching topics at once.</para>
/// </remarks>
public sealed class StasisCache
{
    private const string UpdateTypeName = "stasis_cache_update_type";
    private const string ClearTypeName = "stasis_cache_clear_type";
    private const string PurgeTypeName = "stasis_cache_purge_type";

    private readonly Lock _tablesLock = new();
    private TypeTable?[] _tables = []; // by MessageType.Index; replaced (copy on write) when a type's table is added
    private readonly ConcurrentDictionary<MessageType, bool> _reportedUncacheable = new();
    private readonly Func<StasisMessage, string?> _idFunction;
    private readonly CacheAggregate? _aggregate;
    private long _uncacheable;
    private long _aggregatePublishFailures;

    /// <summary>Creates an empty cache.</summary>
    /// <param name="bus">The bus whose messages are cached.</param>
    /// <param name="idFunction">Gives the id of a cacheable message, or null for a message that is not cacheable.</param>
    /// <param name="aggregate">Combines one id's snapshots over all nodes; null for no aggregates.</param>
    /// <param name="aggregatePublish">Called with each new aggregate snapshot (Asterisk's <c>aggregate_publish_fn</c>);
    /// see <see cref="AggregatePublish"/>. Needs <paramref name="aggregate"/>.</param>
    /// <exception cref="ArgumentNullException"><paramref name="bus"/> or <paramref name="idFunction"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="aggregatePublish"/> is given without <paramref name="aggregate"/>.</exception>
    public StasisCache(StasisBus bus, Func<StasisMessage, string?> idFunction, CacheAggregate? aggregate = null, CacheAggregatePublish? aggregatePublish = null)
    {
        ArgumentNullException.ThrowIfNull(bus);
        ArgumentNullException.ThrowIfNull(idFunction);
        if (aggregatePublish is not null && aggregate is null)
            throw new ArgumentException("An aggregate publish callback needs an aggregate function.", nameof(aggregatePublish));
        Bus = bus;
        _idFunction = idFunction;
        _aggregate = aggregate;
        AggregatePublish = aggregatePublish;
    }

    /// <summary>
    /// Called by a caching topic with each new aggregate snapshot (not when the aggregate becomes null), after the
    /// aggregate <see cref="CacheUpdate"/> was published, on the publisher's thread, with the caching topic's upstream
    /// topic: typically it publishes the aggregate there. A message published back that is the current aggregate of its
    /// entry is not cached again. A throwing callback is logged and counted (<see cref="AggregatePublishFailures"/>).
    /// </summary>
    public CacheAggregatePublish? AggregatePublish { get; }

    /// <summary>Calls of <see cref="AggregatePublish"/> that threw.</summary>
    public long AggregatePublishFailures => Volatile.Read(ref _aggregatePublishFailures);

    /// <summary>The bus whose messages are cached.</summary>
    public StasisBus Bus { get; }

    /// <summary>True when the cache computes aggregates across nodes.</summary>
    public bool HasAggregate => _aggregate is not null;

    /// <summary>Messages seen by a caching topic that were not cacheable (no id, or a throwing id function).</summary>
    public long UncacheableCount => Volatile.Read(ref _uncacheable);

    /// <summary>The message type of <see cref="CacheUpdate"/>s on <paramref name="bus"/> (<c>stasis_cache_update_type</c>).</summary>
    public static MessageType<CacheUpdate> UpdateType(StasisBus bus)
    {
        ArgumentNullException.ThrowIfNull(bus);
        return bus.CreateMessageType<CacheUpdate>(UpdateTypeName);
    }

    /// <summary>The message type of <see cref="CacheClear"/>s on <paramref name="bus"/> (<c>stasis_cache_clear_type</c>).</summary>
    public static MessageType<CacheClear> ClearType(StasisBus bus)
    {
        ArgumentNullException.ThrowIfNull(bus);
        return bus.CreateMessageType<CacheClear>(ClearTypeName);
    }

    /// <summary>
    /// The message type of <see cref="CachePurge"/>s (<c>stasis_cache_purge_type</c>): a caching topic that receives one
    /// removes every entry of the message's EID, in its queue's order (after that node's messages queued before it).
    /// </summary>
    internal static MessageType<CachePurge> PurgeType(StasisBus bus) => bus.CreateMessageType<CachePurge>(PurgeTypeName);

    /// <summary>
    /// Creates a caching topic that subscribes to <paramref name="upstream"/> and keeps this cache up to date; see
    /// <see cref="CachingTopic"/>. Several caching topics may share one cache.
    /// </summary>
    /// <param name="upstream">The topic whose messages are cached.</param>
    /// <param name="name">The name of the caching topic's own topic; <c>&lt;upstream&gt;-cached</c> when null.</param>
    /// <exception cref="ArgumentException"><paramref name="upstream"/> belongs to another bus.</exception>
    /// <exception cref="ObjectDisposedException"><paramref name="upstream"/> was destroyed.</exception>
    public CachingTopic CreateCachingTopic(Topic upstream, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(upstream);
        if (upstream.Bus != Bus)
            throw new ArgumentException("The upstream topic must belong to the cache's bus.", nameof(upstream));
        return new CachingTopic(this, upstream, name ?? upstream.Name + "-cached");
    }

    /// <summary>The local node's snapshot of (<paramref name="type"/>, <paramref name="id"/>), or null.</summary>
    public StasisMessage? Get(MessageType type, string id) => Get(type, id, Bus.Eid);

    /// <summary>Node <paramref name="eid"/>'s snapshot of (<paramref name="type"/>, <paramref name="id"/>), or null.</summary>
    public StasisMessage? Get(MessageType type, string id, EntityId eid) =>
        Find(type, id)?.Find(eid);

    /// <summary>Every node's snapshot of (<paramref name="type"/>, <paramref name="id"/>), the local node's first; empty when none.</summary>
    public IReadOnlyList<StasisMessage> GetAll(MessageType type, string id) =>
        Find(type, id) is { } entry ? entry.Snapshots : [];

    /// <summary>The aggregate snapshot of (<paramref name="type"/>, <paramref name="id"/>), or null (none, or no aggregate function).</summary>
    public StasisMessage? GetAggregate(MessageType type, string id) => Find(type, id)?.Aggregate;

    /// <summary>Every snapshot of <paramref name="type"/>, of every node; empty for a type never cached.</summary>
    public IReadOnlyList<StasisMessage> Dump(MessageType type) =>
        Entries(type).SelectMany(static e => e.Snapshots).ToList();

    /// <summary>Every snapshot of <paramref name="type"/> made by node <paramref name="eid"/>; empty for a type never cached.</summary>
    public IReadOnlyList<StasisMessage> Dump(MessageType type, EntityId eid) =>
        Entries(type).Select(e => e.Find(eid)).OfType<StasisMessage>().ToList();

    /// <summary>Every snapshot of every type, of every node (Asterisk's <c>stasis_cache_dump_all(cache, NULL)</c>).</summary>
    public IReadOnlyList<StasisMessage> DumpAll() => AllEntries().SelectMany(static e => e.Snapshots).ToList();

    /// <summary>Every snapshot of every type made by node <paramref name="eid"/> (<c>stasis_cache_dump_by_eid(cache, NULL, eid)</c>).</summary>
    public IReadOnlyList<StasisMessage> DumpAll(EntityId eid) => AllEntries().Select(e => e.Find(eid)).OfType<StasisMessage>().ToList();

    /// <summary>Every aggregate snapshot of <paramref name="type"/>; empty without an aggregate function.</summary>
    public IReadOnlyList<StasisMessage> DumpAggregates(MessageType type) =>
        Entries(type).Select(static e => e.Aggregate).OfType<StasisMessage>().ToList();

    /// <summary>
    /// The id of <paramref name="message"/>, or null when it is not cacheable (counted; a null id or a throwing id
    /// function is logged once per message type).
    /// </summary>
    internal string? IdOf(StasisMessage message)
    {
        string? id;
        Exception? failure = null;
        try
        {
            id = _idFunction(message);
        }
        catch (Exception ex)
        {
            id = null;
            failure = ex;
        }
        if (id is not null)
            return id;
        Interlocked.Increment(ref _uncacheable);
        if (_reportedUncacheable.TryAdd(message.Type, true))
        {
            if (failure is null)
                Bus.Diagnostics.Log.Debug("Cache: messages of type {0} have no id and are not cached", message.Type.Name);
            else
                Bus.Diagnostics.Log.Warning("Cache: the id function threw on a {0} message; messages it fails on are not cached (logged once per type): {1}", message.Type.Name, failure);
        }
        return null;
    }

    /// <summary>True when <paramref name="message"/> is the current aggregate snapshot of its (type, <paramref name="id"/>) entry.</summary>
    internal bool IsAggregate(StasisMessage message, string id) =>
        _aggregate is not null && ReferenceEquals(FindTable(message.Type)?.GetValueOrDefault(id)?.Aggregate, message);

    /// <summary>Hands a new aggregate snapshot to <see cref="AggregatePublish"/>; a failure is logged and counted, never thrown.</summary>
    internal void PublishAggregate(Topic upstream, StasisMessage aggregate)
    {
        if (AggregatePublish is not { } publish)
            return;
        try
        {
            publish(upstream, aggregate);
        }
        catch (Exception ex)
        {
            Interlocked.Increment(ref _aggregatePublishFailures);
            Bus.Diagnostics.Log.Error(ex, "Cache: the aggregate publish callback threw for {0} on topic {1}", aggregate.Type.Name, upstream.Name);
        }
    }

    /// <summary>
    /// Stores <paramref name="snapshot"/> as its node's entry for <paramref name="id"/>; returns the update, and in
    /// <paramref name="aggregateUpdate"/> the aggregate update when the aggregate changed.
    /// </summary>
    internal CacheUpdate Put(StasisMessage snapshot, string id, out CacheUpdate? aggregateUpdate)
    {
        var byId = TableFor(snapshot.Type);
        while (true)
        {
            var entry = byId.GetOrAdd(id, static _ => new CacheEntry());
            lock (entry)
            {
                if (entry.IsRemoved)
                    continue;
                var old = entry.Set(snapshot, Bus.Eid);
                aggregateUpdate = AfterChange(byId, snapshot.Type, id, entry);
                return new CacheUpdate(snapshot.Type, id, snapshot.Eid, old, snapshot);
            }
        }
    }

    /// <summary>
    /// The id table of <paramref name="type"/> (a type of this bus: snapshots reach the cache only through its topics),
    /// made on first use. Every update looks it up: an array indexed by the type's index answers without hashing (a
    /// table, once made, is never replaced, so a stale array is only a miss).
    /// </summary>
    private ConcurrentDictionary<string, CacheEntry> TableFor(MessageType type)
    {
        if (FindTable(type) is { } known)
            return known;
        lock (_tablesLock)
        {
            if (FindTable(type) is { } made)
                return made;
            var tables = _tables;
            var grown = new TypeTable?[Math.Max(tables.Length, type.Index + 1)];
            Array.Copy(tables, grown, tables.Length);
            var table = new ConcurrentDictionary<string, CacheEntry>(StringComparer.Ordinal);
            grown[type.Index] = new TypeTable(type, table);
            Volatile.Write(ref _tables, grown);
            return table;
        }
    }

    /// <summary>The id table of <paramref name="type"/>, or null (none made yet, or a type of another bus).</summary>
    private ConcurrentDictionary<string, CacheEntry>? FindTable(MessageType type)
    {
        var tables = Volatile.Read(ref _tables);
        return type.Index < tables.Length && tables[type.Index] is { } entry && ReferenceEquals(entry.Type, type) ? entry.ById : null;
    }

    /// <summary>
    /// Removes node <paramref name="eid"/>'s entry for (<paramref name="type"/>, <paramref name="id"/>); returns the
    /// update, or null when there was no such entry; <paramref name="aggregateUpdate"/> as for <see cref="Put"/>.
    /// </summary>
    internal CacheUpdate? Remove(MessageType type, string id, EntityId eid, out CacheUpdate? aggregateUpdate)
    {
        aggregateUpdate = null;
        if (FindTable(type) is not { } byId)
            return null;
        while (byId.TryGetValue(id, out var entry))
        {
            lock (entry)
            {
                if (entry.IsRemoved)
                    continue;
                if (entry.Remove(eid) is not { } old)
                    return null;
                aggregateUpdate = AfterChange(byId, type, id, entry);
                return new CacheUpdate(type, id, eid, old, null);
            }
        }
        return null;
    }

    /// <summary>
    /// After a change of <paramref name="entry"/> (under its lock): recomputes its aggregate when the cache has an
    /// aggregate function, then takes the entry out of <paramref name="byId"/> when it is empty.
    /// </summary>
    private CacheUpdate? AfterChange(ConcurrentDictionary<string, CacheEntry> byId, MessageType type, string id, CacheEntry entry)
    {
        CacheUpdate? update = null;
        if (_aggregate is not null)
        {
            var previous = entry.Aggregate;
            var computed = Aggregate(type, id, entry.Snapshots, previous);
            if (!Equals(computed?.Data, previous?.Data))
            {
                entry.Aggregate = computed;
                update = new CacheUpdate(type, id, null, previous, computed);
            }
        }
        if (entry.IsEmpty)
        {
            entry.MarkRemoved();
            byId.TryRemove(new KeyValuePair<string, CacheEntry>(id, entry));
        }
        return update;
    }

    private StasisMessage? Aggregate(MessageType type, string id, IReadOnlyList<StasisMessage> snapshots, StasisMessage? previous)
    {
        try
        {
            return _aggregate!(id, snapshots);
        }
        catch (Exception ex)
        {
            Bus.Diagnostics.Log.Error(ex, "Cache: the aggregate function threw for {0}/{1}; the previous aggregate is kept", type.Name, id);
            return previous;
        }
    }

    private CacheEntry? Find(MessageType type, string id)
    {
        ArgumentNullException.ThrowIfNull(type);
        ArgumentNullException.ThrowIfNull(id);
        return FindTable(type)?.GetValueOrDefault(id);
    }

    private IEnumerable<CacheEntry> Entries(MessageType type)
    {
        ArgumentNullException.ThrowIfNull(type);
        // Enumerating (unlike .Values) takes no lock.
        return FindTable(type) is { } byId ? byId.Select(static p => p.Value) : [];
    }

    private IEnumerable<CacheEntry> AllEntries() =>
        Volatile.Read(ref _tables).OfType<TypeTable>().SelectMany(static t => t.ById.Select(static p => p.Value));

    /// <summary>One message type's entries, by id.</summary>
    private sealed record TypeTable(MessageType Type, ConcurrentDictionary<string, CacheEntry> ById);
}
