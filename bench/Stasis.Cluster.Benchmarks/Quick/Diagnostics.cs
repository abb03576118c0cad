using Stasis.Cluster.Benchmarks.Workloads;

namespace Stasis.Cluster.Benchmarks.Quick;

/// <summary>Detail lines behind the ratios: what the Stasis nodes counted.</summary>
public static class Diagnostics
{
    /// <summary>Sent, received and rejected counts of each node.</summary>
    public static IEnumerable<string> ClusterCounters(BenchCluster cluster) =>
        cluster.Nodes.Select((n, i) => $"node {i}: sent {n.SentCount} received {n.ReceivedCount} rejected {n.RejectedCount}");
}
