using System.Net;
using System.Net.Sockets;
using Stasis.Host.Tests.Support;

namespace Stasis.Host.Tests;

/// <summary>Two hosts in this process as cluster nodes on 127.0.0.1, the second seeding the first, as the README runs them.</summary>
[Collection(HostRunner.Collection)]
[Trait("Category", "Cluster")]
public sealed class ClusterRunSpec
{
    [Fact]
    public async Task Two_hosts_count_each_others_channel_messages_and_both_exit_0()
    {
        var (first, second) = LoopbackPorts.Pair();
        var config = Path.GetTempFileName();
        // Each host places calls only once the other receives its channel:all, so both run their 3 s together.
        await File.WriteAllTextAsync(config, "stasis-host.cluster { wait-for-nodes = 1, wait-for-nodes-timeout = 15s, join-timeout = 15s }");
        try
        {
            using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(20)); // as Ctrl+C, should a run not end by itself
            string[] common = ["--duration", "3", "--calls-per-second", "50", "--hold-ms", "200", "--quiet", "--config", config];
            var results = await Task.WhenAll(
                HostRunner.RunAsync([.. common, "--cluster-port", LoopbackPorts.Text(first)], stop.Token),
                HostRunner.RunAsync([.. common, "--cluster-port", LoopbackPorts.Text(second), "--seed", $"127.0.0.1:{LoopbackPorts.Text(first)}"], stop.Token))
                .WaitAsync(TimeSpan.FromSeconds(60));

            Assert.False(stop.IsCancellationRequested, "the runs did not end within 20 s");
            foreach (var result in results)
            {
                result.AssertSucceeded();
                var report = result.Outcome.Report!;
                var cluster = Assert.IsType<Hosting.ClusterReport>(report.Cluster);
                Assert.Equal(1, cluster.MostOtherNodes);
                Assert.True(report.CountedRemote.Values.Sum() > 0, result.Output);
                Assert.True(cluster.Received > 0, result.Output);
                foreach (var (type, published) in report.PublishedByType)
                    Assert.Equal(published, report.CountedLocal.GetValueOrDefault(type)); // this node's own counts stay exact
                Assert.Contains("remote", result.Output);
            }
        }
        finally
        {
            File.Delete(config);
        }
    }

    [Fact]
    public async Task A_node_whose_seed_does_not_answer_fails_with_exit_1_naming_the_seed()
    {
        var (port, silentSeed) = LoopbackPorts.Pair();
        var config = Path.GetTempFileName();
        await File.WriteAllTextAsync(config, "stasis-host.cluster.join-timeout = 2s");
        try
        {
            var result = await HostRunner.RunAsync("--cluster-port", LoopbackPorts.Text(port), "--seed", $"127.0.0.1:{LoopbackPorts.Text(silentSeed)}", "--quiet", "--config", config)
                .WaitAsync(TimeSpan.FromSeconds(60));

            Assert.True(result.ExitCode == 1, result.Output + result.Error);
            var line = Assert.Single(result.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
            Assert.StartsWith($"stasis-host: error: cluster: not a member after 2 s (seeds: 127.0.0.1:{LoopbackPorts.Text(silentSeed)})", line);
            Assert.Equal("", result.Output); // Akka's start-up lines and the exception only with --verbose
            Assert.Null(result.Outcome.Report);
        }
        finally
        {
            File.Delete(config);
        }
    }

    [Fact]
    public async Task A_cluster_port_already_in_use_fails_with_exit_1_and_one_line()
    {
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        var port = ((IPEndPoint)taken.LocalEndpoint).Port;

        var result = await HostRunner.RunAsync("--cluster-port", LoopbackPorts.Text(port), "--duration", "1", "--quiet").WaitAsync(TimeSpan.FromSeconds(60));

        Assert.True(result.ExitCode == 1, result.Output + result.Error);
        Assert.Contains($"stasis-host: error: Failed to bind to [127.0.0.1:{LoopbackPorts.Text(port)}]", result.Error);
        Assert.Single(result.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal("", result.Output); // no ERR lines or stack trace from Akka's remoting

        var verbose = await HostRunner.RunAsync("--cluster-port", LoopbackPorts.Text(port), "--duration", "1", "--verbose").WaitAsync(TimeSpan.FromSeconds(60));
        Assert.Equal(1, verbose.ExitCode);
        Assert.StartsWith("stasis-host: error: Failed to bind", verbose.Error);
        Assert.Contains("SocketException", verbose.Error + verbose.Output); // the exception, for whoever asked
    }
}
