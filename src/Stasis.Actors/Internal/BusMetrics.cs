using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using Stasis.Actors.Statistics;

namespace Stasis.Actors.Internal;

/// <summary>
/// The bus's metrics and statistics: one place that turns the counters kept by topics, subscriptions, message types
/// and <see cref="BusDiagnostics"/> into a <see cref="BusStatistics"/> snapshot and into the instruments of the meter
/// <c>Stasis.Actors</c>.
/// </summary>
/// <remarks>
/// The hot path keeps only plain counters (Interlocked increments, no locks, no allocations); the instruments are
/// observable ones that read those counters when a listener collects. The one exception is the handler-time
/// histogram, recorded per handler call and only while a listener has enabled it. Every measurement carries the tag
/// <c>bus</c> (the actor system's name), so several buses in one process stay apart.
/// </remarks>
internal static class BusMetrics
{
    private static readonly ConcurrentDictionary<StasisBus, byte> Buses = new();
    private static readonly Meter Meter = new(BusStatistics.MeterName, typeof(BusMetrics).Assembly.GetName().Version?.ToString());
    private static readonly Histogram<double> HandlerTime = Meter.CreateHistogram<double>(
        "stasis.subscription.handler_time", "s", "Time a subscription's handler took per message.");

    static BusMetrics()
    {
        Counter("stasis.messages.published", "Messages published, per message type.", Types(t => t.Published));
        Counter("stasis.messages.unused", "Messages published that reached no subscription, per message type.", Types(t => t.Unused));
        Counter("stasis.topic.dispatched", "Messages published to a topic that reached a subscription.", Topics(t => t.DispatchedCount, r => r.Dispatched));
        Counter("stasis.topic.not_dispatched", "Messages published to a topic that reached no subscription.", Topics(t => t.NotDispatchedCount, r => r.NotDispatched));
        Counter("stasis.subscription.handled", "Messages handled by a subscription.", SubscriptionCounter(s => s.HandledCount, r => r.Handled));
        Counter("stasis.subscription.filtered", "Messages held back by a subscription's filter.", SubscriptionCounter(s => s.FilteredCount, r => r.Filtered));
        Counter("stasis.subscription.failed", "Handler calls that threw.", SubscriptionCounter(s => s.FailedCount, r => r.Failed));
        Counter("stasis.bus.handler_failures", "Handler calls that threw, on every subscription.", Bus(b => b.HandlerFailures));
        Counter("stasis.bus.declined_publishes", "Messages of declined types not created.", Bus(b => b.DeclinedPublishes));
        Counter("stasis.bus.shutdown_publishes", "Publishes ignored while the bus shut down.", Bus(b => b.ShutdownPublishes));
        Meter.CreateObservableGauge("stasis.subscription.queue_depth", SubscriptionGauge(s => s.QueueDepth, (a, b) => a + b), "{message}", "Messages queued for a subscription (summed over its series).");
        Meter.CreateObservableGauge("stasis.subscription.handler_time.min", SubscriptionGauge(s => s.HandlerTimeMin.TotalSeconds, Math.Min), "s", "Shortest handler call.");
        Meter.CreateObservableGauge("stasis.subscription.handler_time.max", SubscriptionGauge(s => s.HandlerTimeMax.TotalSeconds, Math.Max), "s", "Longest handler call.");
        Meter.CreateObservableGauge("stasis.topic.subscribers", Topics(t => t.SubscriberCount, null), "{subscription}", "Subscriptions made on a topic (summed over its series).");
        Meter.CreateObservableGauge("stasis.bus.congested_subscriptions", Bus(b => b.CongestedSubscriptions), "{subscription}", "Subscriptions above their high-water mark.");
    }

    /// <summary>Makes <paramref name="bus"/> visible to the meter until its actor system terminates.</summary>
    public static void Register(StasisBus bus)
    {
        Buses.TryAdd(bus, 0);
        bus.System.WhenTerminated.ContinueWith(_ => Buses.TryRemove(bus, out byte _), TaskScheduler.Default);
    }

    /// <summary>True while a metrics listener records the handler-time histogram (then every handler call is timed).</summary>
    public static bool HandlerTimeListened => HandlerTime.Enabled;

    /// <summary>Records one handler call of <paramref name="subscription"/> in the histogram, if anyone listens.</summary>
    public static void RecordHandlerTime(Subscription subscription, long stopwatchTicks)
    {
        if (!HandlerTime.Enabled)
            return;
        HandlerTime.Record(
            Stopwatch.GetElapsedTime(0, stopwatchTicks).TotalSeconds,
            new KeyValuePair<string, object?>("bus", subscription.Topic.Bus.System.Name),
            new KeyValuePair<string, object?>("topic", subscription.Topic.MetricSeries),
            new KeyValuePair<string, object?>("subscription", MetricSeries.Of(subscription).Subscription));
    }

    /// <summary>Reads every counter of <paramref name="bus"/> into a snapshot.</summary>
    public static BusStatistics Snapshot(StasisBus bus)
    {
        var graph = bus.Graph.Snapshot();
        var diagnostics = bus.Diagnostics;
        return new BusStatistics(
            DateTimeOffset.UtcNow,
            bus.IsShuttingDown,
            bus.IsOverloaded,
            [.. graph.Select(g => Describe(g.Topic, g.Subscriptions.Length, g.ForwardsOut, g.ForwardsIn))],
            [.. graph.SelectMany(g => g.Subscriptions).Select(Describe)],
            [.. bus.MessageTypes.Select(t => new MessageTypeStatistics(t.Name, t.IsDeclined, t.PublishedCount, t.UnusedCount))],
            diagnostics.HandlerFailures,
            diagnostics.DeclinedPublishes,
            diagnostics.ShutdownPublishes,
            diagnostics.CongestedSubscriptions);
    }

    private static TopicStatistics Describe(Topic topic, int subscribers, int forwardsOut, int forwardsIn) =>
        new(topic.Name, topic.Id, topic.Detail, subscribers, forwardsOut, forwardsIn, topic.DispatchedCount, topic.NotDispatchedCount);

    private static SubscriptionStatistics Describe(Subscription s) =>
        new(s.Id, s.Name, s.Topic.Name, s.QueueDepth, s.HandledCount, s.FailedCount, s.FilteredCount, s.IsCongested,
            s.HighWaterMark, s.LowWaterMark, s.HandlerTimeMin, s.HandlerTimeMax, s.HandlerTimeMean);

    private static void Counter(string name, string description, Func<IEnumerable<Measurement<long>>> observe) =>
        Meter.CreateObservableCounter(name, observe, "{message}", description);

    // ---- observations: one measurement per bus, topic, subscription or message type, tagged with the bus ----

    private static Func<IEnumerable<Measurement<T>>> Bus<T>(Func<BusStatistics, T> value) where T : struct =>
        () => Observe<T>((bus, stats) => [new Measurement<T>(value(stats), Tag("bus", bus))]);

    private static Func<IEnumerable<Measurement<T>>> Types<T>(Func<MessageTypeStatistics, T> value) where T : struct =>
        () => Observe((bus, stats) => stats.MessageTypes.Select(t => new Measurement<T>(value(t), Tag("bus", bus), Tag("message_type", t.Name))));

    // Topics and subscriptions are reported per bounded series (see MetricSeries), never per topic or subscription id.

    private static Func<IEnumerable<Measurement<long>>> Topics(Func<Topic, long> live, Func<MetricSeries.Retired, long>? retired) =>
        () => ObserveLive(bus => bus.Series.TopicSeries(bus.Graph.Topics, live, retired)
            .Select(t => new Measurement<long>(t.Value, Tag("bus", bus.System.Name), Tag("topic", t.Key))));

    private static Func<IEnumerable<Measurement<long>>> SubscriptionCounter(Func<Subscription, long> live, Func<MetricSeries.Retired, long> retired) =>
        () => ObserveLive(bus => bus.Series.SubscriptionCounter(live, retired)
            .Select(s => new Measurement<long>(s.Value, Tag("bus", bus.System.Name), Tag("topic", s.Key.Topic), Tag("subscription", s.Key.Subscription))));

    private static Func<IEnumerable<Measurement<double>>> SubscriptionGauge(Func<Subscription, double> live, Func<double, double, double> combine) =>
        () => ObserveLive(bus => bus.Series.SubscriptionGauge(live, combine)
            .Select(s => new Measurement<double>(s.Value, Tag("bus", bus.System.Name), Tag("topic", s.Key.Topic), Tag("subscription", s.Key.Subscription))));

    private static IEnumerable<Measurement<T>> ObserveLive<T>(Func<StasisBus, IEnumerable<Measurement<T>>> measure) where T : struct =>
        Buses.Keys.SelectMany(measure).ToList();

    private static IEnumerable<Measurement<T>> Observe<T>(Func<string, BusStatistics, IEnumerable<Measurement<T>>> measure) where T : struct =>
        Buses.Keys.SelectMany(bus => measure(bus.System.Name, Snapshot(bus))).ToList();

    private static KeyValuePair<string, object?> Tag(string key, string value) => new(key, value);
}
