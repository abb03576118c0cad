using Stasis.Cluster.Benchmarks.Workloads;

namespace Stasis.Cluster.Benchmarks.Quick;

/// <summary>Detail lines behind the ratios: what the Stasis nodes counted.</summary>
public static class Diagnostics
{
    /// <summary>Sent, received and rejected counts of each node.</summary>
    public static IEnumerable<string> ClusterCounters(BenchCluster cluster) =>
        cluster.Nodes.Select((n, i) => $"node {i}: sent {n.SentCount} received {n.ReceivedCount} rejected {n.RejectedCount}");

    /// <summary>The machine's load averages (1, 5, 15 minutes), from /proc/loadavg where there is one.</summary>
    public static string LoadAverage()
    {
        try
        {
            var parts = File.ReadAllText("/proc/loadavg").Split(' ');
            return $"load average {parts[0]} {parts[1]} {parts[2]}";
        }
        catch (IOException)
        {
            return "load average unknown";
        }
    }
}
