using System.Diagnostics;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using Stasis.Actors.OpenTelemetry;
using Stasis.Actors.Tests.Support;
using Xunit.Abstractions;

namespace Stasis.Actors.Tests.Metrics;

/// <summary>AddStasisInstrumentation in a real OpenTelemetry SDK pipeline, exporting to memory.</summary>
public sealed class OpenTelemetrySpec(ITestOutputHelper output) : StasisSpec(output)
{
    [Fact]
    public async Task The_instrumentation_exports_the_publish_and_handler_spans_and_the_bus_metrics()
    {
        var spans = new List<Activity>();
        var metrics = new List<Metric>();
        using (var tracing = Sdk.CreateTracerProviderBuilder().AddStasisInstrumentation().AddInMemoryExporter(spans).Build())
        using (var meters = Sdk.CreateMeterProviderBuilder().AddStasisInstrumentation().AddInMemoryExporter(metrics).Build())
        {
            var topic = NewTopic("otel:spec");
            var sub = topic.Subscribe((s, t, m) => { }, new SubscriptionOptions { Name = "otel" });
            Assert.True(await Await(topic.PublishSyncAsync(Ping(1), sub)));
            Assert.True(meters!.ForceFlush()); // while the subscription is live: its counters are observed
            await Await(sub.UnsubscribeAndJoinAsync());
            Assert.True(tracing!.ForceFlush());
        }

        var publish = Assert.Single(spans, s => s.OperationName == "publish test_ping" && (string?)s.GetTagItem(StasisTelemetry.TopicTag) == "otel:spec");
        var handle = Assert.Single(spans, s => s.OperationName == "handle test_ping" && (string?)s.GetTagItem(StasisTelemetry.SubscriptionTag) == "otel");
        Assert.Equal(publish.SpanId, handle.ParentSpanId);
        Assert.Contains(metrics, m => m.Name == "stasis.messages.published" && m.MeterName == StasisTelemetry.MeterName);
        Assert.Contains(metrics, m => m.Name == "stasis.subscription.handled");
    }
}
