using Akka.Configuration;

namespace Stasis.Actors.Cluster.Tests.Configuration;

public sealed class StasisClusterSettingsSpec
{
    [Fact]
    public void Defaults_are_read_from_the_embedded_reference_config()
    {
        var settings = StasisClusterSettings.Create(Config.Empty);

        Assert.Empty(settings.ClusteredTopics);
        Assert.Equal("stasis:cluster", settings.SystemTopic);
        Assert.Equal(TimeSpan.FromSeconds(10), settings.AckTimeout);
        Assert.Equal(TimeSpan.FromMilliseconds(250), settings.SubscriberProbeInterval);
        Assert.Equal(ClusterPayloadCodec.Json, settings.PayloadCodec);
    }

    [Fact]
    public void Reference_config_runs_on_the_cluster_provider_with_the_split_brain_resolver_and_the_wire_serializer()
    {
        var config = StasisCluster.DefaultConfig;

        Assert.Equal("cluster", config.GetString("akka.actor.provider"));
        Assert.Equal("Akka.Cluster.SBR.SplitBrainResolverProvider, Akka.Cluster", config.GetString("akka.cluster.downing-provider-class"));
        Assert.Equal("keep-majority", config.GetString("akka.cluster.split-brain-resolver.active-strategy"));
        Assert.Contains("StasisWireSerializer", config.GetString("akka.actor.serializers.stasis-wire"));
    }

    [Fact]
    public void Clustered_topics_match_exact_names_and_star_patterns()
    {
        var settings = StasisClusterSettings.Create(ConfigurationFactory.ParseString("""stasis.cluster.clustered-topics = ["channel:all", "device_state:*"]"""));

        Assert.True(settings.IsClusteredByDefault("channel:all"));
        Assert.False(settings.IsClusteredByDefault("channel:all/1"));
        Assert.True(settings.IsClusteredByDefault("device_state:SIP/100"));
        Assert.False(settings.IsClusteredByDefault("device_state"));
    }

    [Fact]
    public void Out_of_range_values_are_rejected_naming_the_key()
    {
        var failure = Assert.Throws<ConfigurationException>(() => StasisClusterSettings.Create(ConfigurationFactory.ParseString("stasis.cluster.ack-timeout = 0s")));

        Assert.Contains("stasis.cluster.ack-timeout", failure.Message);
    }

    [Fact]
    public void Node_config_turns_seeds_into_cluster_addresses()
    {
        var config = StasisCluster.NodeConfig("pbx", 4053, ["10.0.0.1:4053", "host-b:5000"]);

        Assert.Equal(4053, config.GetInt("akka.remote.dot-netty.tcp.port"));
        Assert.Equal(["akka.tcp://pbx@10.0.0.1:4053", "akka.tcp://pbx@host-b:5000"], config.GetStringList("akka.cluster.seed-nodes"));
        Assert.Equal(["akka.tcp://pbx@127.0.0.1:4053"], StasisCluster.NodeConfig("pbx", 4053).GetStringList("akka.cluster.seed-nodes"));
        Assert.Throws<ArgumentException>(() => StasisCluster.NodeConfig("pbx", 4053, ["no-port"]));
    }
}
