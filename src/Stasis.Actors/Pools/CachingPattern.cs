
namespace Stasis.Actors;

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
/// <para>On request, an object also gets a cached topic of its own (<see cref="GetCachedTopic"/>,
/// <c>channel:all-cached/&lt;object id&gt;</c>, Asterisk's <c>stasis_cp_single_topic_cached</c>) carrying only that
/// object's cache updates; and a sink (<see cref="CreateSink"/>, <c>stasis_cp_sink_create</c>) is a topic forwarding to
/// <see cref="All"/> whose messages are never cached.</para>
/// <para>Ordering: one thread's messages keep their order on every one of these topics; cache updates follow the order
/// of <see cref="All"/>. Threading: see <see cref="TopicPool"/> and <see cref="CachingTopic"/>; every member is
/// thread-safe and never blocks.</para>
/// </remarks>
public sealed class CachingPattern : IDisposable
{
    private readonly Dictionary<string, (Topic Origin, Topic Cached)> _cachedTopics = new(StringComparer.Ordinal);

    /// <summary>Creates the topics, the cache and the caching topic.</summary>
    /// <param name="bus">The bus.</param>
    /// <param name="prefix">The name prefix of the topics, e.g. <c>channel</c>.</param>
    /// <param name="idFunction">The cache's id function (see <see cref="StasisCache"/>).</param>
    /// <param name="aggregate">The cache's aggregate function, or null.</param>
    /// <param name="aggregatePublish">The cache's aggregate publish callback, or null (see <see cref="StasisCache.AggregatePublish"/>).</param>
    public CachingPattern(StasisBus bus, string prefix, Func<StasisMessage, string?> idFunction, CacheAggregate? aggregate = null,
        CacheAggregatePublish? aggregatePublish = null)
    {
        ArgumentNullException.ThrowIfNull(bus);
        if (string.IsNullOrWhiteSpace(prefix))
            throw new ArgumentException("A caching pattern prefix must not be null, empty or white space.", nameof(prefix));
        All = bus.CreateTopic(prefix + ":all", $"all {prefix} messages");
        Cache = new StasisCache(bus, idFunction, aggregate, aggregatePublish);
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

    /// <summary>
    /// The cached topic of object <paramref name="objectId"/>, made (with the object's topic) on first use: it carries the
    /// <see cref="CacheUpdate"/>s of the messages published on the object's topic, as they also come out on
    /// <see cref="AllCached"/>; a subscriber of one object's updates needs no filter.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="objectId"/> is null, empty or white space.</exception>
    public Topic GetCachedTopic(string objectId)
    {
        var topic = GetTopic(objectId);
        lock (_cachedTopics)
        {
            if (_cachedTopics.TryGetValue(objectId, out var known) && ReferenceEquals(known.Origin, topic) && !known.Cached.IsDestroyed)
                return known.Cached;
            var cached = All.Bus.CreateTopic($"{AllCached.Topic.Name}/{objectId}", $"cache updates of {topic.Name}");
            cached.MetricSeries = AllCached.Topic.Name + "/*";
            _cachedTopics[objectId] = (topic, cached);
            AllCached.SetOrigin(topic, cached);
            return cached;
        }
    }

    /// <summary>
    /// Makes a sink: the topic <paramref name="name"/>, forwarding to <see cref="All"/>, whose messages reach
    /// <see cref="All"/>'s subscribers but are never cached (Asterisk's <c>stasis_cp_sink_create</c>). Destroying the
    /// topic is the caller's.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="name"/> is null, empty or white space.</exception>
    public Topic CreateSink(string name)
    {
        var sink = All.Bus.CreateTopic(name, $"sink of {All.Name}");
        AllCached.SetOrigin(sink, null);
        sink.ForwardTo(All);
        return sink;
    }

    /// <summary>
    /// Deletes the topic of object <paramref name="objectId"/> and its cached topic, if any (whose subscribers get their
    /// final messages); its cache entries stay until cleared.
    /// </summary>
    public bool DeleteTopic(string objectId)
    {
        lock (_cachedTopics)
        {
            if (objectId is not null && _cachedTopics.Remove(objectId, out var known))
            {
                AllCached.RemoveOrigin(known.Origin);
                known.Cached.Destroy();
            }
        }
        return Topics.Delete(objectId!);
    }

    /// <summary>Deletes every object topic, then disposes the caching topic and destroys <see cref="All"/>. Idempotent.</summary>
    public void Dispose()
    {
        foreach (var objectId in Topics.Names)
            DeleteTopic(objectId);
        AllCached.Dispose();
        All.Destroy();
    }
}
