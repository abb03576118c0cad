using Akka.Configuration;
using Akka.Hosting.Configuration;
using Microsoft.Extensions.Configuration;
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
internal sealed record HostSettings(
    Config Config,
    TimeSpan Duration,
    TimeSpan TopicsRunDuration,
    TrafficSettings Traffic,
    StatsDSettings StatsD,
    ConsoleSettings Console)
{
    /// <summary>The prefix of environment variables that override HOCON keys.</summary>
    public const string EnvironmentPrefix = "STASISHOST_";

    /// <summary>The embedded <c>hocon/host.conf</c>.</summary>
    public static Config DefaultConfig { get; } = ConfigurationFactory.FromResource<HostSettings>("Stasis.Host.host.conf");

    /// <summary>Merges every configuration layer for <paramref name="commandLine"/> and reads the settings.</summary>
    /// <exception cref="UsageException">A value is out of range or malformed, or the --config file does not parse.</exception>
    public static HostSettings Load(CommandLine commandLine)
    {
        ArgumentNullException.ThrowIfNull(commandLine);
        try
        {
            Config[] layers =
            [
                commandLine.Overrides,
                FromEnvironment(),
                commandLine.ConfigFile is { } file ? ConfigurationFactory.ParseString(File.ReadAllText(file)) : Config.Empty,
                DefaultConfig,
                StasisSettings.DefaultConfig,
            ];
            var config = layers.Where(c => !c.IsEmpty).Aggregate((merged, fallback) => merged.WithFallback(fallback));
            return Create(config);
        }
        catch (Exception ex) when (ex is not UsageException)
        {
            throw new UsageException($"configuration: {ex.Message}");
        }
    }

    private static HostSettings Create(Config config)
    {
        _ = StasisSettings.Create(config); // validates stasis { } now, so a bad value is exit code 2, not a crash later
        var host = config.GetConfig("stasis-host");
        var traffic = host.GetConfig("traffic");
        var statsd = host.GetConfig("statsd");
        var console = host.GetConfig("console");

        var rate = traffic.GetDouble("calls-per-second");
        Require(rate > 0, "stasis-host.traffic.calls-per-second must be positive");
        var hold = traffic.GetTimeSpan("hold-time");
        Require(hold >= TimeSpan.Zero, "stasis-host.traffic.hold-time must not be negative");
        var tick = traffic.GetTimeSpan("tick-interval");
        Require(tick > TimeSpan.Zero, "stasis-host.traffic.tick-interval must be positive");

        var endpointText = statsd.GetString("endpoint", "").Trim();
        var endpoint = endpointText.Length == 0 ? null : StatsDEndpoint.Parse(endpointText, "configuration: stasis-host.statsd.endpoint");
        var packet = statsd.GetInt("max-packet-size");
        Require(packet is >= 64 and <= 65_000, "stasis-host.statsd.max-packet-size must be from 64 to 65000");
        var flush = statsd.GetTimeSpan("flush-interval");
        Require(flush > TimeSpan.Zero, "stasis-host.statsd.flush-interval must be positive");
        var meterType = statsd.GetString("meter-type", "c").Trim();
        Require(meterType is "m" or "c", "stasis-host.statsd.meter-type must be \"m\" or \"c\"");

        var duration = host.GetTimeSpan("duration");
        Require(duration >= TimeSpan.Zero, "stasis-host.duration must not be negative");
        var topicsDuration = host.GetTimeSpan("topics-run-duration");
        Require(topicsDuration > TimeSpan.Zero, "stasis-host.topics-run-duration must be positive");
        var refresh = console.GetTimeSpan("refresh-interval");
        Require(refresh > TimeSpan.Zero, "stasis-host.console.refresh-interval must be positive");

        return new HostSettings(
            config,
            duration,
            topicsDuration,
            new TrafficSettings(rate, hold, tick, traffic.GetString("technology", "PJSIP")),
            new StatsDSettings(endpoint, statsd.GetString("prefix", "").Trim().TrimEnd('.'), packet, flush, meterType),
            new ConsoleSettings(console.GetBoolean("quiet"), refresh, console.GetTimeSpan("drain-timeout")));
    }

    /// <summary>STASISHOST_ variables as HOCON (Akka.Hosting's mapping: "__" is ".", "_" is "-", keys lower-cased).</summary>
    private static Config FromEnvironment()
    {
        var configuration = new ConfigurationBuilder().AddEnvironmentVariables(EnvironmentPrefix).Build();
        return configuration.AsEnumerable().Any(e => e.Value is not null) ? ConfigurationHoconAdapter.ToHocon(configuration, true) : Config.Empty;
    }

    private static void Require(bool condition, string message)
    {
        if (!condition)
            throw new UsageException($"configuration: {message}");
    }
}
