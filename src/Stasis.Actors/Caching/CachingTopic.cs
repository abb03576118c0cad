using System.Collections.Immutable;
using Akka.Event;

namespace Stasis.Actors;

/// <summary>
/// Subscribes to an upstream topic, keeps a <see cref="StasisCache"/> up to date and publishes a
/// <see cref="CacheUpdate"/> on its own <see cref="Topic"/> for each change. Made by
/// <see cref="StasisCache.CreateCachingTopic"/>.
/// </summary>
/// <remarks>
/// <para><b>Current when <c>Publish</c> returns.</b> As in Asterisk since 12.0, the caching topic has no queue of its
/// own: its subscription to <see cref="Upstream"/> runs on each publisher's thread, before <c>Publish</c> returns, so
/// <c>cache.Get(...)</c> right after a publish sees the new snapshot, from any thread. The publisher pays for the
/// update (the id function, the cache write, the aggregate function and publishing the <see cref="CacheUpdate"/>,
/// which only queues it): cheaper than a hop through another actor, and it keeps the cache and the publish in step.
/// Updates of one caching topic are serialized (a lock of its subscription): two publishers never interleave inside
/// one update, and each publisher's updates follow its publish order. Keep id and aggregate functions short and
/// non-blocking: they run on publishers' threads.</para>
/// <para>For each upstream message: a cacheable message updates its node's entry and publishes a
/// <see cref="CacheUpdate"/> (then an aggregate one if the aggregate changed, and hands the new aggregate to the
/// cache's <see cref="StasisCache.AggregatePublish"/>); a <see cref="CacheClear"/> removes its entry and publishes an
/// update with no new snapshot (nothing when the entry did not exist); a <see cref="SubscriptionChange"/> is
/// published through unchanged; a message that is the current aggregate snapshot of its entry (published back by
/// <see cref="StasisCache.AggregatePublish"/>) is not cached again; any other message (no id) is dropped. A throwing
/// id or aggregate function is logged and counted and never reaches the publisher.</para>
/// <para><b>Filters</b> (<see cref="AcceptMessageType"/>, <see cref="DeclineMessageType"/>, <see cref="SetFilter"/>)
/// select which upstream types are cached, before any work on the publisher's thread.</para>
/// <para>The cache is written before the update is published, so a subscriber of <see cref="Topic"/> that queries
/// the cache on an update sees that update's state or a newer one.</para>
/// <para><see cref="Unsubscribe"/> stops following upstream (the cache keeps its entries and the topic stays);
/// <see cref="Dispose"/> also destroys <see cref="Topic"/>, whose subscribers then receive their final messages.
/// All members are thread-safe and never block, except the join, which is asynchronous.</para>
/// </remarks>
public sealed class CachingTopic : IDisposable, IAsyncDisposable
{
    private readonly MessageType<CacheUpdate> _updateType;
    private readonly MessageType<CacheClear> _clearType;
    private readonly MessageType<CachePurge> _purgeType;
    private ImmutableDictionary<Topic, Topic?> _origins = ImmutableDictionary<Topic, Topic?>.Empty; // see SetOrigin

    internal CachingTopic(StasisCache cache, Topic upstream, string name)
    {
        Cache = cache;
        Upstream = upstream;
        _updateType = StasisCache.UpdateType(cache.Bus);
        _clearType = StasisCache.ClearType(cache.Bus);
        _purgeType = StasisCache.PurgeType(cache.Bus);
        if (_updateType.IsDeclined)
            cache.Bus.Diagnostics.Log.Warning("Caching topic {0}: {1} is declined by configuration, so no cache update is published", name, _updateType.Name);
        Topic = cache.Bus.CreateTopic(name, $"cache of {upstream.Name}");
        Subscription = upstream.SubscribeInline(Handle, new SubscriptionOptions { Name = name });
    }

    /// <summary>The topic on which cache updates (and upstream subscription changes) are published.</summary>
    public Topic Topic { get; }

    /// <summary>The topic whose messages are cached.</summary>
    public Topic Upstream { get; }

    /// <summary>The cache this caching topic writes.</summary>
    public StasisCache Cache { get; }

    /// <summary>The subscription to <see cref="Upstream"/>.</summary>
    public Subscription Subscription { get; }

    /// <summary>True until <see cref="Unsubscribe"/> (or <see cref="Dispose"/>).</summary>
    public bool IsSubscribed => Subscription.IsSubscribed;

    /// <summary>
    /// Caches messages of <paramref name="type"/> and makes the filter selective: from now on only accepted types are
    /// cached (Asterisk's <c>stasis_caching_accept_message_type</c>). Cache clears and subscription changes stay accepted.
    /// </summary>
    public void AcceptMessageType(MessageType type)
    {
        ArgumentNullException.ThrowIfNull(type);
        Subscription.AcceptMessageType(_clearType);
        Subscription.AcceptMessageType(Cache.Bus.SubscriptionChangeType);
        Subscription.AcceptMessageType(type);
    }

    /// <summary>Never caches messages of <paramref name="type"/> from now on.</summary>
    public void DeclineMessageType(MessageType type) => Subscription.DeclineMessageType(type);

    /// <summary>
    /// Sets the filter's mode (Asterisk's <c>stasis_caching_set_filter</c>): <see cref="SubscriptionFilter.Default"/>
    /// caches every type again; <see cref="SubscriptionFilter.Selective"/> only the accepted ones.
    /// </summary>
    public void SetFilter(SubscriptionFilter filter)
    {
        Subscription.SetFilter(filter);
        if (filter == SubscriptionFilter.Selective)
        {
            Subscription.AcceptMessageType(_clearType);
            Subscription.AcceptMessageType(Cache.Bus.SubscriptionChangeType);
        }
    }

    /// <summary>Stops following <see cref="Upstream"/>: no message published after this returns is cached. Idempotent.</summary>
    public void Unsubscribe() => Subscription.Unsubscribe();

    /// <summary><see cref="Unsubscribe"/>s, then completes once the subscription's final message was handled (no cache write runs after).</summary>
    /// <param name="cancellationToken">Cancels the wait (not the unsubscription).</param>
    public Task UnsubscribeAndJoinAsync(CancellationToken cancellationToken = default) => Subscription.UnsubscribeAndJoinAsync(cancellationToken);

    /// <summary><see cref="Unsubscribe"/>s and destroys <see cref="Topic"/>. Idempotent.</summary>
    public void Dispose()
    {
        Unsubscribe();
        Topic.Destroy();
    }

    /// <summary>
    /// Unsubscribes, waits until no cache write runs any more (<see cref="UnsubscribeAndJoinAsync"/>), then
    /// destroys <see cref="Topic"/>, whose subscribers then receive their final messages.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        await UnsubscribeAndJoinAsync().ConfigureAwait(false);
        Topic.Destroy();
    }

    /// <inheritdoc />
    public override string ToString() => $"caching topic {Topic.Name} of {Upstream.Name}";

    /// <summary>
    /// Says what to do with messages published to <paramref name="origin"/> (a topic forwarding to <see cref="Upstream"/>):
    /// with a <paramref name="cachedTopic"/>, their cache updates are also published there (a per-object cached topic);
    /// with null, they are not cached at all (a sink). See <see cref="CachingPattern"/>.
    /// </summary>
    internal void SetOrigin(Topic origin, Topic? cachedTopic) =>
        ImmutableInterlocked.Update(ref _origins, static (map, entry) => map.RemoveRange(map.Keys.Where(t => t.IsDestroyed)).SetItem(entry.Key, entry.Value),
            new KeyValuePair<Topic, Topic?>(origin, cachedTopic));

    /// <summary>Forgets what <see cref="SetOrigin"/> said about <paramref name="origin"/>.</summary>
    internal void RemoveOrigin(Topic origin) => ImmutableInterlocked.Update(ref _origins, static (map, o) => map.Remove(o), origin);

    private void Handle(Subscription subscription, Topic origin, StasisMessage message)
    {
        var type = message.Type;
        Topic? also = null;
        if (!_origins.IsEmpty && _origins.TryGetValue(origin, out also) && also is null)
            return; // a sink: its messages reach the upstream's subscribers, not the cache
        if (ReferenceEquals(type, Cache.Bus.SubscriptionChangeType))
            PublishOwn(message, null);
        else if (ReferenceEquals(type, _clearType))
        {
            var clear = ((StasisMessage<CacheClear>)message).Payload;
            if (Cache.Remove(clear.Type, clear.Id, message.Eid, out var aggregate) is { } update)
                Publish(update, aggregate, message.Eid, also);
        }
        else if (ReferenceEquals(type, _purgeType))
            Purge(message.Eid);
        else if (Cache.IdOf(message) is { } id && !Cache.IsAggregate(message, id))
            Publish(Cache.Put(message, id, out var aggregate), aggregate, message.Eid, also);
    }

    /// <summary>Removes every entry of node <paramref name="eid"/>, publishing an update (no new snapshot) for each.</summary>
    private void Purge(EntityId eid)
    {
        var cleared = 0;
        foreach (var type in Cache.Bus.MessageTypes)
        {
            foreach (var snapshot in Cache.Dump(type, eid))
            {
                if (Cache.IdOf(snapshot) is { } id && Cache.Remove(type, id, eid, out var aggregate) is { } update)
                {
                    Publish(update, aggregate, eid, null);
                    cleared++;
                }
            }
        }
        Cache.Bus.Diagnostics.Log.Info("Node {0} left: cleared its {1} entries of {2}", eid, cleared, this);
    }

    private void Publish(CacheUpdate update, CacheUpdate? aggregate, EntityId eid, Topic? also)
    {
        PublishOwn(_updateType.CreateMessage(update, eid), also);
        if (aggregate is null)
            return;
        PublishOwn(_updateType.CreateMessage(aggregate), also);
        if (aggregate.NewSnapshot is { } snapshot)
            Cache.PublishAggregate(Upstream, snapshot);
    }

    /// <summary>Publishes on <see cref="Topic"/> and, when given, on a per-object cached topic.</summary>
    private void PublishOwn(StasisMessage? message, Topic? also)
    {
        if (message is null)
            return;
        PublishTo(Topic, message);
        if (also is not null)
            PublishTo(also, message);
    }

    private static void PublishTo(Topic topic, StasisMessage message)
    {
        if (topic.IsDestroyed)
            return;
        try
        {
            topic.Publish(message);
        }
        catch (ObjectDisposedException)
        {
            // Destroyed between the check and the publish: the topic is going away, nobody can receive it.
        }
    }
}

/// <summary>
/// Tells caching topics to remove every entry of the EID of the message carrying it (a node that left the cluster).
/// It travels through the upstream topic like the node's own messages, so it is handled after all of them.
/// </summary>
internal sealed record CachePurge
{
    public static readonly CachePurge Instance = new();
}
