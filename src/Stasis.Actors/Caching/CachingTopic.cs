using Akka.Event;
using Stasis.Actors.Messages;
using Stasis.Actors.Subscriptions;
using Stasis.Actors.Topics;

namespace Stasis.Actors.Caching;

/// <summary>
/// Subscribes to an upstream topic, keeps a <see cref="StasisCache"/> up to date and publishes a
/// <see cref="CacheUpdate"/> on its own <see cref="Topic"/> for each change. Made by
/// <see cref="StasisCache.CreateCachingTopic"/>.
/// </summary>
/// <remarks>
/// <para>For each upstream message, in upstream order (one subscription: ordered and serialized):
/// a cacheable message updates its node's entry and publishes a <see cref="CacheUpdate"/> (then an aggregate one if
/// the aggregate changed); a <see cref="CacheClear"/> removes its entry and publishes an update with no new snapshot
/// (nothing when the entry did not exist); a <see cref="SubscriptionChange"/> is published through unchanged; any
/// other message (no id) is dropped.</para>
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
        Subscription = upstream.Subscribe(Handle, new SubscriptionOptions { Name = name });
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

    /// <summary>Stops following <see cref="Upstream"/>: messages already queued are still cached. Idempotent.</summary>
    public void Unsubscribe() => Subscription.Unsubscribe();

    /// <summary><see cref="Unsubscribe"/>s, then completes once every queued upstream message was cached.</summary>
    /// <param name="cancellationToken">Cancels the wait (not the unsubscription).</param>
    public Task UnsubscribeAndJoinAsync(CancellationToken cancellationToken = default) => Subscription.UnsubscribeAndJoinAsync(cancellationToken);

    /// <summary><see cref="Unsubscribe"/>s and destroys <see cref="Topic"/>. Idempotent.</summary>
    public void Dispose()
    {
        Unsubscribe();
        Topic.Destroy();
    }

    /// <summary>
    /// Unsubscribes, waits until every queued upstream message was cached (<see cref="UnsubscribeAndJoinAsync"/>), then
    /// destroys <see cref="Topic"/>, whose subscribers then receive their final messages.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        await UnsubscribeAndJoinAsync().ConfigureAwait(false);
        Topic.Destroy();
    }

    /// <inheritdoc />
    public override string ToString() => $"caching topic {Topic.Name} of {Upstream.Name}";

    private void Handle(Subscription subscription, Topic origin, StasisMessage message)
    {
        var type = message.Type;
        if (ReferenceEquals(type, Cache.Bus.SubscriptionChangeType))
            PublishOwn(message);
        else if (ReferenceEquals(type, _clearType))
        {
            var clear = ((StasisMessage<CacheClear>)message).Payload;
            if (Cache.Remove(clear.Type, clear.Id, message.Eid, out var aggregate) is { } update)
                Publish(update, aggregate, message.Eid);
        }
        else if (ReferenceEquals(type, _purgeType))
            Purge(message.Eid);
        else if (Cache.IdOf(message) is { } id)
            Publish(Cache.Put(message, id, out var aggregate), aggregate, message.Eid);
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
                    Publish(update, aggregate, eid);
                    cleared++;
                }
            }
        }
        Cache.Bus.Diagnostics.Log.Info("Node {0} left: cleared its {1} entries of {2}", eid, cleared, this);
    }

    private void Publish(CacheUpdate update, CacheUpdate? aggregate, EntityId eid)
    {
        PublishOwn(_updateType.CreateMessage(update, eid));
        if (aggregate is not null)
            PublishOwn(_updateType.CreateMessage(aggregate));
    }

    private void PublishOwn(StasisMessage? message)
    {
        if (message is null || Topic.IsDestroyed)
            return;
        try
        {
            Topic.Publish(message);
        }
        catch (ObjectDisposedException)
        {
            // Disposed between the check and the publish: the caching topic is going away, nobody can receive it.
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
