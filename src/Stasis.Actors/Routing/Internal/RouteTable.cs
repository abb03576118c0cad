using System.Collections.Immutable;
using Stasis.Actors.Caching;
using Stasis.Actors.Messages;
using Stasis.Actors.Topics;

namespace Stasis.Actors.Routing.Internal;

/// <summary>A route's target, with the payload already known to match the route; completes when the message is handled.</summary>
internal delegate ValueTask Route(Topic topic, StasisMessage message);

/// <summary>
/// An immutable dispatch table: routes by payload CLR type, cache-update routes by the payload CLR type of the
/// snapshot's message type, and a default route. A route for <c>T</c> also takes payloads derived from <c>T</c>
/// (the most derived route wins). Each table memoizes, per message type, the route it resolved; only the router's
/// serialized handler resolves, so the memo needs no lock.
/// </summary>
internal sealed class RouteTable
{
    public static readonly RouteTable Empty = new([], [], null);

    private readonly Dictionary<MessageType, Route?> _byMessageType = [];
    private readonly Dictionary<MessageType, Route?> _bySnapshotType = [];

    private RouteTable(ImmutableDictionary<Type, Route> byPayload, ImmutableDictionary<Type, Route> byCacheSnapshot, Route? defaultRoute)
    {
        ByPayload = byPayload;
        ByCacheSnapshot = byCacheSnapshot;
        Default = defaultRoute;
    }

    public ImmutableDictionary<Type, Route> ByPayload { get; }

    public ImmutableDictionary<Type, Route> ByCacheSnapshot { get; }

    public Route? Default { get; }

    public RouteTable WithRoute(Type payload, Route route) =>
        new(Add(ByPayload, payload, route, "a route"), ByCacheSnapshot, Default);

    public RouteTable WithoutRoute(Type payload) => new(ByPayload.Remove(payload), ByCacheSnapshot, Default);

    public RouteTable WithCacheRoute(Type snapshot, Route route) =>
        new(ByPayload, Add(ByCacheSnapshot, snapshot, route, "a cache-update route"), Default);

    public RouteTable WithoutCacheRoute(Type snapshot) => new(ByPayload, ByCacheSnapshot.Remove(snapshot), Default);

    public RouteTable WithDefault(Route? route) => new(ByPayload, ByCacheSnapshot, route);

    /// <summary>True when a (non-default) route takes messages of <paramref name="type"/>.</summary>
    public bool Routes(MessageType type, MessageType cacheUpdateType) =>
        Find(ByPayload, type.PayloadType) is not null || (ReferenceEquals(type, cacheUpdateType) && !ByCacheSnapshot.IsEmpty);

    /// <summary>The route for <paramref name="message"/>: its cache-update route, else its payload route, else the default.</summary>
    public Route? Resolve(StasisMessage message)
    {
        if (!ByCacheSnapshot.IsEmpty && message.Data is CacheUpdate update
            && Memo(_bySnapshotType, update.Type, ByCacheSnapshot) is { } cacheRoute)
            return cacheRoute;
        return Memo(_byMessageType, message.Type, ByPayload) ?? Default;
    }

    private static Route? Memo(Dictionary<MessageType, Route?> memo, MessageType type, ImmutableDictionary<Type, Route> routes)
    {
        if (!memo.TryGetValue(type, out var route))
            memo[type] = route = Find(routes, type.PayloadType);
        return route;
    }

    /// <summary>The route of <paramref name="type"/> or of its nearest base class, else of one of its interfaces.</summary>
    private static Route? Find(ImmutableDictionary<Type, Route> routes, Type type)
    {
        if (routes.IsEmpty)
            return null;
        for (var t = type; t is not null; t = t.BaseType)
        {
            if (routes.TryGetValue(t, out var route))
                return route;
        }
        return type.GetInterfaces().Select(i => routes.GetValueOrDefault(i)).FirstOrDefault(r => r is not null);
    }

    private static ImmutableDictionary<Type, Route> Add(ImmutableDictionary<Type, Route> routes, Type type, Route route, string what) =>
        routes.ContainsKey(type)
            ? throw new InvalidOperationException($"The router already has {what} for {type}; remove it first to replace it.")
            : routes.Add(type, route);
}
