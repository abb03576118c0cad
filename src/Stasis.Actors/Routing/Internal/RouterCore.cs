using Stasis.Actors.Internal;

namespace Stasis.Actors.Internal;

/// <summary>
/// What both router styles share: the current <see cref="RouteTable"/>, dispatch through it, and the subscription
/// filter that follows it. Without a default route (or with a formatters default) the subscription accepts only the
/// message types some route or accepted formatter takes (and subscription changes), so other messages are filtered
/// before queueing; message types created later are added to the filter as they appear. With a default route the
/// filter accepts everything.
/// </summary>
internal sealed class RouterCore
{
    private readonly object _lock = new();
    private readonly StasisBus _bus;
    private readonly MessageType<CacheUpdate> _cacheUpdateType;
    private volatile RouteTable _table = RouteTable.Empty;
    private Subscription? _subscription;
    private IDisposable? _typeWatch;
    private bool? _filtering;
    private long _unrouted;

    public RouterCore(StasisBus bus)
    {
        _bus = bus;
        _cacheUpdateType = StasisCache.UpdateType(bus);
    }

    public Subscription? Subscription => Volatile.Read(ref _subscription);

    public bool HasDefaultRoute => _table.Default is not null;

    /// <summary>The current routes.</summary>
    public RouteTable Table => _table;

    public long UnroutedCount => Volatile.Read(ref _unrouted);

    /// <summary>Subscribes with a filter matching the current routes, and starts following new message types.</summary>
    public Subscription Subscribe(Topic topic, SubscriptionOptions? options, Func<SubscriptionOptions, Subscription> subscribe)
    {
        ArgumentNullException.ThrowIfNull(topic);
        options ??= SubscriptionOptions.Default;
        if (options.AcceptOnly is not null || options.Decline is not null || options.AcceptFormatters is not null)
            throw new ArgumentException($"A router owns its subscription's filter (it follows the routes) on topic {topic.Name}: leave AcceptOnly, Decline and AcceptFormatters unset (use the router's AcceptFormatters).", nameof(options));
        lock (_lock)
        {
            _typeWatch = _bus.WatchMessageTypes(OnMessageTypeCreated);
            var table = _table;
            _filtering = table.Filtering;
            Subscription subscription;
            try
            {
                subscription = subscribe(options with { AcceptOnly = table.Filtering ? Accepted(table) : null });
            }
            catch
            {
                StopWatching(); // a router that never subscribed must not keep following message types
                throw;
            }
            Interlocked.CompareExchange(ref _subscription, subscription, null);
            return subscription;
        }
    }

    /// <summary>Changes the routes (a throwing change leaves them as they were) and updates the filter.</summary>
    public void Change(Func<RouteTable, RouteTable> change)
    {
        lock (_lock)
        {
            var table = change(_table);
            _table = table;
            ApplyFilter(table);
        }
    }

    /// <summary>Routes one message through the current table; the task completes when its route has handled it.</summary>
    public ValueTask Dispatch(Subscription subscription, Topic topic, StasisMessage message)
    {
        // A callback's first message can run before Subscribe returned: the handler's subscription is the same one.
        if (_subscription is null)
            Interlocked.CompareExchange(ref _subscription, subscription, null);
        if (subscription.IsFinalMessage(message))
            StopWatching();
        if (_table.Resolve(message) is { } route)
            return route(topic, message);
        Interlocked.Increment(ref _unrouted);
        return default;
    }

    /// <summary>
    /// Takes over <paramref name="subscription"/>, made by an earlier incarnation of a router actor (restarted by its
    /// supervisor): the subscription, its place in the topic and its queue are kept; its filter follows this table.
    /// </summary>
    public void Adopt(Subscription subscription)
    {
        lock (_lock)
        {
            _typeWatch = _bus.WatchMessageTypes(OnMessageTypeCreated);
            Volatile.Write(ref _subscription, subscription);
            ApplyFilter(_table, force: true);
        }
    }

    /// <summary>Checks a message type given for a route: not null, and of this router's bus (another bus's type never matches).</summary>
    /// <exception cref="ArgumentException"><paramref name="type"/> belongs to another bus.</exception>
    public static MessageType CheckType(MessageType type, StasisBus bus)
    {
        ArgumentNullException.ThrowIfNull(type);
        return ReferenceEquals(type.Bus, bus)
            ? type
            : throw new ArgumentException($"Message type {type.Name} belongs to another bus than the routed topic.", nameof(type));
    }

    /// <summary>A synchronous route as a <see cref="Route"/>.</summary>
    public static Route Sync(Action<Topic, StasisMessage> route) => (topic, message) =>
    {
        route(topic, message);
        return default;
    };

    public void StopWatching()
    {
        lock (_lock)
        {
            _typeWatch?.Dispose();
            _typeWatch = null;
        }
    }

    private void OnMessageTypeCreated(MessageType type)
    {
        lock (_lock)
        {
            if (_typeWatch is not null && _table.Filtering && _table.Takes(type, _cacheUpdateType))
                ApplyFilter(_table, force: true);
        }
    }

    private void ApplyFilter(RouteTable table, bool force = false)
    {
        if (_subscription is not { } subscription)
            return; // not subscribed yet: Subscribe builds the filter from the table
        var filtering = table.Filtering;
        if (!filtering && _filtering == false && !force)
            return; // already accepting everything
        _filtering = filtering;
        subscription.ReplaceFilter(filtering ? TypeFilter.AcceptOnly(Accepted(table)) : TypeFilter.AcceptAll);
    }

    private List<MessageType> Accepted(RouteTable table) =>
        [_bus.SubscriptionChangeType, .. _bus.MessageTypes.Where(t => !ReferenceEquals(t, _bus.SubscriptionChangeType) && table.Takes(t, _cacheUpdateType))];
}
