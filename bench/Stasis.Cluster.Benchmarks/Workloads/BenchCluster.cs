using System.Diagnostics;
using Akka.Actor;
using Akka.Configuration;
using Stasis.Actors.Cluster;
using Stasis.Actors.Cluster.Internal;

namespace Stasis.Cluster.Benchmarks.Workloads;

/// <summary>A benchmark payload: what both paths publish, one new instance per message.</summary>
public sealed record Sample(int Seq, string Text);

/// <summary>N in-process cluster nodes on 127.0.0.1 (node 0 is the seed and the publisher); terminated on dispose.</summary>
public sealed class BenchCluster : IAsyncDisposable
{
    public const string SystemName = "stasis-bench";

    private BenchCluster(StasisCluster[] nodes) => Nodes = nodes;

    public StasisCluster[] Nodes { get; }

    /// <summary>The nodes whose receivers must get every message: the others, or node 0 itself when it is alone.</summary>
    public StasisCluster[] Receivers => Nodes.Length == 1 ? Nodes : Nodes[1..];

    /// <summary>Starts <paramref name="count"/> nodes (extra HOCON first) and waits until each sees all of them up.</summary>
    public static async Task<BenchCluster> Start(int count, string extraConfig = "")
    {
        var seedPort = LoopbackPort.Free();
        var nodes = Enumerable.Range(0, count).Select(i =>
        {
            var config = ConfigurationFactory.ParseString(extraConfig + """

                akka.loglevel = ERROR
                stasis.subscription.high-water-mark = 10000000
                akka.cluster.pub-sub.gossip-interval = 200ms
                akka.cluster.gossip-interval = 200ms
                akka.cluster.leader-actions-interval = 200ms
                """).WithFallback(StasisCluster.NodeConfig(SystemName, i == 0 ? seedPort : LoopbackPort.Free(), [$"127.0.0.1:{seedPort}"]));
            return StasisCluster.Get(ActorSystem.Create(SystemName, config));
        }).ToArray();
        var cluster = new BenchCluster(nodes);
        var deadline = Stopwatch.StartNew();
        while (nodes.Any(n => Akka.Cluster.Cluster.Get(n.System).State.Members.Count(m => m.Status == Akka.Cluster.MemberStatus.Up) < count))
        {
            if (deadline.Elapsed > TimeSpan.FromSeconds(60))
            {
                await cluster.DisposeAsync();
                throw new TimeoutException("The benchmark cluster did not form within 60 s.");
            }
            await Task.Delay(100);
        }
        return cluster;
    }

    public async ValueTask DisposeAsync() =>
        await Task.WhenAll(Nodes.Select(n => n.System.Terminate())).WaitAsync(TimeSpan.FromSeconds(30));
}
