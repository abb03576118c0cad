using Stasis.Actors.Internal;

namespace Stasis.Actors;

/// <summary>A router's route for payloads of type <typeparamref name="T"/> (or derived from it).</summary>
/// <param name="router">The router dispatching the message.</param>
/// <param name="topic">The topic the message was originally published to.</param>
/// <param name="message">The message.</param>
/// <param name="payload">The message's payload, typed.</param>
public delegate void RouteHandler<in T>(MessageRouter router, Topic topic, StasisMessage message, T payload) where T : class;

/// <summary>An asynchronous <see cref="RouteHandler{T}"/>: awaited before the router handles its next message.</summary>
/// <param name="router">The router dispatching the message.</param>
/// <param name="topic">The topic the message was originally published to.</param>
/// <param name="message">The message.</param>
/// <param name="payload">The message's payload, typed.</param>
/// <returns>Completes when the message is handled.</returns>
public delegate ValueTask AsyncRouteHandler<in T>(MessageRouter router, Topic topic, StasisMessage message, T payload) where T : class;

/// <summary>An asynchronous <see cref="DefaultRouteHandler"/>: awaited before the router handles its next message.</summary>
/// <param name="router">The router dispatching the message.</param>
/// <param name="topic">The topic the message was originally published to.</param>
/// <param name="message">The message.</param>
/// <returns>Completes when the message is handled.</returns>
public delegate ValueTask AsyncDefaultRouteHandler(MessageRouter router, Topic topic, StasisMessage message);

/// <summary>A router's default route: every message no other route takes, the final message included.</summary>
/// <param name="router">The router dispatching the message.</param>
/// <param name="topic">The topic the message was originally published to.</param>
/// <param name="message">The message.</param>
public delegate void DefaultRouteHandler(MessageRouter router, Topic topic, StasisMessage message);

/// <summary>
/// A subscription to one topic that dispatches each message to the route registered for its message type or payload
/// type, or to a default route (Asterisk's <c>stasis_message_router</c>). Made by <see cref="Create"/>.
/// </summary>
/// <remarks>
/// <para><b>Routes.</b> <see cref="AddRoute{T}(MessageType{T}, RouteHandler{T})"/> routes one message type (Asterisk's
/// routes: many types may share one payload class, each with its own route);
/// <see cref="AddRoute{T}(RouteHandler{T})"/> routes payloads of CLR type <c>T</c> (and types derived from it);
/// <see cref="AddCacheRoute(MessageType, RouteHandler{CacheUpdate})"/> and
/// <see cref="AddCacheRoute{TSnapshot}(RouteHandler{CacheUpdate})"/> route <see cref="CacheUpdate"/>s by the message type,
/// or the payload type, of the snapshots inside. <b>Precedence</b>, for each message: a cache route (by snapshot message
/// type, then most derived snapshot payload type), then the route of its message type, then of its most derived payload
/// type, then the default route. Adding a second route for the same key is rejected with
/// <see cref="InvalidOperationException"/> (remove the first one to replace it);
/// <see cref="SetDefaultRoute(DefaultRouteHandler)"/> replaces the default route. Each has an async overload (an
/// <c>async</c> lambda binds to it) whose task is awaited before the next message. Routes may be added and removed at
/// any time, from any thread, also from inside a route and while messages flow: each message is dispatched through the
/// routes current when its handling starts.</para>
/// <para><b>Filtering.</b> Without a default route (or with a <see cref="SetFormattersDefault(DefaultRouteHandler, MessageFormatters)">formatters default</see>)
/// the router accepts only the message types some route takes and those with an accepted formatter (plus subscription
/// changes): other messages are filtered before they are queued. With a default route every message is queued. The
/// subscription's own "Subscribe" and final "Unsubscribe" changes always arrive.</para>
/// <para><b>Subscription promises.</b> The router is one callback subscription: routes run ordered (publish order)
/// and serialized (one at a time; an async route's task is awaited before the next message). The final message goes to the default route (or to a
/// <c>AddRoute&lt;SubscriptionChange&gt;</c> route when there is one) and is the last call;
/// <see cref="IsFinalMessage"/> tells it apart. <see cref="UnsubscribeAndJoinAsync"/> completes after it was handled.
/// A message no route takes (no default route) is counted in <see cref="UnroutedCount"/>. Water marks and the
/// dispatcher come from the <see cref="SubscriptionOptions"/> given to <see cref="Create"/>; water marks can be changed
/// with <see cref="SetCongestionLimits"/>.</para>
/// </remarks>
public sealed class MessageRouter : IAsyncDisposable
{
    private readonly RouterCore _core;

    private MessageRouter(Topic topic, SubscriptionOptions? options)
    {
        Topic = topic;
        _core = new RouterCore(topic.Bus);
        _core.Subscribe(topic, options, o => topic.Subscribe((AsyncSubscriptionHandler)_core.Dispatch, o));
    }

    /// <summary>Creates a router subscribed to <paramref name="topic"/>, with no routes yet.</summary>
    /// <param name="topic">The topic to route.</param>
    /// <param name="options">Name, water marks and dispatcher of the router's subscription; its filter must be left unset.</param>
    /// <exception cref="ArgumentException"><paramref name="options"/> sets a filter, or a water mark is out of range.</exception>
    /// <exception cref="ObjectDisposedException"><paramref name="topic"/> was destroyed.</exception>
    public static MessageRouter Create(Topic topic, SubscriptionOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(topic);
        return new MessageRouter(topic, options);
    }

    /// <summary>The routed topic.</summary>
    public Topic Topic { get; }

    /// <summary>The router's subscription.</summary>
    public Subscription Subscription => _core.Subscription!;

    /// <summary>True while a default route is set.</summary>
    public bool HasDefaultRoute => _core.HasDefaultRoute;

    /// <summary>True until <see cref="Unsubscribe"/>.</summary>
    public bool IsSubscribed => Subscription.IsSubscribed;

    /// <summary>True once the final message was received (already while it is being routed).</summary>
    public bool IsDone => Subscription.IsDone;

    /// <summary>Messages that no route took (possible only without a default route).</summary>
    public long UnroutedCount => _core.UnroutedCount;

    /// <summary>Routes messages whose payload is a <typeparamref name="T"/> (or derived from it).</summary>
    /// <exception cref="InvalidOperationException">A route for <typeparamref name="T"/> exists.</exception>
    public void AddRoute<T>(RouteHandler<T> handler) where T : class => Add(typeof(T), Of(handler));

    /// <summary>Routes messages whose payload is a <typeparamref name="T"/> to an async handler (an <c>async</c> lambda binds here).</summary>
    /// <exception cref="InvalidOperationException">A route for <typeparamref name="T"/> exists.</exception>
    public void AddRoute<T>(AsyncRouteHandler<T> handler) where T : class => Add(typeof(T), Of(handler));

    /// <summary>
    /// Routes messages of <paramref name="type"/> (Asterisk's <c>stasis_message_router_add</c>), ahead of any route by
    /// payload type: two message types sharing one payload class each get their own route.
    /// </summary>
    /// <exception cref="InvalidOperationException">A route for <paramref name="type"/> exists.</exception>
    public void AddRoute<T>(MessageType<T> type, RouteHandler<T> handler) where T : class => Add(Key(type), Of(handler));

    /// <summary>Routes messages of <paramref name="type"/> to an async handler.</summary>
    /// <exception cref="InvalidOperationException">A route for <paramref name="type"/> exists.</exception>
    public void AddRoute<T>(MessageType<T> type, AsyncRouteHandler<T> handler) where T : class => Add(Key(type), Of(handler));

    /// <summary>Removes the route for <typeparamref name="T"/>; its messages go to the default route from now on.</summary>
    public void RemoveRoute<T>() where T : class => _core.Change(t => t.WithoutRoute(typeof(T)));

    /// <summary>Removes the route for <paramref name="type"/> (Asterisk's <c>stasis_message_router_remove</c>).</summary>
    public void RemoveRoute(MessageType type) => _core.Change(t => t.WithoutRoute(Key(type)));

    /// <summary>Routes <see cref="CacheUpdate"/>s whose snapshots' payload is a <typeparamref name="TSnapshot"/>.</summary>
    /// <exception cref="InvalidOperationException">A cache route for <typeparamref name="TSnapshot"/> exists.</exception>
    public void AddCacheRoute<TSnapshot>(RouteHandler<CacheUpdate> handler) where TSnapshot : class => AddCache(typeof(TSnapshot), Of(handler));

    /// <summary>Routes <see cref="CacheUpdate"/>s whose snapshots' payload is a <typeparamref name="TSnapshot"/> to an async handler.</summary>
    /// <exception cref="InvalidOperationException">A cache route for <typeparamref name="TSnapshot"/> exists.</exception>
    public void AddCacheRoute<TSnapshot>(AsyncRouteHandler<CacheUpdate> handler) where TSnapshot : class => AddCache(typeof(TSnapshot), Of(handler));

    /// <summary>
    /// Routes <see cref="CacheUpdate"/>s whose <see cref="CacheUpdate.Type"/> is <paramref name="snapshotType"/>
    /// (Asterisk's <c>stasis_message_router_add_cache_update</c>), ahead of cache routes by payload type.
    /// </summary>
    /// <exception cref="InvalidOperationException">A cache route for <paramref name="snapshotType"/> exists.</exception>
    public void AddCacheRoute(MessageType snapshotType, RouteHandler<CacheUpdate> handler) => AddCache(Key(snapshotType), Of(handler));

    /// <summary>Routes <see cref="CacheUpdate"/>s whose <see cref="CacheUpdate.Type"/> is <paramref name="snapshotType"/> to an async handler.</summary>
    /// <exception cref="InvalidOperationException">A cache route for <paramref name="snapshotType"/> exists.</exception>
    public void AddCacheRoute(MessageType snapshotType, AsyncRouteHandler<CacheUpdate> handler) => AddCache(Key(snapshotType), Of(handler));

    /// <summary>Removes the cache route for <typeparamref name="TSnapshot"/>.</summary>
    public void RemoveCacheRoute<TSnapshot>() where TSnapshot : class => _core.Change(t => t.WithoutCacheRoute(typeof(TSnapshot)));

    /// <summary>Removes the cache route for <paramref name="snapshotType"/>.</summary>
    public void RemoveCacheRoute(MessageType snapshotType) => _core.Change(t => t.WithoutCacheRoute(Key(snapshotType)));

    /// <summary>Sets (or replaces) the default route. From now on every message is queued (no filtering).</summary>
    public void SetDefaultRoute(DefaultRouteHandler handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        _core.Change(t => t.WithDefault(RouterCore.Sync((topic, message) => handler(this, topic, message))));
    }

    /// <summary>Sets (or replaces) the default route with an async handler. From now on every message is queued (no filtering).</summary>
    public void SetDefaultRoute(AsyncDefaultRouteHandler handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        _core.Change(t => t.WithDefault((topic, message) => handler(this, topic, message)));
    }

    /// <summary>
    /// Sets (or replaces) the default route for messages whose type has one of <paramref name="formatters"/> and no
    /// route (Asterisk's <c>stasis_message_router_set_formatters_default</c>): the router accepts those formatters and
    /// keeps filtering, so only routed types and formatter matches are queued. The final message also comes here.
    /// </summary>
    public void SetFormattersDefault(DefaultRouteHandler handler, MessageFormatters formatters)
    {
        ArgumentNullException.ThrowIfNull(handler);
        _core.Change(t => t.WithFormattersDefault(RouterCore.Sync((topic, message) => handler(this, topic, message)), formatters));
    }

    /// <summary>Sets (or replaces) the formatters default route with an async handler (see <see cref="SetFormattersDefault(DefaultRouteHandler, MessageFormatters)"/>).</summary>
    public void SetFormattersDefault(AsyncDefaultRouteHandler handler, MessageFormatters formatters)
    {
        ArgumentNullException.ThrowIfNull(handler);
        _core.Change(t => t.WithFormattersDefault((topic, message) => handler(this, topic, message), formatters));
    }

    /// <summary>
    /// Accepts, besides the routed types, every message type with one of <paramref name="formatters"/> (replacing the
    /// formatters accepted before; Asterisk's <c>stasis_message_router_accept_formatters</c>). Such messages without a
    /// route go to the default route, or are counted in <see cref="UnroutedCount"/>.
    /// </summary>
    public void AcceptFormatters(MessageFormatters formatters) => _core.Change(t => t.WithFormatters(formatters));

    /// <summary>The formatters accepted (see <see cref="AcceptFormatters"/> and <see cref="SetFormattersDefault(DefaultRouteHandler, MessageFormatters)"/>).</summary>
    public MessageFormatters AcceptedFormatters => _core.Table.Formatters;

    /// <summary>Removes the default route: from now on only routed message types (and accepted formatters) are queued.</summary>
    public void RemoveDefaultRoute() => _core.Change(t => t.WithDefault(null));

    /// <summary>Changes the water marks of the router's subscription (see <see cref="Subscription.SetCongestionLimits"/>).</summary>
    /// <exception cref="ArgumentException">A mark is out of range.</exception>
    public void SetCongestionLimits(int highWaterMark, int? lowWaterMark = null) => Subscription.SetCongestionLimits(highWaterMark, lowWaterMark);

    /// <summary>True when <paramref name="message"/> is the router's final message.</summary>
    public bool IsFinalMessage(StasisMessage message) => Subscription.IsFinalMessage(message);

    /// <summary>Publishes <paramref name="message"/> to <see cref="Topic"/> and completes once this router has routed it.</summary>
    /// <returns>True when it was routed (or counted as unrouted); false when the router does not receive it (filtered, or ended).</returns>
    public Task<bool> PublishSyncAsync(StasisMessage message, CancellationToken cancellationToken = default) =>
        Topic.PublishSyncAsync(message, Subscription, cancellationToken);

    /// <summary>Unsubscribes: queued messages are still routed, then the final message. Idempotent; safe from a route.</summary>
    public void Unsubscribe() => Subscription.Unsubscribe();

    /// <summary><see cref="Unsubscribe"/>s, then completes once the final message was routed.</summary>
    /// <param name="cancellationToken">Cancels the wait (not the unsubscription).</param>
    public Task UnsubscribeAndJoinAsync(CancellationToken cancellationToken = default) => Subscription.UnsubscribeAndJoinAsync(cancellationToken);

    /// <summary>Completes once the final message was routed.</summary>
    /// <param name="cancellationToken">Cancels the wait.</param>
    public Task JoinAsync(CancellationToken cancellationToken = default) => Subscription.JoinAsync(cancellationToken);

    /// <summary>Unsubscribes and waits for the final message to be routed (<see cref="UnsubscribeAndJoinAsync"/>).</summary>
    public ValueTask DisposeAsync() => new(UnsubscribeAndJoinAsync());

    /// <inheritdoc />
    public override string ToString() => $"router of {Topic.Name}";

    private void Add(object key, Route route) => _core.Change(t => t.WithRoute(key, route));

    private void AddCache(object key, Route route) => _core.Change(t => t.WithCacheRoute(key, route));

    private Route Of<T>(RouteHandler<T> handler) where T : class
    {
        ArgumentNullException.ThrowIfNull(handler);
        return RouterCore.Sync((topic, message) => handler(this, topic, message, (T)message.Data));
    }

    private Route Of<T>(AsyncRouteHandler<T> handler) where T : class
    {
        ArgumentNullException.ThrowIfNull(handler);
        return (topic, message) => handler(this, topic, message, (T)message.Data);
    }

    private MessageType Key(MessageType type) => RouterCore.CheckType(type, Topic.Bus);
}
