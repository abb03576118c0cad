using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Stasis.Actors.Statistics;
using Stasis.Actors.Tests.Support;

namespace Stasis.Actors.Tests.Metrics;

/// <summary>The meter "Stasis.Actors" and <see cref="StasisBus.GetStatistics"/>. The system has its own name: the bus tag.</summary>
public sealed class BusMetricsSpec() : TickSpec(systemName: "metrics-" + Guid.NewGuid().ToString("N"))
{
    /// <summary>Listens to the meter and keeps, per instrument and tag set, the last value (histograms: every value).</summary>
    private sealed class Recorder : IDisposable
    {
        private readonly MeterListener _listener = new();
        private readonly string _bus;

        public Recorder(string bus)
        {
            _bus = bus;
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == BusStatistics.MeterName)
                    listener.EnableMeasurementEvents(instrument);
            };
            _listener.SetMeasurementEventCallback<long>((i, v, tags, _) => Record(i, v, tags));
            _listener.SetMeasurementEventCallback<int>((i, v, tags, _) => Record(i, v, tags));
            _listener.SetMeasurementEventCallback<double>((i, v, tags, _) => Record(i, v, tags));
            _listener.Start();
        }

        public ConcurrentDictionary<string, double> Last { get; } = new();

        public ConcurrentQueue<(string Instrument, double Value, string Tags)> All { get; } = new();

        public void Collect() => _listener.RecordObservableInstruments();

        public double Value(string instrument, params string[] tags) =>
            Last.TryGetValue(Key(instrument, tags), out var v) ? v : double.NaN;

        public void Dispose() => _listener.Dispose();

        private void Record(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            var pairs = tags.ToArray();
            if (!pairs.Any(t => t.Key == "bus" && (string?)t.Value == _bus))
                return;
            var tagText = string.Join(",", pairs.Where(t => t.Key != "bus").Select(t => $"{t.Key}={t.Value}").Order());
            Last[Key(instrument.Name, [tagText])] = value;
            All.Enqueue((instrument.Name, value, tagText));
        }

        private static string Key(string instrument, string[] tags) => instrument + "|" + string.Join(",", tags.Order());
    }

    [Fact]
    public async Task Meter_reports_published_and_unused_per_message_type_and_dispatched_per_topic()
    {
        using var recorder = new Recorder(Sys.Name);
        var quiet = Bus.CreateTopic("quiet");
        var busy = Bus.CreateTopic("busy");
        var sub = busy.Subscribe((_, _, _) => { });
        PublishTicks(quiet, 3);
        PublishTicks(busy, 5);
        await sub.UnsubscribeAndJoinAsync().WaitAsync(Dilated(TimeSpan.FromSeconds(5)));
        recorder.Collect();

        Assert.Equal(8, recorder.Value("stasis.messages.published", "message_type=tick"));
        Assert.Equal(3, recorder.Value("stasis.messages.unused", "message_type=tick"));
        Assert.Equal(5, recorder.Value("stasis.topic.dispatched", "topic=busy"));
        Assert.Equal(3, recorder.Value("stasis.topic.not_dispatched", "topic=quiet"));
    }

    [Fact]
    public async Task Meter_reports_handled_failed_filtered_and_queue_depth_per_subscription()
    {
        using var recorder = new Recorder(Sys.Name);
        var other = Bus.CreateMessageType<string>("text");
        var topic = Bus.CreateTopic("measured");
        var sub = topic.Subscribe((_, _, m) =>
        {
            if (m.Data is Tick { Seq: 0 })
                Gate.Wait();
            if (m.Data is Tick { Seq: 1 })
                throw new InvalidOperationException("measured failure");
        }, new SubscriptionOptions { Decline = [other] });
        PublishTicks(topic, 10);
        topic.Publish(other, "declined by the filter");
        recorder.Collect();
        var tags = "subscription=unnamed,topic=measured"; // unnamed subscriptions share one series per topic
        Assert.True(recorder.Value("stasis.subscription.queue_depth", tags) >= 9, "queue depth while the handler is blocked");

        Gate.Set();
        await topic.PublishSyncAsync(TickMessage(10), sub).WaitAsync(Dilated(TimeSpan.FromSeconds(5)));
        recorder.Collect();
        Assert.Equal(12, recorder.Value("stasis.subscription.handled", tags)); // Subscribe change + 11 ticks
        Assert.Equal(1, recorder.Value("stasis.subscription.failed", tags));
        Assert.Equal(1, recorder.Value("stasis.subscription.filtered", tags));
        Assert.Equal(0, recorder.Value("stasis.subscription.queue_depth", tags));
        Assert.True(recorder.Value("stasis.subscription.handler_time.max", tags) >= recorder.Value("stasis.subscription.handler_time.min", tags));
    }

    [Fact]
    public async Task Handler_time_histogram_records_each_call_while_listened_to()
    {
        using var recorder = new Recorder(Sys.Name);
        var topic = Bus.CreateTopic("timed");
        var sub = topic.Subscribe((_, _, _) => { });
        PublishTicks(topic, 4);
        await sub.UnsubscribeAndJoinAsync().WaitAsync(Dilated(TimeSpan.FromSeconds(5)));

        var times = recorder.All.Where(m => m.Instrument == "stasis.subscription.handler_time" && m.Tags == "subscription=unnamed,topic=timed").ToList();
        Assert.Equal(5, times.Count); // Subscribe change and 4 ticks (the final message runs from PostStop, untimed)
        Assert.All(times, t => Assert.True(t.Value >= 0));
    }

    [Fact]
    public async Task Pool_topics_share_one_series_and_counts_survive_ended_subscriptions_and_destroyed_topics()
    {
        using var recorder = new Recorder(Sys.Name);
        var pool = new TopicPool(Bus.CreateTopic("chan:all"));
        var subs = new List<Subscription>();
        var topics = new List<Topic>();
        for (var i = 0; i < 5; i++)
        {
            var topic = pool.GetTopic("c" + i);
            topics.Add(topic);
            subs.Add(topic.Subscribe((_, _, _) => { }, new SubscriptionOptions { Name = "per-channel" }));
            subs.Add(topic.Subscribe((_, _, _) => { }));
            PublishTicks(topic, 2);
        }
        foreach (var sub in subs.Take(6))
            await sub.UnsubscribeAndJoinAsync().WaitAsync(Dilated(TimeSpan.FromSeconds(5)));
        pool.Delete("c0");
        pool.Delete("c1");

        // Each series is the sum of its members, ended ones included (live ones settle as they handle their ticks).
        var named = subs.Where(x => x.Name == "per-channel").ToList();
        var unnamed = subs.Except(named).ToList();
        AwaitAssert(() =>
        {
            recorder.Collect();
            Assert.Equal(named.Sum(x => x.HandledCount), recorder.Value("stasis.subscription.handled", "subscription=per-channel,topic=chan:all/*"));
            Assert.Equal(unnamed.Sum(x => x.HandledCount), recorder.Value("stasis.subscription.handled", "subscription=unnamed,topic=chan:all/*"));
            Assert.All(subs, x => Assert.True(x.HandledCount >= 3));
        }, Dilated(TimeSpan.FromSeconds(5)));
        Assert.Equal(topics.Sum(t => t.DispatchedCount), recorder.Value("stasis.topic.dispatched", "topic=chan:all/*")); // c0, c1 destroyed: still counted
        Assert.True(topics.Sum(t => t.DispatchedCount) >= 10);
        Assert.Equal(4, recorder.Value("stasis.topic.subscribers", "topic=chan:all/*")); // c2: none, c3 and c4: 2 each
        var series = recorder.Last.Keys.Where(k => k.StartsWith("stasis.subscription.handled|", StringComparison.Ordinal)).ToList();
        Assert.DoesNotContain(series, k => k.Contains("sub-", StringComparison.Ordinal) || k.Contains("chan:all/c", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Statistics_snapshot_lists_topics_subscriptions_and_message_types()
    {
        var a = Bus.CreateTopic("a", "first");
        var b = Bus.CreateTopic("b");
        var c = Bus.CreateTopic("c");
        Bus.ForwardAll(a, b);
        Bus.ForwardAll(c, b);
        var sub = b.Subscribe((_, _, _) => { }, new SubscriptionOptions { Name = "watcher", HighWaterMark = 50 });
        PublishTicks(a, 4);
        PublishTicks(c, 2);
        await b.PublishSyncAsync(TickMessage(99), sub).WaitAsync(Dilated(TimeSpan.FromSeconds(5)));

        var stats = Bus.GetStatistics();
        Assert.Equal(new TopicStatistics("a", a.Id, "first", 0, 1, 0, 4, 0), stats.Topics.Single(t => t.Name == "a"));
        var bLine = stats.Topics.Single(t => t.Name == "b");
        Assert.Equal((1, 0, 2), (bLine.SubscriberCount, bLine.ForwardsOut, bLine.ForwardsIn));
        var subLine = stats.Subscriptions.Single();
        Assert.Equal((sub.Id, "watcher", "b", 8L, 0L, 50, 45), (subLine.Id, subLine.Name, subLine.Topic, subLine.Handled, subLine.Failed, subLine.HighWaterMark, subLine.LowWaterMark));
        Assert.True(subLine.HandlerTimeMin <= subLine.HandlerTimeMean && subLine.HandlerTimeMean <= subLine.HandlerTimeMax);
        var tick = stats.MessageTypes.Single(t => t.Name == "tick");
        Assert.Equal((7L, 0L), (tick.Published, tick.Unused));
        Assert.False(stats.IsOverloaded);
        Assert.Matches(@"^bus statistics at \d\d:\d\d:\d\d\.\d{3}: \d+ topics, 1 subscriptions \(0 congested\), \d+ message types; \d+ published, \d+ unused, 8 handled; 0 handler failures, 0 declined, 0 ignored at shutdown$",
            stats.ToString());
    }
}
