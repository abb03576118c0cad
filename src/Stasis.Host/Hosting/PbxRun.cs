using System.Diagnostics;
using Akka.Actor;
using Akka.Event;
using Microsoft.Extensions.Hosting;
using Stasis.Actors;
using Stasis.Host.ChanStats;
using Stasis.Host.Cli;
using Stasis.Host.Configuration;
using Stasis.Host.Console;
using Stasis.Host.StatsD;
using Stasis.Host.Traffic;

namespace Stasis.Host.Hosting;

/// <summary>What the host runs: the settings, the command and where it prints.</summary>
/// <param name="Settings">The merged settings.</param>
/// <param name="Command">Run or Topics.</param>
/// <param name="Style">The console.</param>
/// <param name="StatsD">The StatsD client (owned by the caller), or null for the console summary only.</param>
/// <param name="StartupLog">Holds the start-up's log lines until the run started (see <see cref="StartupLogGate"/>).</param>
/// <param name="Error">Where a start-up failure's one line goes.</param>
/// <param name="Verbose">--verbose: a failure also prints its exception.</param>
internal sealed record RunOptions(HostSettings Settings, HostCommand Command, ConsoleStyle Style, StatsDClient? StatsD,
    StartupLogGate StartupLog, TextWriter Error, bool Verbose);

/// <summary>The result of a run, filled by <see cref="PbxRun"/> and read once the host stopped.</summary>
internal sealed class RunOutcome
{
    /// <summary>The process exit code: 0 success, 1 failure.</summary>
    public int ExitCode { get; set; } = 1;

    /// <summary>The run's numbers, when it got as far as the summary.</summary>
    public RunReport? Report { get; set; }

    /// <summary>The `topics` command's table, taken while the traffic was running.</summary>
    public string? TopicTable { get; set; }
}

/// <summary>
/// The hosted service that runs the simulated PBX: it sets up the channel topics, loads the chan-stats module, starts
/// the traffic actor, prints the live table until the duration is over (or the host is stopping, e.g. Ctrl+C), then
/// stops gracefully: the traffic hangs up every call, the modules catch up, their final messages are handled, the
/// last metrics are flushed. As a cluster node (<see cref="ClusterNode"/>) it first waits to be a member; the actor
/// system's coordinated shutdown leaves the cluster once the run is over. Then it stops the host; the summary (or the topic table) is printed once the host has
/// stopped, after the actor system's last log lines.
/// </summary>
internal sealed class PbxRun(ActorSystem system, RunOptions options, RunOutcome outcome, IHostApplicationLifetime lifetime) : BackgroundService
{
    private readonly ILoggingAdapter _log = Logging.GetLogger(system, "Stasis.Host");

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            outcome.Report = await RunAsync(stoppingToken);
            outcome.ExitCode = 0;
        }
        catch (Exception ex)
        {
            if (options.StartupLog.IsOpen)
                _log.Error(ex, "The run failed");
            options.StartupLog.DiscardIfHeld(); // a start-up failure (e.g. no cluster to join) is the one line below
            options.Error.WriteLine($"stasis-host: error: {ex.Message}");
            if (options.Verbose)
                options.Error.WriteLine(ex);
            outcome.ExitCode = 1;
        }
        finally
        {
            lifetime.StopApplication();
        }
    }

    private async Task<RunReport> RunAsync(CancellationToken stoppingToken)
    {
        var settings = options.Settings;
        var style = options.Style;
        // The channel topics live until the actor system's coordinated shutdown destroys every topic: on a cluster node
        // that is after it left the cluster, so what other nodes send until then still finds channel:all.
        var channels = ChannelTopics.Create(StasisBus.Get(system));
        var client = options.StatsD;
        var metrics = new Metrics(client, settings.StatsD.Prefix, settings.StatsD.MeterType);
        var chanStats = ChanStatsModule.Load(channels, metrics);
        var node = settings.Cluster is { } cluster ? await ClusterNode.JoinAsync(system, channels, cluster, stoppingToken) : null;
        options.StartupLog.Open(); // started: the start-up's log lines are printed now
        AnnounceGateway(settings.Gateway);
        var traffic = new TrafficStats();
        var trafficActor = system.ActorOf(TrafficActor.Props(channels, settings.Traffic, traffic), "traffic");
        using var flusher = new Timer(_ => metrics.Flush(), null, settings.StatsD.FlushInterval, settings.StatsD.FlushInterval);
        if (options.Command == HostCommand.Topics)
            await FirstCallAsync(traffic, settings.Console.DrainTimeout, stoppingToken);
        var clock = Stopwatch.StartNew();

        var duration = options.Command == HostCommand.Topics ? settings.TopicsRunDuration : settings.Duration;
        var table = options.Command == HostCommand.Run && !settings.Console.Quiet ? new LiveTable(style, clustered: node is not null) : null;
        // A timer may fire a little early: a remainder shorter than this ends the run instead of printing one more,
        // nearly empty row.
        var slack = TimeSpan.FromMilliseconds(20);
        while (!stoppingToken.IsCancellationRequested && (duration == TimeSpan.Zero || duration - clock.Elapsed > slack))
        {
            var wait = duration == TimeSpan.Zero ? settings.Console.RefreshInterval : Min(settings.Console.RefreshInterval, duration - clock.Elapsed);
            try
            {
                await Task.Delay(wait, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                break; // Ctrl+C or host stopping: stop gracefully below
            }
            table?.Write(Sample(clock.Elapsed, channels, chanStats, traffic, node));
        }
        var elapsed = clock.Elapsed;
        if (options.Command == HostCommand.Topics)
            outcome.TopicTable = TopicTable.Render(style, StasisBus.Get(system).Topics, channels);

        // At the end of the duration live calls end normally (unless that takes longer than the drain timeout);
        // on Ctrl+C they are hung up at once.
        var hangUpNow = stoppingToken.IsCancellationRequested || settings.Traffic.HoldTime > settings.Console.DrainTimeout;
        await trafficActor.Ask<TrafficStopped>(new StopTraffic(hangUpNow), settings.Console.DrainTimeout + settings.Traffic.TickInterval + TimeSpan.FromSeconds(5));
        var drained = await DrainAsync(chanStats, traffic, settings.Console.DrainTimeout);
        using (var unload = new CancellationTokenSource(settings.Console.DrainTimeout))
        {
            try
            {
                await chanStats.UnloadAsync(unload.Token);
            }
            catch (OperationCanceledException) when (unload.IsCancellationRequested)
            {
                drained = false; // the summary says the modules had not caught up, instead of failing the run
            }
        }
        system.Stop(trafficActor);
        await flusher.DisposeAsync();
        metrics.Flush();

        var handlerTimes = new LatencyHistogram();
        handlerTimes.Add(chanStats.StatsMakerTimes);
        handlerTimes.Add(chanStats.UpdateTimes);
        var report = new RunReport(elapsed, traffic.CallsPlaced, traffic.CallsCompleted, traffic.PublishedByType, metrics.Meters,
            chanStats.CountedLocal, chanStats.CountedRemote, metrics.GaugeValue(ChanStatsModule.ChannelCount), metrics.TimerOf(ChanStatsModule.CallTime),
            handlerTimes, chanStats.FinalMessages, drained, client, settings.StatsD.Endpoint, node?.Report());
        return report;
    }

    /// <summary>
    /// The `topics` command's short run counts from the first call placed: on a cold start the traffic actor's first
    /// ticks can take longer than the whole run, which would print a table of topics that never carried a call.
    /// </summary>
    /// <summary>Prints where the gateway listens; generated credentials are printed, configured ones never.</summary>
    private void AnnounceGateway(GatewaySettings gateway)
    {
        var token = gateway.TokenGenerated ? gateway.Token : "<stasis-host.gateway.token>";
        if (gateway.HttpPort != 0)
            _log.Info("Gateway: dashboard http://{0}:{1}/?token={2} ; events ws://{0}:{1}/events?topic=channel:all&token={2}", gateway.Address, gateway.HttpPort, token);
        if (gateway.AmiPort != 0)
            _log.Info("Gateway: AMI on {0}:{1} (Username {2}, Secret {3})", gateway.Address, gateway.AmiPort, gateway.AmiUsername,
                gateway.AmiSecretGenerated ? gateway.AmiSecret : "<stasis-host.gateway.ami-secret>");
    }

    private static async Task FirstCallAsync(TrafficStats traffic, TimeSpan timeout, CancellationToken stoppingToken)
    {
        var waited = Stopwatch.StartNew();
        while (traffic.CallsPlaced == 0 && waited.Elapsed < timeout && !stoppingToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(TimeSpan.FromMilliseconds(10), stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>Waits until chan-stats counted every published message and routed every cache update they cause.</summary>
    private static async Task<bool> DrainAsync(ChanStatsModule chanStats, TrafficStats traffic, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (!chanStats.HasCaughtUp(traffic))
        {
            if (clock.Elapsed > timeout)
                return false;
            await Task.Delay(20);
        }
        return true;
    }

    private LiveSample Sample(TimeSpan elapsed, ChannelTopics channels, ChanStatsModule chanStats, TrafficStats traffic, ClusterNode? node)
    {
        var topics = StasisBus.Get(system).Topics;
        return new LiveSample(
            elapsed,
            topics.Count,
            traffic.Published,
            topics.Sum(t => t.SubscriberCount),
            chanStats.Subscriptions.Append(channels.CacheSubscription).Max(s => s.QueueDepth),
            traffic.ActiveChannels,
            traffic.CallsCompleted,
            node is null ? null : new ClusterSample(node.OtherNodes + 1, chanStats.RemoteTotal));
    }

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;
}
