using Akka.Configuration;
using Akka.Hosting.Configuration;
using Microsoft.Extensions.Configuration;
using Stasis.Actors.Cluster;
using Stasis.Actors.Configuration;
using Stasis.Host.Cli;
using Stasis.Host.StatsD;

namespace Stasis.Host.Configuration;

/// <summary>The traffic actor's settings (<c>stasis-host.traffic</c>).</summary>
/// <param name="CallsPerSecond">Calls placed per second.</param>
/// <param name="HoldTime">Time from a call's creation to its hang-up.</param>
/// <param name="TickInterval">How often the traffic actor wakes up.</param>
/// <param name="Technology">The channel technology shown in channel names.</param>
internal sealed record TrafficSettings(double CallsPerSecond, TimeSpan HoldTime, TimeSpan TickInterval, string Technology);

/// <summary>The StatsD output's settings (<c>stasis-host.statsd</c>).</summary>
/// <param name="Endpoint">Where to send; null for the console summary only.</param>
/// <param name="Prefix">Prefix of every metric name (without the dot), or empty.</param>
/// <param name="MaxPacketSize">Largest UDP payload in bytes.</param>
/// <param name="FlushInterval">How often lines are sent.</param>
/// <param name="MeterType">The StatsD type letter of the message meters: "m" or "c".</param>
internal sealed record StatsDSettings(StatsDEndpoint? Endpoint, string Prefix, int MaxPacketSize, TimeSpan FlushInterval, string MeterType);

/// <summary>The console's settings (<c>stasis-host.console</c>).</summary>
/// <param name="Quiet">Only the summary is printed.</param>
/// <param name="RefreshInterval">How often the live table prints a row.</param>
/// <param name="DrainTimeout">How long the end of a run waits for the modules to catch up.</param>
internal sealed record ConsoleSettings(bool Quiet, TimeSpan RefreshInterval, TimeSpan DrainTimeout);

/// <summary>The gateway's settings (<c>stasis-host.gateway</c>): the bus on the wire.</summary>
/// <param name="HttpPort">Dashboard, events WebSocket and statistics; 0: off.</param>
/// <param name="AmiPort">The AMI-compatible event port; 0: off.</param>
/// <param name="Address">The address both listen on.</param>
/// <param name="Token">The HTTP token (generated when not configured).</param>
/// <param name="AmiUsername">The AMI user name.</param>
/// <param name="AmiSecret">The AMI secret (generated when not configured).</param>
/// <param name="SendBuffer">Messages queued per client before it is disconnected.</param>
/// <param name="MaxConnections">Connections at once, per protocol.</param>
/// <param name="TokenGenerated">True when the token was generated for this run (then it is printed).</param>
/// <param name="AmiSecretGenerated">True when the AMI secret was generated for this run (then it is printed).</param>
internal sealed record GatewaySettings(int HttpPort, int AmiPort, string Address, string Token, string AmiUsername, string AmiSecret,
    int SendBuffer, int MaxConnections, bool TokenGenerated, bool AmiSecretGenerated)
{
    /// <summary>True when either port is on.</summary>
    public bool Enabled => HttpPort != 0 || AmiPort != 0;

    /// <summary>The dashboard's URL, with the token.</summary>
    public string DashboardUrl => $"http://{Address}:{HttpPort}/?token={Uri.EscapeDataString(Token)}";
}

/// <summary>The cluster node's settings (<c>stasis-host.cluster</c>), when the host runs as a cluster node.</summary>
/// <param name="Port">The port the node listens on.</param>
/// <param name="Hostname">The address the node listens on and is known by.</param>
/// <param name="Seeds">The nodes to join through (<c>HOST:PORT</c>); empty: the node is its own seed.</param>
/// <param name="JoinTimeout">How long the node waits to become a member.</param>
/// <param name="WaitForNodes">How many other nodes must receive channel:all before calls are placed.</param>
/// <param name="WaitForNodesTimeout">How long to wait for them.</param>
internal sealed record ClusterSettings(int Port, string Hostname, IReadOnlyList<string> Seeds, TimeSpan JoinTimeout, int WaitForNodes, TimeSpan WaitForNodesTimeout)
{
    /// <summary>The topic shared by every node.</summary>
    public const string ClusteredTopic = "channel:all";

    /// <summary>The node's Akka configuration (remoting, cluster, <c>channel:all</c> clustered) for the actor system <paramref name="systemName"/>.</summary>
    public Config NodeConfig(string systemName) =>
        ConfigurationFactory.ParseString($"stasis.cluster.clustered-topics = [\"{ClusteredTopic}\"]")
            .WithFallback(StasisCluster.NodeConfig(systemName, Port, Seeds, Hostname));
}

/// <summary>
/// Every setting of the host, read once from the merged configuration (see <see cref="Load"/>): command line flags,
/// then STASISHOST_ environment variables, then the --config file, then the embedded <c>hocon/host.conf</c>, then the
/// bus library's <c>stasis.conf</c>.
/// </summary>
/// <param name="Config">The merged configuration, handed to the actor system as is.</param>
/// <param name="Duration">Run length; <see cref="TimeSpan.Zero"/> = until Ctrl+C.</param>
/// <param name="TopicsRunDuration">Run length of the <c>topics</c> command.</param>
/// <param name="Traffic">The traffic settings.</param>
/// <param name="StatsD">The StatsD settings.</param>
/// <param name="Console">The console settings.</param>
/// <param name="Cluster">The cluster node's settings, or null when the host is not a cluster node.</param>
/// <param name="Gateway">The gateway's settings.</param>
internal sealed record HostSettings(
    Config Config,
    TimeSpan Duration,
    TimeSpan TopicsRunDuration,
    TrafficSettings Traffic,
    StatsDSettings StatsD,
    ConsoleSettings Console,
    ClusterSettings? Cluster,
    GatewaySettings Gateway)
{
    /// <summary>The actor system's name (the same on every cluster node).</summary>
    public const string SystemName = "stasis-host";

    /// <summary>The prefix of environment variables that override HOCON keys.</summary>
    public const string EnvironmentPrefix = "STASISHOST_";

    /// <summary>The embedded <c>hocon/host.conf</c>.</summary>
    public static Config DefaultConfig { get; } = ConfigurationFactory.FromResource<HostSettings>("Stasis.Host.host.conf");

    /// <summary>Merges every configuration layer for <paramref name="commandLine"/> and reads the settings.</summary>
    /// <exception cref="UsageException">A value is out of range or malformed, or the --config file does not parse.</exception>
    public static HostSettings Load(CommandLine commandLine)
    {
        ArgumentNullException.ThrowIfNull(commandLine);
        var file = commandLine.ConfigFile is { } path ? HoconChecks.ParseFile(path) : Config.Empty;
        HoconChecks.CheckKnownKeys(file, KnownKeys, commandLine.ConfigFile ?? "");
        Config environment;
        try
        {
            environment = FromEnvironment();
        }
        catch (Exception ex)
        {
            throw new UsageException($"environment variables {EnvironmentPrefix}*: {ex.Message}");
        }
        HoconChecks.CheckKnownKeys(environment, KnownKeys, $"environment variables {EnvironmentPrefix}*");
        Config[] layers = [commandLine.Overrides, environment, file, DefaultConfig, StasisSettings.DefaultConfig];
        var config = layers.Where(c => !c.IsEmpty).Aggregate((merged, fallback) => merged.WithFallback(fallback));
        try
        {
            _ = StasisSettings.Create(config); // validates stasis { } now, so a bad value is exit code 2, not a crash later
        }
        catch (Exception ex)
        {
            throw new UsageException($"configuration: {ex.Message}");
        }
        return Create(config, new Reader(config));
    }

    /// <summary>Every key a user's layer may set under <c>stasis-host</c> and <c>stasis</c>.</summary>
    private static Config KnownKeys { get; } = DefaultConfig.WithFallback(StasisSettings.DefaultConfig).WithFallback(StasisCluster.DefaultConfig);

    private static HostSettings Create(Config config, Reader read)
    {
        var rate = read.Double("stasis-host.traffic.calls-per-second");
        Require(rate > 0, "stasis-host.traffic.calls-per-second must be positive");
        var hold = read.Duration("stasis-host.traffic.hold-time");
        var tick = read.Duration("stasis-host.traffic.tick-interval");
        Require(tick > TimeSpan.Zero, "stasis-host.traffic.tick-interval must be positive");

        var endpointText = read.String("stasis-host.statsd.endpoint").Trim();
        var endpoint = endpointText.Length == 0 ? null : StatsDEndpoint.Parse(endpointText, "configuration: stasis-host.statsd.endpoint");
        var packet = read.Int("stasis-host.statsd.max-packet-size");
        Require(packet is >= 64 and <= 65_000, "stasis-host.statsd.max-packet-size must be from 64 to 65000");
        var flush = read.Duration("stasis-host.statsd.flush-interval");
        Require(flush > TimeSpan.Zero, "stasis-host.statsd.flush-interval must be positive");
        var meterType = read.String("stasis-host.statsd.meter-type").Trim();
        Require(meterType is "m" or "c", "stasis-host.statsd.meter-type must be \"m\" or \"c\"");

        var duration = read.Duration("stasis-host.duration");
        var topicsDuration = read.Duration("stasis-host.topics-run-duration");
        Require(topicsDuration > TimeSpan.Zero, "stasis-host.topics-run-duration must be positive");
        var refresh = read.Duration("stasis-host.console.refresh-interval");
        Require(refresh > TimeSpan.Zero, "stasis-host.console.refresh-interval must be positive");
        var drain = read.Duration("stasis-host.console.drain-timeout");
        Require(drain > TimeSpan.Zero, "stasis-host.console.drain-timeout must be positive");

        return new HostSettings(
            config,
            duration,
            topicsDuration,
            new TrafficSettings(rate, hold, tick, read.String("stasis-host.traffic.technology")),
            new StatsDSettings(endpoint, read.String("stasis-host.statsd.prefix").Trim().TrimEnd('.'), packet, flush, meterType),
            new ConsoleSettings(read.Bool("stasis-host.console.quiet"), refresh, drain),
            ReadCluster(read),
            ReadGateway(read));
    }

    private static GatewaySettings ReadGateway(Reader read)
    {
        var http = read.Int("stasis-host.gateway.http-port");
        Require(http is >= 0 and <= 65535, "stasis-host.gateway.http-port must be from 0 (off) to 65535");
        var ami = read.Int("stasis-host.gateway.ami-port");
        Require(ami is >= 0 and <= 65535, "stasis-host.gateway.ami-port must be from 0 (off) to 65535");
        Require(http == 0 || ami == 0 || http != ami, "stasis-host.gateway.http-port and ami-port must differ");
        var address = read.String("stasis-host.gateway.address").Trim();
        Require(System.Net.IPAddress.TryParse(address, out _), "stasis-host.gateway.address must be an IP address, e.g. 127.0.0.1");
        var token = read.String("stasis-host.gateway.token").Trim();
        var secret = read.String("stasis-host.gateway.ami-secret").Trim();
        var user = read.String("stasis-host.gateway.ami-username").Trim();
        Require(user.Length > 0, "stasis-host.gateway.ami-username must not be empty");
        var buffer = read.Int("stasis-host.gateway.send-buffer");
        Require(buffer >= 1, "stasis-host.gateway.send-buffer must be at least 1");
        var connections = read.Int("stasis-host.gateway.max-connections");
        Require(connections >= 1, "stasis-host.gateway.max-connections must be at least 1");
        return new GatewaySettings(http, ami, address, token.Length > 0 ? token : NewSecret(), user, secret.Length > 0 ? secret : NewSecret(),
            buffer, connections, TokenGenerated: token.Length == 0, AmiSecretGenerated: secret.Length == 0);
    }

    private static string NewSecret() => Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(12)).ToLowerInvariant();

    private static ClusterSettings? ReadCluster(Reader read)
    {
        var port = read.Int("stasis-host.cluster.port");
        Require(port is >= 0 and <= 65535, "stasis-host.cluster.port must be from 0 (not a cluster node) to 65535");
        var seeds = read.StringList("stasis-host.cluster.seeds").Select(s => s.Trim()).ToList();
        foreach (var seed in seeds)
            StatsDEndpoint.Parse(seed, "configuration: stasis-host.cluster.seeds", example: "127.0.0.1:4053");
        if (port == 0)
        {
            if (seeds.Count > 0)
                throw new UsageException("--seed (stasis-host.cluster.seeds) needs --cluster-port (stasis-host.cluster.port)");
            return null;
        }
        var hostname = read.String("stasis-host.cluster.hostname").Trim();
        Require(hostname.Length > 0, "stasis-host.cluster.hostname must not be empty");
        var joinTimeout = read.Duration("stasis-host.cluster.join-timeout");
        Require(joinTimeout > TimeSpan.Zero, "stasis-host.cluster.join-timeout must be positive");
        var waitForNodes = read.Int("stasis-host.cluster.wait-for-nodes");
        Require(waitForNodes >= 0, "stasis-host.cluster.wait-for-nodes must not be negative");
        var waitTimeout = read.Duration("stasis-host.cluster.wait-for-nodes-timeout");
        Require(waitTimeout > TimeSpan.Zero, "stasis-host.cluster.wait-for-nodes-timeout must be positive");
        return new ClusterSettings(port, hostname, seeds, joinTimeout, waitForNodes, waitTimeout);
    }

    /// <summary>STASISHOST_ variables as HOCON (Akka.Hosting's mapping: "__" is ".", "_" is "-", keys lower-cased).</summary>
    private static Config FromEnvironment()
    {
        var configuration = new ConfigurationBuilder().AddEnvironmentVariables(EnvironmentPrefix).Build();
        return configuration.AsEnumerable().Any(e => e.Value is not null) ? ConfigurationHoconAdapter.ToHocon(configuration, true) : Config.Empty;
    }

    /// <summary>Reads values by full path; a value of the wrong form is one line naming its key.</summary>
    private sealed class Reader(Config config)
    {
        public TimeSpan Duration(string path)
        {
            var text = Raw(path);
            try
            {
                var value = config.GetTimeSpan(path);
                if (value < TimeSpan.Zero)
                    throw new FormatException();
                return value;
            }
            catch (Exception ex) when (ex is not UsageException)
            {
                throw new UsageException($"configuration: {path}: '{text}' is not a duration (e.g. 15s, 500ms, 0)");
            }
        }

        public double Double(string path) => Get(path, "a number", () => config.GetDouble(path));

        public int Int(string path) => Get(path, "a whole number", () => config.GetInt(path));

        public bool Bool(string path) => Get(path, "on or off", () => config.GetBoolean(path));

        public string String(string path) => Get(path, "a string", () => config.GetString(path, ""));

        public IList<string> StringList(string path) => Get(path, "a list of strings", () => config.GetStringList(path));

        private T Get<T>(string path, string expected, Func<T> read)
        {
            try
            {
                return read();
            }
            catch (Exception ex) when (ex is not UsageException)
            {
                throw new UsageException($"configuration: {path}: '{Raw(path)}' is not {expected}");
            }
        }

        private string Raw(string path)
        {
            try
            {
                return config.GetValue(path)?.ToString() ?? "";
            }
            catch (Exception)
            {
                return "?";
            }
        }
    }

    private static void Require(bool condition, string message)
    {
        if (!condition)
            throw new UsageException($"configuration: {message}");
    }
}
