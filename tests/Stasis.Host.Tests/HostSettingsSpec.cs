using Stasis.Host.Cli;
using Stasis.Host.Configuration;

namespace Stasis.Host.Tests;

public sealed class HostSettingsSpec
{
    [Fact]
    public void Host_conf_gives_every_default()
    {
        var settings = HostSettings.Load(CommandLine.Parse([]));

        Assert.Equal(TimeSpan.FromSeconds(15), settings.Duration);
        Assert.Equal(TimeSpan.FromSeconds(2), settings.TopicsRunDuration);
        Assert.Equal(200, settings.Traffic.CallsPerSecond);
        Assert.Equal(TimeSpan.FromMilliseconds(1000), settings.Traffic.HoldTime);
        Assert.Equal(TimeSpan.FromMilliseconds(10), settings.Traffic.TickInterval);
        Assert.Equal("PJSIP", settings.Traffic.Technology);
        Assert.Null(settings.StatsD.Endpoint);
        Assert.Equal("", settings.StatsD.Prefix);
        Assert.Equal(512, settings.StatsD.MaxPacketSize);
        Assert.Equal(TimeSpan.FromMilliseconds(100), settings.StatsD.FlushInterval);
        Assert.Equal("c", settings.StatsD.MeterType);
        Assert.False(settings.Console.Quiet);
        Assert.Equal(TimeSpan.FromSeconds(1), settings.Console.RefreshInterval);
        Assert.Equal(TimeSpan.FromSeconds(10), settings.Console.DrainTimeout);
        Assert.Equal(["Stasis.Host.Console.HostLogger, Stasis.Host"], settings.Config.GetStringList("akka.loggers"));
        Assert.Null(settings.Cluster); // not a cluster node
        Assert.Equal(500, settings.Config.GetInt("stasis.subscription.high-water-mark")); // the bus library's defaults are the last layer
    }

    [Fact]
    public void Command_line_flags_override_host_conf()
    {
        var settings = HostSettings.Load(CommandLine.Parse(
            ["--duration", "0", "--calls-per-second", "1000", "--hold-ms", "250", "--statsd", "stats.example:8125", "--quiet"]));

        Assert.Equal(TimeSpan.Zero, settings.Duration);
        Assert.Equal(1000, settings.Traffic.CallsPerSecond);
        Assert.Equal(TimeSpan.FromMilliseconds(250), settings.Traffic.HoldTime);
        Assert.Equal(new StatsD.StatsDEndpoint("stats.example", 8125), settings.StatsD.Endpoint);
        Assert.True(settings.Console.Quiet);
    }

    [Fact]
    public void Cluster_flags_make_the_host_a_node_with_channel_all_clustered()
    {
        var settings = HostSettings.Load(CommandLine.Parse(["--cluster-port", "4054", "--seed", "127.0.0.1:4053", "--seed", "10.0.0.2:4053"]));

        var cluster = Assert.IsType<ClusterSettings>(settings.Cluster);
        Assert.Equal(4054, cluster.Port);
        Assert.Equal(["127.0.0.1:4053", "10.0.0.2:4053"], cluster.Seeds);
        var node = cluster.NodeConfig(HostSettings.SystemName);
        Assert.Equal(["channel:all"], node.GetStringList("stasis.cluster.clustered-topics"));
        Assert.Equal(["akka.tcp://stasis-host@127.0.0.1:4053", "akka.tcp://stasis-host@10.0.0.2:4053"], node.GetStringList("akka.cluster.seed-nodes"));
        Assert.Equal(4054, node.GetInt("akka.remote.dot-netty.tcp.port"));
        Assert.Equal("cluster", node.GetString("akka.actor.provider"));
    }

    [Fact]
    public void A_cluster_node_without_seeds_is_its_own_seed()
    {
        var settings = HostSettings.Load(CommandLine.Parse(["--cluster-port", "4053"]));

        var node = settings.Cluster!.NodeConfig(HostSettings.SystemName);
        Assert.Empty(settings.Cluster.Seeds);
        Assert.Equal(["akka.tcp://stasis-host@127.0.0.1:4053"], node.GetStringList("akka.cluster.seed-nodes"));
    }

    [Fact]
    public void Only_the_gateway_credentials_not_configured_are_generated_and_marked_so()
    {
        var file = Path.GetTempFileName();
        File.WriteAllText(file, "stasis-host.gateway.token = configured-token");
        try
        {
            var gateway = HostSettings.Load(CommandLine.Parse(["--config", file])).Gateway;

            Assert.Equal("configured-token", gateway.Token);
            Assert.False(gateway.TokenGenerated); // so never printed
            Assert.True(gateway.AmiSecretGenerated);
            Assert.Matches("^[0-9a-f]{24}$", gateway.AmiSecret);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public void Config_file_overrides_host_conf_and_flags_override_the_file()
    {
        var file = Path.GetTempFileName();
        File.WriteAllText(file, "stasis-host { duration = 3s, traffic.calls-per-second = 7, statsd.prefix = pbx1 }");
        try
        {
            var settings = HostSettings.Load(CommandLine.Parse(["--config", file, "--calls-per-second", "9"]));

            Assert.Equal(TimeSpan.FromSeconds(3), settings.Duration);
            Assert.Equal(9, settings.Traffic.CallsPerSecond);
            Assert.Equal("pbx1", settings.StatsD.Prefix);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Theory]
    [InlineData("stasis-host.statsd.endpoint = \"nohost\"")]
    [InlineData("stasis-host.statsd.meter-type = x")]
    [InlineData("stasis-host.traffic.calls-per-second = -1")]
    [InlineData("stasis-host.console.drain-timeout = 0s")]
    [InlineData("stasis.subscription.failure-policy = explode")]
    [InlineData("stasis-host { duration = ")]
    [InlineData("stasis-host.cluster { port = 4053, seeds = [\"nohost\"] }")]
    [InlineData("stasis-host.cluster.port = 70000")]
    [InlineData("stasis-host.cluster { port = 4053, wait-for-nodes = -1 }")]
    public void A_bad_configuration_value_is_a_usage_error(string hocon)
    {
        var file = Path.GetTempFileName();
        File.WriteAllText(file, hocon);
        try
        {
            var error = Assert.Throws<UsageException>(() => HostSettings.Load(CommandLine.Parse(["--config", file])));
            // A value's mistake names its key; the file's own (its structure) name the file.
            Assert.True(error.Message.StartsWith("configuration: stasis", StringComparison.Ordinal)
                || error.Message.StartsWith(file + ": ", StringComparison.Ordinal), error.Message);
        }
        finally
        {
            File.Delete(file);
        }
    }
}
