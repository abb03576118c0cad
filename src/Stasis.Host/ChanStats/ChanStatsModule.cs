using System.Diagnostics;
using Stasis.Actors;
using Stasis.Host.StatsD;
using Stasis.Host.Traffic;

namespace Stasis.Host.ChanStats;

/// <summary>
/// The chan-stats module, as Asterisk's example module <c>res_chan_stats</c>: it turns channel traffic on the bus into
/// StatsD metrics.
/// </summary>
/// <remarks>
/// <para><b>statsmaker</b>: one plain subscription on <c>channel:all</c> counts every message as the meter
/// <c>stasis.message.&lt;type name&gt;</c>. On a cluster node that includes the messages of the other nodes (they arrive on
/// the clustered <c>channel:all</c>); <see cref="CountedLocal"/> and <see cref="CountedRemote"/> keep them apart.</para>
/// <para><b>updates</b>: one router on <c>channel:all-cached</c> turns channel snapshot cache updates into the gauge
/// <c>channels.count</c> (+1 when an entry is created, -1 when it is cleared) and the timer <c>channels.calltime</c>
/// (milliseconds from the channel's creation to its last snapshot, the hang-up; only for channels whose last snapshot
/// is dead, so a departed node's channels cleared from the cache count -1 without a call time). Its default route takes every other
/// message, the router's final message included.</para>
/// <para>Both handlers run serialized on their own subscription; they record their own run time for the summary.</para>
/// </remarks>
internal sealed class ChanStatsModule
{
    /// <summary>The prefix of the per-message-type meters.</summary>
    public const string MessageMeterPrefix = "stasis.message.";

    /// <summary>The gauge of live channels.</summary>
    public const string ChannelCount = "channels.count";

    /// <summary>The timer of channel lifetimes.</summary>
    public const string CallTime = "channels.calltime";

    private readonly Metrics _metrics;
    private readonly MessageType<ChannelSnapshot> _snapshotType;
    private readonly MessageType _clearType;
    private readonly Dictionary<MessageType, string> _meterNames = [];
    private readonly NamedCounters _local = new();
    private readonly NamedCounters _remote = new();
    private readonly EntityId _eid;
    private readonly Subscription _statsmaker;
    private readonly MessageRouter _router;
    private long _counted;
    private long _updates;
    private int _finalMessages;

    private ChanStatsModule(ChannelTopics channels, Metrics metrics)
    {
        _metrics = metrics;
        _snapshotType = channels.SnapshotType;
        _clearType = channels.ClearType;
        _eid = channels.All.Bus.Eid;
        _statsmaker = channels.All.Subscribe(Timed(StatsMakerTimes, StatsMaker), new SubscriptionOptions { Name = "chan_stats:statsmaker" });
        _router = MessageRouter.Create(channels.Cached, new SubscriptionOptions { Name = "chan_stats:updates" });
        _router.AddCacheRoute<ChannelSnapshot>((router, _, message, update) => Time(UpdateTimes, () => OnUpdate(update)));
        _router.SetDefaultRoute((router, _, message) => Time(UpdateTimes, () => DefaultRoute(router, message)));
    }

    /// <summary>Messages counted by statsmaker, from every node.</summary>
    public long Counted => Interlocked.Read(ref _counted);

    /// <summary>Messages made on this node counted by statsmaker, per message type name.</summary>
    public IReadOnlyDictionary<string, long> CountedLocal => _local.Values;

    /// <summary>Messages from other cluster nodes counted by statsmaker, per message type name.</summary>
    public IReadOnlyDictionary<string, long> CountedRemote => _remote.Values;

    /// <summary>Messages from other cluster nodes counted by statsmaker, all types.</summary>
    public long RemoteTotal => _remote.Total;

    /// <summary>Cache updates of this node's entries handled by the router.</summary>
    public long Updates => Interlocked.Read(ref _updates);

    /// <summary>Final messages handled (2 once the module is unloaded: statsmaker's and the router's).</summary>
    public int FinalMessages => Volatile.Read(ref _finalMessages);

    /// <summary>Run times of statsmaker's handler, in nanoseconds.</summary>
    public LatencyHistogram StatsMakerTimes { get; } = new();

    /// <summary>Run times of the router's routes, in nanoseconds.</summary>
    public LatencyHistogram UpdateTimes { get; } = new();

    /// <summary>The module's two subscriptions (for queue depths).</summary>
    public IReadOnlyList<Subscription> Subscriptions => [_statsmaker, _router.Subscription];

    /// <summary>Subscribes the module to <paramref name="channels"/>' topics.</summary>
    public static ChanStatsModule Load(ChannelTopics channels, Metrics metrics) => new(channels, metrics);

    /// <summary>Unsubscribes both subscriptions and completes once both final messages were handled.</summary>
    public Task UnloadAsync(CancellationToken cancellationToken) =>
        Task.WhenAll(_statsmaker.UnsubscribeAndJoinAsync(cancellationToken), _router.UnsubscribeAndJoinAsync(cancellationToken));

    /// <summary>
    /// True once the module handled everything <paramref name="traffic"/> published on this node: each type's local
    /// count reached the published count, and the router saw one cache update per snapshot and per cache clear.
    /// </summary>
    public bool HasCaughtUp(TrafficStats traffic)
    {
        var published = traffic.PublishedByType;
        return published.All(p => _local[p.Key] >= p.Value)
               && Updates >= published.GetValueOrDefault(_snapshotType.Name) + published.GetValueOrDefault(_clearType.Name);
    }

    private void StatsMaker(Subscription subscription, Topic topic, StasisMessage message)
    {
        if (subscription.IsFinalMessage(message))
            Interlocked.Increment(ref _finalMessages);
        if (!_meterNames.TryGetValue(message.Type, out var meter))
            _meterNames[message.Type] = meter = MessageMeterPrefix + message.Type.Name;
        (message.IsLocal ? _local : _remote).Increment(message.Type.Name);
        _metrics.Meter(meter);
        Interlocked.Increment(ref _counted);
    }

    private void OnUpdate(CacheUpdate update)
    {
        if (update.Eid == _eid)
            Interlocked.Increment(ref _updates);
        if (update.IsAggregate || update.Type != _snapshotType)
            return;
        if (update.OldSnapshot is null && update.NewSnapshot is not null)
        {
            _metrics.Gauge(ChannelCount, +1);
        }
        else if (update.OldSnapshot is StasisMessage<ChannelSnapshot> last && update.NewSnapshot is null)
        {
            if (last.Payload.IsDead)
                _metrics.Timer(CallTime, (long)(last.Timestamp - last.Payload.CreationTime).TotalMilliseconds);
            _metrics.Gauge(ChannelCount, -1);
        }
    }

    private void DefaultRoute(MessageRouter router, StasisMessage message)
    {
        if (router.IsFinalMessage(message))
            Interlocked.Increment(ref _finalMessages);
    }

    private static SubscriptionHandler Timed(LatencyHistogram times, SubscriptionHandler handler) =>
        (subscription, topic, message) => Time(times, () => handler(subscription, topic, message));

    private static void Time(LatencyHistogram times, Action action)
    {
        var start = Stopwatch.GetTimestamp();
        try
        {
            action();
        }
        finally
        {
            times.Record((long)Stopwatch.GetElapsedTime(start).TotalNanoseconds);
        }
    }
}
