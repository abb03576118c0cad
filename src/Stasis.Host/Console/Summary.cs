using System.Globalization;
using Stasis.Host.ChanStats;
using Stasis.Host.Hosting;
using Stasis.Host.StatsD;

namespace Stasis.Host.Console;

/// <summary>What a finished run did: the numbers of the summary, also read by the tests.</summary>
/// <param name="Elapsed">How long the traffic ran.</param>
/// <param name="CallsPlaced">Calls placed.</param>
/// <param name="CallsCompleted">Calls hung up.</param>
/// <param name="PublishedByType">Messages the traffic published, per message type name.</param>
/// <param name="Meters">The chan-stats meters (stasis.message.*), per name: every node's messages.</param>
/// <param name="CountedLocal">Messages made on this node that chan-stats counted, per message type name.</param>
/// <param name="CountedRemote">Messages from other cluster nodes that chan-stats counted, per message type name.</param>
/// <param name="ChannelCount">The final value of the channels.count gauge.</param>
/// <param name="CallTime">The channels.calltime timer, or null when no call ended.</param>
/// <param name="HandlerTimes">Run times of both chan-stats handlers together, in nanoseconds.</param>
/// <param name="FinalMessages">Final messages the chan-stats module handled (2 when it unloaded cleanly).</param>
/// <param name="Drained">True when the modules handled every published message before the summary.</param>
/// <param name="StatsD">The StatsD client, or null when metrics went to the console only.</param>
/// <param name="StatsDEndpoint">Where StatsD lines went, or null.</param>
/// <param name="Cluster">The cluster node's numbers, or null when the host was not a cluster node.</param>
internal sealed record RunReport(
    TimeSpan Elapsed,
    long CallsPlaced,
    long CallsCompleted,
    IReadOnlyDictionary<string, long> PublishedByType,
    IReadOnlyDictionary<string, long> Meters,
    IReadOnlyDictionary<string, long> CountedLocal,
    IReadOnlyDictionary<string, long> CountedRemote,
    long ChannelCount,
    TimerStats? CallTime,
    LatencyHistogram HandlerTimes,
    int FinalMessages,
    bool Drained,
    StatsDClient? StatsD,
    StatsDEndpoint? StatsDEndpoint,
    ClusterReport? Cluster = null)
{
    /// <summary>Messages published, all types.</summary>
    public long Published => PublishedByType.Values.Sum();

    /// <summary>Prints the summary.</summary>
    public void Write(ConsoleStyle style)
    {
        var o = style.Out;
        var columns = new TextColumns(48, 12);
        var seconds = Math.Max(Elapsed.TotalSeconds, 0.001);
        o.WriteLine();
        o.WriteLine(style.Bold($"Summary after {Elapsed.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture)} s"));
        o.WriteLine(columns.Format("  calls placed / completed", $"{LiveTable.Number(CallsPlaced)} / {LiveTable.Number(CallsCompleted)}"));
        o.WriteLine(columns.Format("  messages published", LiveTable.Number(Published)) + $"  ({LiveTable.Number((long)(Published / seconds))}/s)");
        var meters = new TextColumns(48, 12, 12, 12);
        o.WriteLine();
        o.WriteLine(style.Dim(Cluster is null
            ? meters.Format("  meter", "published", "counted")
            : meters.Format("  meter (counted: this node's / other nodes')", "published", "counted", "remote")));
        foreach (var (name, count) in Meters.OrderBy(m => m.Key, StringComparer.Ordinal))
        {
            var type = name.StartsWith(ChanStatsModule.MessageMeterPrefix, StringComparison.Ordinal) ? name[ChanStatsModule.MessageMeterPrefix.Length..] : name;
            var published = PublishedByType.TryGetValue(type, out var p) ? LiveTable.Number(p) : "-";
            o.WriteLine(Cluster is null
                ? meters.Format("  " + name, published, LiveTable.Number(count))
                : meters.Format("  " + name, published, LiveTable.Number(CountedLocal.GetValueOrDefault(type)), LiveTable.Number(CountedRemote.GetValueOrDefault(type))));
        }
        o.WriteLine();
        o.WriteLine(columns.Format($"  {ChanStatsModule.ChannelCount} (gauge, at the end{(Cluster is null ? "" : ", all nodes")})", LiveTable.Number(ChannelCount)));
        if (CallTime is { } calls)
            o.WriteLine(columns.Format($"  {ChanStatsModule.CallTime} (timer, ms)",
                $"n={LiveTable.Number(calls.Count)}  min {calls.Min}  avg {calls.Mean.ToString("0", CultureInfo.InvariantCulture)}  p99 {Math.Min(calls.Histogram.Percentile(99), calls.Max)}  max {calls.Max}"));
        o.WriteLine(columns.Format("  handler time (chan_stats, both subscriptions)",
            $"p50 {Micro(HandlerTimes.Percentile(50))}  p90 {Micro(HandlerTimes.Percentile(90))}  p99 {Micro(HandlerTimes.Percentile(99))}  p99.9 {Micro(HandlerTimes.Percentile(99.9))}"));
        o.WriteLine(columns.Format("  final messages handled", FinalMessages.ToString(CultureInfo.InvariantCulture)) + (Drained ? "" : "  (modules had not caught up: drain timeout)"));
        if (Cluster is { } cluster)
        {
            o.WriteLine(columns.Format("  cluster node", cluster.Address) + $"  (EID {cluster.Eid})");
            o.WriteLine(columns.Format("  other nodes (most at once)", LiveTable.Number(cluster.MostOtherNodes)));
            o.WriteLine(columns.Format("  messages sent to / received from the cluster", $"{LiveTable.Number(cluster.Sent)} / {LiveTable.Number(cluster.Received)}")
                        + (cluster.Rejected == 0 ? "" : $"  ({LiveTable.Number(cluster.Rejected)} rejected)"));
        }
        o.WriteLine(StatsD is null
            ? "  statsd: off (use --statsd HOST:PORT to send these metrics)"
            : $"  statsd {StatsDEndpoint}: {LiveTable.Number(StatsD.SentLines)} lines in {LiveTable.Number(StatsD.SentPackets)} packets (<= {StatsD.MaxPacketSize} bytes), {LiveTable.Number(StatsD.FailedPackets)} failed");
        o.Flush();
    }

    private static string Micro(long nanoseconds) =>
        (nanoseconds / 1000.0).ToString(nanoseconds < 10_000 ? "0.0" : "0", CultureInfo.InvariantCulture) + " us";
}
