using System.Collections.Concurrent;

namespace Stasis.Actors.Internal;

/// <summary>
/// Keeps the bus's metric series bounded. A topic's series is its name, except the topics of a pool (and per-object
/// cached topics), which share one series, <c>&lt;pool topic&gt;/*</c>; a subscription's series is (its topic's series,
/// its name), unnamed subscriptions sharing <c>unnamed</c>. Counts of ended subscriptions and destroyed topics are
/// retired into their series, so a series' counters never go down while its members come and go.
/// </summary>
internal sealed class MetricSeries
{
    /// <summary>The series of subscriptions made without a name.</summary>
    public const string Unnamed = "unnamed";

    private readonly ConcurrentDictionary<Subscription, byte> _live = new();
    private readonly ConcurrentDictionary<(string Topic, string Subscription), Retired> _retiredSubscriptions = new();
    private readonly ConcurrentDictionary<string, Retired> _retiredTopics = new();

    /// <summary>Counts kept of the members a series lost.</summary>
    public sealed class Retired
    {
        public long Handled;
        public long Failed;
        public long Filtered;
        public long Dispatched;
        public long NotDispatched;
    }

    public static (string Topic, string Subscription) Of(Subscription subscription) =>
        (subscription.Topic.MetricSeries, subscription.IsNamed ? subscription.Name : Unnamed);

    /// <summary>Observes <paramref name="subscription"/> until it finished.</summary>
    public void Track(Subscription subscription) => _live.TryAdd(subscription, 0);

    /// <summary>Moves a finished subscription's counts into its series.</summary>
    public void Retire(Subscription subscription)
    {
        if (!_live.TryRemove(subscription, out _))
            return;
        var retired = _retiredSubscriptions.GetOrAdd(Of(subscription), _ => new Retired());
        Interlocked.Add(ref retired.Handled, subscription.HandledCount);
        Interlocked.Add(ref retired.Failed, subscription.FailedCount);
        Interlocked.Add(ref retired.Filtered, subscription.FilteredCount);
    }

    /// <summary>Moves a destroyed topic's counts into its series.</summary>
    public void Retire(Topic topic)
    {
        var retired = _retiredTopics.GetOrAdd(topic.MetricSeries, _ => new Retired());
        Interlocked.Add(ref retired.Dispatched, topic.DispatchedCount);
        Interlocked.Add(ref retired.NotDispatched, topic.NotDispatchedCount);
    }

    /// <summary>A counter per subscription series: its live members' values plus what its ended ones counted.</summary>
    public Dictionary<(string Topic, string Subscription), long> SubscriptionCounter(Func<Subscription, long> live, Func<Retired, long> retired)
    {
        var sums = _retiredSubscriptions.ToDictionary(r => r.Key, r => retired(r.Value));
        foreach (var subscription in _live.Keys)
        {
            var key = Of(subscription);
            sums[key] = sums.GetValueOrDefault(key) + live(subscription);
        }
        return sums;
    }

    /// <summary>A gauge per subscription series over its live members, combined by <paramref name="combine"/>.</summary>
    public Dictionary<(string Topic, string Subscription), double> SubscriptionGauge(Func<Subscription, double> live, Func<double, double, double> combine)
    {
        var values = new Dictionary<(string, string), double>();
        foreach (var subscription in _live.Keys)
        {
            var key = Of(subscription);
            var value = live(subscription);
            values[key] = values.TryGetValue(key, out var old) ? combine(old, value) : value;
        }
        return values;
    }

    /// <summary>A value per topic series: its live topics' values summed, plus (for counters) its destroyed ones'.</summary>
    public Dictionary<string, long> TopicSeries(IEnumerable<Topic> topics, Func<Topic, long> live, Func<Retired, long>? retired)
    {
        var sums = retired is null ? [] : _retiredTopics.ToDictionary(r => r.Key, r => retired(r.Value));
        foreach (var topic in topics)
            sums[topic.MetricSeries] = sums.GetValueOrDefault(topic.MetricSeries) + live(topic);
        return sums;
    }
}
