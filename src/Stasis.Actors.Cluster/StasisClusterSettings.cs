using System.Text.RegularExpressions;
using Akka.Actor;
using Akka.Configuration;

namespace Stasis.Actors.Cluster;

/// <summary>
/// The cluster settings, read once from <c>stasis.cluster { }</c> (defaults: <c>hocon/stasis-cluster.conf</c>, embedded
/// in this library as <see cref="StasisCluster.DefaultConfig"/>). Immutable; change with the <c>with</c> expression.
/// </summary>
/// <param name="ClusteredTopics">Names or <c>*</c>-patterns of the topics clustered as soon as they exist.</param>
/// <param name="SystemTopic">The local topic on which <see cref="NodeJoined"/> and <see cref="NodeLeft"/> are published.</param>
/// <param name="AckTimeout">Default wait of <see cref="StasisCluster.PublishWithAckAsync"/>.</param>
/// <param name="SubscriberProbeInterval">Probe period of <see cref="StasisCluster.WaitForSubscribersAsync(Topic, int, TimeSpan?, CancellationToken)"/>.</param>
/// <param name="PayloadCodec">How payloads are written on the wire (<c>payload-codec</c>); every node must use the same.</param>
public sealed record StasisClusterSettings(
    IReadOnlyList<string> ClusteredTopics,
    string SystemTopic,
    TimeSpan AckTimeout,
    TimeSpan SubscriberProbeInterval,
    ClusterPayloadCodec PayloadCodec = ClusterPayloadCodec.Json)
{
    /// <summary>Reads the settings from <paramref name="config"/>, falling back to the embedded defaults.</summary>
    /// <exception cref="ConfigurationException">A key holds a value outside its documented range.</exception>
    public static StasisClusterSettings Create(Config config)
    {
        ArgumentNullException.ThrowIfNull(config);
        var section = config.WithFallback(StasisCluster.DefaultConfig).GetConfig("stasis.cluster");
        var topics = section.GetStringList("clustered-topics").Select(s => s.Trim()).Where(s => s.Length > 0).ToList();
        var systemTopic = section.GetString("system-topic", "");
        if (string.IsNullOrWhiteSpace(systemTopic))
            throw new ConfigurationException("stasis.cluster.system-topic must be a non-empty topic name.");
        var ackTimeout = section.GetTimeSpan("ack-timeout");
        if (ackTimeout <= TimeSpan.Zero)
            throw new ConfigurationException($"stasis.cluster.ack-timeout must be positive, was {ackTimeout}.");
        var probe = section.GetTimeSpan("subscriber-probe-interval");
        if (probe <= TimeSpan.Zero)
            throw new ConfigurationException($"stasis.cluster.subscriber-probe-interval must be positive, was {probe}.");
        var codec = section.GetString("payload-codec", "json").Trim().ToLowerInvariant() switch
        {
            "json" => ClusterPayloadCodec.Json,
            "messagepack" => ClusterPayloadCodec.MessagePack,
            var other => throw new ConfigurationException($"stasis.cluster.payload-codec must be json or messagepack, was '{other}'."),
        };
        return new StasisClusterSettings(topics, systemTopic.Trim(), ackTimeout, probe, codec);
    }

    /// <summary>Reads the settings of <paramref name="system"/>.</summary>
    public static StasisClusterSettings Create(ActorSystem system)
    {
        ArgumentNullException.ThrowIfNull(system);
        return Create(system.Settings.Config);
    }

    /// <summary>True when <paramref name="topicName"/> is listed in <see cref="ClusteredTopics"/> (exactly or by a <c>*</c>-pattern).</summary>
    public bool IsClusteredByDefault(string topicName) =>
        ClusteredTopics.Any(pattern => pattern.Contains('*')
            ? Regex.IsMatch(topicName, "^" + string.Join(".*", pattern.Split('*').Select(Regex.Escape)) + "$", RegexOptions.CultureInvariant)
            : string.Equals(pattern, topicName, StringComparison.Ordinal));
}

/// <summary>How payloads of clustered topics are written on the wire (<c>stasis.cluster.payload-codec</c>); every node must use the same.</summary>
public enum ClusterPayloadCodec
{
    /// <summary><c>json</c>: System.Text.Json documents (the default); converters go to <see cref="StasisCluster.PayloadJsonOptions"/>.</summary>
    Json,

    /// <summary><c>messagepack</c>: MessagePack maps written by its contractless resolver (member names as keys, no type information); faster and smaller.</summary>
    MessagePack,
}
