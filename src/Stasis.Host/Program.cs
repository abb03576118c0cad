using System.Net.Sockets;
using Akka.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Serilog.Events;
using Serilog.Formatting.Display;
using Serilog;
using Stasis.Actors.Gateway;
using Stasis.Actors.Hosting;
using Stasis.Host.Cli;
using Stasis.Host.Configuration;
using Stasis.Host.Console;
using Stasis.Host.Hosting;
using Stasis.Host.StatsD;

namespace Stasis.Host;

/// <summary>The host's entry point: parses the command line, builds the generic host and runs the simulated PBX.</summary>
public static class Program
{
    /// <summary>Runs the host on the process's console.</summary>
    public static Task<int> Main(string[] args) => RunAsync(args, System.Console.Out, System.Console.Error);

    /// <summary>
    /// Runs the host with the given writers and returns the exit code: 0 success, 1 failure while running, 2 bad
    /// arguments or configuration (one line on <paramref name="error"/>).
    /// </summary>
    /// <param name="args">The command line.</param>
    /// <param name="output">Where the table, the summary and the logs go.</param>
    /// <param name="error">Where a usage error goes.</param>
    /// <param name="cancellationToken">Stops the run gracefully, as Ctrl+C does.</param>
    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, CancellationToken cancellationToken = default) =>
        (await ExecuteAsync(args, output, error, cancellationToken)).ExitCode;

    internal static async Task<RunOutcome> ExecuteAsync(string[] args, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(args);
        CommandLine commandLine;
        HostSettings settings;
        StatsDClient? statsd;
        var style = ConsoleStyle.For(output);
        style = style with { Out = style.Ansi ? output : TextWriter.Synchronized(output) };
        Serilog.Core.Logger? logger = null;
        StartupLogGate gate;
        try
        {
            commandLine = CommandLine.Parse(args, output);
            if (commandLine.Command == HostCommand.Help)
                return new RunOutcome { ExitCode = 0 };
            settings = HostSettings.Load(commandLine);
            (logger, gate) = CreateLogger(style, settings.Console.Quiet, commandLine.Verbose);
            statsd = ConnectStatsD(settings.StatsD, logger);
        }
        catch (UsageException ex)
        {
            if (logger is not null)
                await logger.DisposeAsync();
            error.WriteLine($"stasis-host: {ex.Message}");
            return new RunOutcome { ExitCode = 2 };
        }

        try
        {
            var outcome = new RunOutcome();
            using var host = BuildHost(settings, new RunOptions(settings, commandLine.Command, style, statsd, gate, error, commandLine.Verbose), outcome, logger);
            await host.RunAsync(cancellationToken);
            if (outcome.TopicTable is { } topics)
                style.Out.Write(topics);
            else if (outcome.Report is { } report && commandLine.Command == HostCommand.Run)
                report.Write(style);
            return outcome;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The actor system or the generic host could not start (e.g. the cluster port is taken): one line, exit 1;
            // Akka's own lines about it (with their stack traces) only with --verbose.
            gate.DiscardIfHeld();
            var chain = new List<Exception>();
            for (Exception? e = ex; e is not null; e = e.InnerException)
            {
                if (e is not AggregateException)
                    chain.Add(e);
            }
            var first = chain.FirstOrDefault() ?? ex;
            var reason = first.Message.Replace(" See InnerException for details.", "", StringComparison.Ordinal);
            error.WriteLine(chain.Count > 1 ? $"stasis-host: error: {reason} ({chain[^1].Message})" : $"stasis-host: error: {reason}");
            if (commandLine.Verbose)
                error.WriteLine(ex);
            return new RunOutcome { ExitCode = 1 };
        }
        finally
        {
            statsd?.Dispose();
            await logger.DisposeAsync();
        }
    }

    /// <summary>Opens the StatsD socket now, so an endpoint that does not resolve is a usage error (exit 2).</summary>
    private static StatsDClient? ConnectStatsD(StatsDSettings settings, Serilog.ILogger logger)
    {
        if (settings.Endpoint is not { } endpoint)
            return null;
        try
        {
            return StatsDClient.Connect(endpoint, settings.MaxPacketSize,
                ex => logger.Warning("StatsD {Endpoint}: send failed ({Reason}); metrics are still counted for the summary", endpoint, ex.Message));
        }
        catch (SocketException ex)
        {
            throw new UsageException($"statsd: cannot resolve {endpoint.Host} ({ex.Message})");
        }
    }

    private static IHost BuildHost(HostSettings settings, RunOptions options, RunOutcome outcome, Serilog.ILogger logger)
    {
        var gateway = settings.Gateway;
        if (gateway.HttpPort == 0)
        {
            var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
            AddServices(builder.Services, builder.Logging, settings, options, outcome, logger);
            return builder.Build();
        }
        // The gateway's HTTP side: Kestrel on the configured address and port only.
        var web = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [] });
        web.WebHost.UseUrls($"http://{gateway.Address}:{gateway.HttpPort}");
        AddServices(web.Services, web.Logging, settings, options, outcome, logger);
        var app = web.Build();
        app.UseWebSockets();
        app.MapStasisGateway();
        return app;
    }

    private static void AddServices(IServiceCollection services, ILoggingBuilder logging, HostSettings settings, RunOptions options, RunOutcome outcome, Serilog.ILogger logger)
    {
        var config = settings.Cluster is { } cluster ? settings.Config.WithFallback(cluster.NodeConfig(HostSettings.SystemName)) : settings.Config;
        logging.ClearProviders();
        logging.AddSerilog(logger);
        logging.AddFilter<Serilog.Extensions.Logging.SerilogLoggerProvider>("Microsoft", LogLevel.Warning); // ASP.NET Core's request lines stay out of the table
        services.Configure<ConsoleLifetimeOptions>(o => o.SuppressStatusMessages = true);
        services.Configure<HostOptions>(o => o.ShutdownTimeout = settings.Console.DrainTimeout + TimeSpan.FromSeconds(30));
        services.AddAkka(HostSettings.SystemName, akka => akka
            .AddHocon(config, HoconAddMode.Prepend)
            .AddSetup(new HostLogSetup(logger))
            .WithStasis());
        services.AddStasisBus();
        var gateway = settings.Gateway;
        if (gateway.Enabled)
        {
            services.AddStasisGateway(o =>
            {
                o.Token = gateway.Token;
                o.AmiPort = gateway.AmiPort;
                o.AmiAddress = gateway.Address;
                o.AmiUsername = gateway.AmiUsername;
                o.AmiSecret = gateway.AmiSecret;
                o.SendBufferMessages = gateway.SendBuffer;
                o.MaxConnections = gateway.MaxConnections;
            });
        }
        services.AddSingleton(options);
        services.AddSingleton(outcome);
        services.AddHostedService<PbxRun>(); // after AddAkka: stopped before the actor system
    }

    /// <summary>The run's logger; its lines pass a <see cref="StartupLogGate"/>, held until the run started (open with --verbose).</summary>
    private static (Serilog.Core.Logger Logger, StartupLogGate Gate) CreateLogger(ConsoleStyle style, bool quiet, bool verbose)
    {
        const string template = "[{Timestamp:HH:mm:ss} {Level:u3}] {Message:lj}{NewLine}{Exception}";
        Serilog.Core.ILogEventSink sink = style.Ansi
            ? new LoggerConfiguration().MinimumLevel.Verbose().WriteTo.Console(outputTemplate: template).CreateLogger()
            : new TextWriterSink(style.Out, new MessageTemplateTextFormatter(template));
        var gate = new StartupLogGate(sink, open: verbose);
        var logger = new LoggerConfiguration().MinimumLevel.Is(quiet ? LogEventLevel.Warning : LogEventLevel.Information)
            .WriteTo.Sink(gate).CreateLogger();
        return (logger, gate);
    }
}
