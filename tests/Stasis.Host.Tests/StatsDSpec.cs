using Stasis.Host.StatsD;
using Stasis.Host.Tests.Support;

namespace Stasis.Host.Tests;

public sealed class StatsDSpec
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Overlapping_flushes_never_send_a_count_twice()
    {
        // Timer callbacks may overlap (a slow flush, a starved thread pool): each change must still go out once.
        using var listener = new StatsDListener();
        using var client = StatsDClient.Connect(StatsDEndpoint.Parse(listener.Endpoint, "test"), 512, _ => { });
        var metrics = new Metrics(client, "", "c");
        for (var round = 0; round < 200; round++)
        {
            for (var i = 0; i < 50; i++)
                metrics.Meter("m" + i, 1);
            using var barrier = new Barrier(4);
            await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(() =>
            {
                barrier.SignalAndWait();
                metrics.Flush();
            }))).WaitAsync(Timeout);
        }
        Assert.Equal(200 * 50, client.SentLines);
    }

    [Fact]
    public async Task Lines_are_batched_into_packets_of_at_most_the_max_size_and_never_split()
    {
        using var listener = new StatsDListener();
        using var client = StatsDClient.Connect(StatsDEndpoint.Parse(listener.Endpoint, "test"), 64, _ => { });
        var lines = Enumerable.Range(0, 40).Select(i => $"metric.number.{i}:{i}|c").ToList();

        lines.ForEach(client.Write);
        client.Flush();
        await listener.WaitForLinesAsync(lines.Count, Timeout);

        Assert.True(listener.Packets.Count > 1);
        Assert.All(listener.Packets, p => Assert.InRange(p.Length, 1, 64));
        Assert.Equal(lines, listener.Lines);
        Assert.Equal(lines.Count, client.SentLines);
    }

    [Fact]
    public async Task Flush_sends_counts_and_gauge_changes_since_the_last_flush_and_each_timer_value()
    {
        using var listener = new StatsDListener();
        using var client = StatsDClient.Connect(StatsDEndpoint.Parse(listener.Endpoint, "test"), 512, _ => { });
        var metrics = new Metrics(client, "pbx1", "m");

        metrics.Meter("stasis.message.a", 3);
        metrics.Gauge("channels.count", +2);
        metrics.Timer("channels.calltime", 120);
        metrics.Flush();
        metrics.Gauge("channels.count", -2);
        metrics.Flush();
        metrics.Flush(); // nothing changed: nothing sent
        await listener.WaitForLinesAsync(4, Timeout);

        Assert.Equal(
            ["pbx1.channels.calltime:120|ms", "pbx1.stasis.message.a:3|m", "pbx1.channels.count:+2|g", "pbx1.channels.count:-2|g"],
            listener.Lines);
        Assert.Equal(3, metrics.Meters["stasis.message.a"]);
        Assert.Equal(0, metrics.GaugeValue("channels.count"));
    }

    [Theory]
    [InlineData("127.0.0.1:8125", "127.0.0.1", 8125)]
    [InlineData("statsd.local:9125", "statsd.local", 9125)]
    [InlineData("[::1]:8125", "::1", 8125)]
    public void An_endpoint_parses_as_host_and_port(string text, string host, int port) =>
        Assert.Equal(new StatsDEndpoint(host, port), StatsDEndpoint.Parse(text, "test"));

    [Fact]
    public void A_histogram_percentile_is_within_a_bucket_of_the_true_value()
    {
        var histogram = new LatencyHistogram();
        for (var v = 1; v <= 1000; v++)
            histogram.Record(v);

        Assert.InRange(histogram.Percentile(50), 500, 500 * 1.25);
        Assert.InRange(histogram.Percentile(99), 990, 990 * 1.25);
        Assert.Equal(0, new LatencyHistogram().Percentile(99));
    }
}
