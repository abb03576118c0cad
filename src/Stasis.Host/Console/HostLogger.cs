using Akka.Actor;
using Akka.Actor.Setup;
using Akka.Dispatch;
using Akka.Event;
using Serilog.Events;
using AkkaLogEvent = Akka.Event.LogEvent;

namespace Stasis.Host.Console;

/// <summary>
/// Carries one host run's Serilog logger into its actor system (through the <see cref="ActorSystemSetup"/>), so several
/// hosts in one process each log to their own output instead of sharing Serilog's global <c>Log.Logger</c>.
/// </summary>
/// <param name="logger">The run's logger.</param>
internal sealed class HostLogSetup(Serilog.ILogger logger) : Setup
{
    /// <summary>The run's logger.</summary>
    public Serilog.ILogger Logger { get; } = logger;
}

/// <summary>
/// The host's Akka logger (<c>akka.loggers</c>): writes the actor system's log events to the Serilog logger of its
/// <see cref="HostLogSetup"/> (Serilog's global logger when there is none). Message templates are handed to Serilog
/// as they are, so <c>{0}</c> and named placeholders are rendered by Serilog.
/// </summary>
internal sealed class HostLogger : ReceiveActor, IRequiresMessageQueue<ILoggerMessageQueueSemantics>
{
    /// <summary>Creates the logger of the current actor system.</summary>
    public HostLogger()
    {
        var logger = Context.System.Settings.Setup.Get<HostLogSetup>().Value?.Logger ?? Serilog.Log.Logger;
        Receive<AkkaLogEvent>(e => Write(logger, e));
        Receive<InitializeLogger>(_ => Sender.Tell(new LoggerInitialized()));
    }

    private static void Write(Serilog.ILogger logger, AkkaLogEvent e)
    {
        var level = e.LogLevel() switch
        {
            Akka.Event.LogLevel.DebugLevel => LogEventLevel.Debug,
            Akka.Event.LogLevel.InfoLevel => LogEventLevel.Information,
            Akka.Event.LogLevel.WarningLevel => LogEventLevel.Warning,
            _ => LogEventLevel.Error,
        };
        if (!logger.IsEnabled(level))
            return;
        var source = logger.ForContext(Serilog.Core.Constants.SourceContextPropertyName, e.LogSource);
        if (e.Message is LogMessage message)
            source.Write(level, e.Cause, message.Format, message.Parameters().ToArray());
        else
            source.Write(level, e.Cause, "{Message:l}", e.Message);
    }
}
