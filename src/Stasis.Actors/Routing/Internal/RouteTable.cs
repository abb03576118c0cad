using System.Collections.Immutable;

namespace Stasis.Actors.Internal;

/// <summary>A route's target, with the payload already known to match the route; completes when the message is handled.</summary>
internal delegate ValueTask Route(Topic topic, StasisMessage message);

/// <summary>
/// An immutable dispatch table. Routes are keyed by a <see cref="MessageType"/> (that type only) or by a payload CLR
/// <see cref="Type"/> (that type and types derived from it; the most derived route wins); cache-update routes likewise
/// by the message type, or the payload CLR type, of the update's snapshots. Precedence: a cache-update route, then the
/// route of the message type, then of the most derived payload CLR type, then the default route. Each table memoizes,
/// per message type, the route it resolved; only the router's serialized handler resolves, so the memo needs no lock.
/// </summary>
internal sealed class RouteTable
{
    public static readonly RouteTable Empty = new(ImmutableDictionary<object, Route>.Empty, ImmutableDictionary<object, Route>.Empty, null, false, MessageFormatters.None);

    private readonly Dictionary<MessageType, Route?> _memo = [];
    private readonly Dictionary<MessageType, Route?> _cacheMemo = [];

    private RouteTable(ImmutableDictionary<object, Route> routes, ImmutableDictionary<object, Route> cacheRoutes, Route? defaultRoute,
        bool defaultFilters, MessageFormatters formatters)
    {
        Routes = routes;
        CacheRoutes = cacheRoutes;
        Default = defaultRoute;
        DefaultFilters = defaultFilters;
        Formatters = formatters;
    }

    /// <summary>Routes by <see cref="MessageType"/> or by payload CLR <see cref="Type"/>.</summary>
    public ImmutableDictionary<object, Route> Routes { get; }

    /// <summary>Cache-update routes by the snapshots' <see cref="MessageType"/> or payload CLR <see cref="Type"/>.</summary>
    public ImmutableDictionary<object, Route> CacheRoutes { get; }

    public Route? Default { get; }

    /// <summary>True when the default route takes only what the filter lets through (a formatters default).</summary>
    public bool DefaultFilters { get; }

    /// <summary>Formatters whose message types the router accepts without a route for them.</summary>
    public MessageFormatters Formatters { get; }

    /// <summary>True when the router's subscription must filter (no default route, or a formatters default).</summary>
    public bool Filtering => Default is null || DefaultFilters;

    public RouteTable WithRoute(object key, Route route) => new(Add(Routes, key, route, "a route"), CacheRoutes, Default, DefaultFilters, Formatters);

    public RouteTable WithoutRoute(object key) => new(Routes.Remove(key), CacheRoutes, Default, DefaultFilters, Formatters);

    public RouteTable WithCacheRoute(object key, Route route) =>
        new(Routes, Add(CacheRoutes, key, route, "a cache-update route"), Default, DefaultFilters, Formatters);

    public RouteTable WithoutCacheRoute(object key) => new(Routes, CacheRoutes.Remove(key), Default, DefaultFilters, Formatters);

    /// <summary>A default route taking every message (no filtering), or none.</summary>
    public RouteTable WithDefault(Route? route) => new(Routes, CacheRoutes, route, false, Formatters);

    /// <summary>A default route for what the filter lets through, which also accepts <paramref name="formatters"/>.</summary>
    public RouteTable WithFormattersDefault(Route route, MessageFormatters formatters) => new(Routes, CacheRoutes, route, true, formatters);

    public RouteTable WithFormatters(MessageFormatters formatters) => new(Routes, CacheRoutes, Default, DefaultFilters, formatters);

    /// <summary>True when the filter must let messages of <paramref name="type"/> through: a route or an accepted formatter takes them.</summary>
    public bool Takes(MessageType type, MessageType cacheUpdateType) =>
        Find(Routes, type) is not null
        || (ReferenceEquals(type, cacheUpdateType) && !CacheRoutes.IsEmpty)
        || (Formatters & type.AvailableFormatters) != 0;

    /// <summary>The route for <paramref name="message"/> (see the class's precedence), else null.</summary>
    public Route? Resolve(StasisMessage message)
    {
        if (!CacheRoutes.IsEmpty && message.Data is CacheUpdate update && Memo(_cacheMemo, update.Type, CacheRoutes) is { } cacheRoute)
            return cacheRoute;
        return Memo(_memo, message.Type, Routes) ?? Default;
    }

    private static Route? Memo(Dictionary<MessageType, Route?> memo, MessageType type, ImmutableDictionary<object, Route> routes)
    {
        if (!memo.TryGetValue(type, out var route))
            memo[type] = route = Find(routes, type);
        return route;
    }

    /// <summary>The route of <paramref name="type"/> itself, else of its payload type, nearest base class or one of its interfaces.</summary>
    private static Route? Find(ImmutableDictionary<object, Route> routes, MessageType type)
    {
        if (routes.IsEmpty)
            return null;
        if (routes.TryGetValue(type, out var byType))
            return byType;
        for (var t = type.PayloadType; t is not null; t = t.BaseType)
        {
            if (routes.TryGetValue(t, out var route))
                return route;
        }
        return type.PayloadType.GetInterfaces().Select(i => routes.GetValueOrDefault(i)).FirstOrDefault(r => r is not null);
    }

    private static ImmutableDictionary<object, Route> Add(ImmutableDictionary<object, Route> routes, object key, Route route, string what) =>
        routes.ContainsKey(key)
            ? throw new InvalidOperationException($"The router already has {what} for {Describe(key)}; remove it first to replace it.")
            : routes.Add(key, route);

    private static string Describe(object key) => key is MessageType type ? $"message type {type.Name}" : $"payload type {key}";
}
