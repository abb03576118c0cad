using Stasis.Actors.Caching;
using Stasis.Actors.Messages;
using Stasis.Actors.Topics;

namespace Stasis.Actors.Pools;

/// <summary>
/// The "all + one per object" pattern of a Stasis subsystem (Asterisk's <c>stasis_caching_pattern</c>), wired in one
/// call: an <see cref="All"/> topic, a cache with its caching topic <see cref="AllCached"/>, and a topic per object
/// (<see cref="GetTopic"/>) forwarding to <see cref="All"/>.
/// </summary>
/// <remarks>
/// <para>For a prefix <c>channel</c>: topics <c>channel:all</c>, <c>channel:all-cached</c> and
/// <c>channel:all/&lt;object id&gt;</c>. An object's snapshot published on its own topic reaches that topic's
/// subscribers and <see cref="All"/>'s (told the object's topic as original topic), updates <see cref="Cache"/>, and
/// comes out on <see cref="AllCached"/> as a <see cref="CacheUpdate"/>.</para>
/// <para>Ordering: one thread's messages keep their order on every one of these topics; cache updates follow the order
/// of <see cref="All"/>. Threading: see <see cref="TopicPool"/> and <see cref="CachingTopic"/>; every member is
/// thread-safe and never blocks.</para>
/// </remarks>
public sealed class CachingPattern : IDisposable
{
    /// <summary>Creates the topics, the cache and the caching topic.</summary>
    /// <param name="bus">The bus.</param>
    /// <param name="prefix">The name prefix of the topics, e.g. <c>channel</c>.</param>
    /// <param name="idFunction">The cache's id function (see <see cref="StasisCache"/>).</param>
    /// <param name="aggregate">The cache's aggregate function, or null.</param>
    public CachingPattern(StasisBus bus, string prefix, Func<StasisMessage, string?> idFunction, CacheAggregate? aggregate = null)
    {
        ArgumentNullException.ThrowIfNull(bus);
        if (string.IsNullOrWhiteSpace(prefix))
            throw new ArgumentException("A caching pattern prefix must not be null, empty or white space.", nameof(prefix));
        All = bus.CreateTopic(prefix + ":all", $"all {prefix} messages");
        Cache = new StasisCache(bus, idFunction, aggregate);
        AllCached = Cache.CreateCachingTopic(All, prefix + ":all-cached");
        Topics = new TopicPool(All);
    }

    /// <summary>Every object's messages.</summary>
    public Topic All { get; }

    /// <summary>The caching topic of <see cref="All"/>: its <see cref="CachingTopic.Topic"/> carries the cache updates.</summary>
    public CachingTopic AllCached { get; }

    /// <summary>The latest snapshot of every object.</summary>
    public StasisCache Cache { get; }

    /// <summary>The per-object topics.</summary>
    public TopicPool Topics { get; }

    /// <summary>The topic of object <paramref name="objectId"/>, made on first use.</summary>
    public Topic GetTopic(string objectId) => Topics.GetTopic(objectId);

    /// <summary>Deletes the topic of object <paramref name="objectId"/> (its cache entries stay until cleared).</summary>
    public bool DeleteTopic(string objectId) => Topics.Delete(objectId);

    /// <summary>Deletes every object topic, then disposes the caching topic and destroys <see cref="All"/>. Idempotent.</summary>
    public void Dispose()
    {
        Topics.Clear();
        AllCached.Dispose();
        All.Destroy();
    }
}
