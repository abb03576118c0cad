using System.Collections.Concurrent;
using System.Diagnostics;
using Stasis.Actors.Tests.Support;
using Xunit.Abstractions;

namespace Stasis.Actors.Tests.Metrics;

/// <summary>Traces of publishes and the handler calls they cause, through the bus's ActivitySource.</summary>
public sealed class TracingSpec(ITestOutputHelper output) : StasisSpec(output)
{
    [Fact]
    public async Task A_traced_publish_is_one_parent_with_a_child_per_handler_call_carrying_the_tags()
    {
        var topic = NewTopic("tracing:child");
        var parent = NewTopic("tracing:all");
        topic.ForwardTo(parent);
        using var recorder = new ActivityRecorder(StasisTelemetry.ActivitySourceName, Bus);
        var direct = Record(topic, new SubscriptionOptions { Name = "direct" });
        var forwarded = Record(parent, new SubscriptionOptions { Name = "forwarded" });
        string? currentInAsyncHandler = null;
        var asyncSub = topic.Subscribe(async (s, t, m) =>
        {
            if (m.Data is not Support.Ping) return;
            await Task.Yield();
            currentInAsyncHandler = Activity.Current?.OperationName;
        }, new SubscriptionOptions { Name = "async" });

        topic.Publish(Ping(1));
        await Await(direct.Subscription.UnsubscribeAndJoinAsync());
        await Await(forwarded.Subscription.UnsubscribeAndJoinAsync());
        await Await(asyncSub.UnsubscribeAndJoinAsync());

        var publish = Assert.Single(recorder.Stopped, a => a.OperationName == "publish test_ping");
        Assert.Equal(ActivityKind.Producer, publish.Kind);
        Assert.Equal("tracing:child", publish.GetTagItem(StasisTelemetry.TopicTag));
        Assert.Equal("test_ping", publish.GetTagItem(StasisTelemetry.MessageTypeTag));
        var handles = recorder.Stopped.Where(a => a.OperationName == "handle test_ping").ToList();
        Assert.Equal(["async", "direct", "forwarded"], handles.Select(a => (string)a.GetTagItem(StasisTelemetry.SubscriptionTag)!).Order());
        Assert.All(handles, h =>
        {
            Assert.Equal(ActivityKind.Consumer, h.Kind);
            Assert.Equal(publish.TraceId, h.TraceId);
            Assert.Equal(publish.SpanId, h.ParentSpanId);
            Assert.Equal("tracing:child", h.GetTagItem(StasisTelemetry.TopicTag)); // the topic it was published to
            Assert.Equal("test_ping", h.GetTagItem(StasisTelemetry.MessageTypeTag));
        });
        Assert.Equal("handle test_ping", currentInAsyncHandler);
    }

    [Fact]
    public async Task A_publish_continues_the_callers_trace_and_a_failing_handler_is_an_error_span()
    {
        var topic = NewTopic();
        using var recorder = new ActivityRecorder(StasisTelemetry.ActivitySourceName, Bus);
        var failing = topic.Subscribe((s, t, m) => { if (m.Data is Support.Ping) throw new InvalidOperationException("boom"); },
            new SubscriptionOptions { Name = "failing" });
        using var caller = new ActivitySource("caller-" + Guid.NewGuid());
        using var callerListener = ActivityRecorder.ListenTo(caller.Name);
        using (var request = caller.StartActivity("request"))
        {
            topic.Publish(Ping(1));
            await Await(failing.UnsubscribeAndJoinAsync());
            var publish = Assert.Single(recorder.Stopped, a => a.OperationName == "publish test_ping");
            Assert.Equal(request!.SpanId, publish.ParentSpanId);
        }
        var handle = Assert.Single(recorder.Stopped, a => a.OperationName == "handle test_ping");
        Assert.Equal(ActivityStatusCode.Error, handle.Status);
        Assert.Equal("boom", handle.StatusDescription);
        Assert.Equal(typeof(InvalidOperationException).FullName, handle.GetTagItem("exception.type"));
    }

    [Fact]
    public void A_caching_topic_on_the_publishers_thread_traces_its_update_and_leaves_the_callers_activity_current()
    {
        var topic = NewTopic("tracing:cached");
        using var recorder = new ActivityRecorder(StasisTelemetry.ActivitySourceName, Bus);
        var cache = new StasisCache(Bus, m => (m.Data as Support.Ping)?.Seq.ToString(System.Globalization.CultureInfo.InvariantCulture));
        var cached = cache.CreateCachingTopic(topic);
        using var caller = new ActivitySource("caller-" + Guid.NewGuid());
        using var callerListener = ActivityRecorder.ListenTo(caller.Name);
        using var request = caller.StartActivity("request");

        topic.Publish(Ping(1)); // the caching topic runs inline: its spans are done when Publish returns

        Assert.Same(request, Activity.Current);
        var publish = Assert.Single(recorder.Stopped, a => a.OperationName == "publish test_ping");
        var handle = Assert.Single(recorder.Stopped, a => a.OperationName == "handle test_ping");
        Assert.Equal(publish.SpanId, handle.ParentSpanId);
        var update = Assert.Single(recorder.Stopped, a => a.OperationName == "publish stasis_cache_update_type");
        Assert.Equal(cached.Topic.Name, update.GetTagItem(StasisTelemetry.TopicTag));
        Assert.Equal(handle.SpanId, update.ParentSpanId); // the CacheUpdate is published from inside the handler call
    }

    [Fact]
    public async Task Without_a_listener_no_activity_is_made_and_handlers_see_none()
    {
        var topic = NewTopic();
        var started = 0;
        using var other = new ActivityListener
        {
            ShouldListenTo = source => source.Name != StasisTelemetry.ActivitySourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStarted = a => { if (a.Source.Name == StasisTelemetry.ActivitySourceName) Interlocked.Increment(ref started); },
        };
        ActivitySource.AddActivityListener(other);
        var seen = new ConcurrentBag<string>();
        var sub = topic.Subscribe((s, t, m) => seen.Add(Activity.Current?.OperationName ?? "none"));
        for (var i = 0; i < 100; i++)
            topic.Publish(Ping(i));
        await Await(sub.UnsubscribeAndJoinAsync());
        Assert.Equal(0, Volatile.Read(ref started));
        Assert.All(seen, name => Assert.Equal("none", name));
        Assert.Equal(102, seen.Count);
    }

    /// <summary>Records the stopped activities of one source; only those of one bus's actor system are kept apart by topic names.</summary>
    private sealed class ActivityRecorder : IDisposable
    {
        private readonly ActivityListener _listener;
        private readonly ConcurrentQueue<Activity> _stopped = new();

        public ActivityRecorder(string source, StasisBus bus)
        {
            _listener = new ActivityListener
            {
                ShouldListenTo = s => s.Name == source,
                Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
                ActivityStopped = a =>
                {
                    if (a.GetTagItem(StasisTelemetry.TopicTag) is string topic && bus.GetTopic(topic) is not null)
                        _stopped.Enqueue(a);
                },
            };
            ActivitySource.AddActivityListener(_listener);
        }

        public IReadOnlyList<Activity> Stopped => [.. _stopped];

        public static ActivityListener ListenTo(string source)
        {
            var listener = new ActivityListener
            {
                ShouldListenTo = s => s.Name == source,
                Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            };
            ActivitySource.AddActivityListener(listener);
            return listener;
        }

        public void Dispose() => _listener.Dispose();
    }
}
