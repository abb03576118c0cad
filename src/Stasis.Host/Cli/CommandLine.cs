using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using System.Text;
using Akka.Configuration;

namespace Stasis.Host.Cli;

/// <summary>What the host was asked to do.</summary>
internal enum HostCommand
{
    /// <summary>Run the simulated PBX with the live table and the summary.</summary>
    Run,

    /// <summary>Run briefly and print the topic table.</summary>
    Topics,

    /// <summary>The usage (or version) text was printed.</summary>
    Help,
}

/// <summary>A wrong command line or configuration: its message is the one line printed before exit code 2.</summary>
internal sealed class UsageException(string message) : Exception(message);

/// <summary>
/// The parsed command line (System.CommandLine). Flags that set a HOCON key are kept as <see cref="Overrides"/>, so the
/// command line is one more configuration layer (the highest) and every setting is read in one place
/// (<see cref="Configuration.HostSettings"/>).
/// </summary>
/// <param name="Command">The command.</param>
/// <param name="ConfigFile">The --config file, if any.</param>
/// <param name="Overrides">The flags as HOCON keys of <c>stasis-host</c>.</param>
/// <param name="Verbose">--verbose: start-up failures print their exception and Akka's own log lines.</param>
internal sealed record CommandLine(HostCommand Command, string? ConfigFile, Config Overrides, bool Verbose = false)
{
    private static readonly Option<long?> Duration = Number("--duration", "SECONDS", "How long to run (default 15; 0 = until Ctrl+C)", 0, 86_400 * 365);
    private static readonly Option<long?> CallsPerSecond = Number("--calls-per-second", "N", "Calls placed per second (default 200; two channels each)", 1, 1_000_000);
    private static readonly Option<long?> HoldMs = Number("--hold-ms", "N", "Call length in milliseconds (default 1000)", 0, 86_400_000);
    private static readonly Option<string?> StatsD = Endpoint("--statsd", "HOST:PORT", "Send StatsD metrics over UDP (default: console summary only)", "127.0.0.1:8125");
    private static readonly Option<long?> HttpPort = Number("--http-port", "P", "Dashboard, events WebSocket and /stats on 127.0.0.1:P (default 8088; 0 = off)", 0, 65535);
    private static readonly Option<long?> AmiPort = Number("--ami-port", "P", "AMI-compatible event port on 127.0.0.1:P (default 5038; 0 = off)", 0, 65535);
    private static readonly Option<long?> ClusterPort = Number("--cluster-port", "P", "Run as a cluster node on 127.0.0.1:P; channel:all is shared with the other nodes", 1, 65535);
    private static readonly Option<string[]> Seeds = new("--seed")
    {
        HelpName = "HOST:PORT",
        Description = "A cluster node to join through (repeatable; needs --cluster-port; none: a new cluster)",
        Recursive = true,
        CustomParser = result =>
        {
            var seeds = result.Tokens.Select(t => t.Value).ToArray();
            foreach (var seed in seeds)
                Check(result, () => StatsDEndpoint(seed, "--seed", "127.0.0.1:4053"));
            return seeds;
        },
    };
    private static readonly Option<string?> ConfigFileOption = new("--config")
    {
        HelpName = "FILE",
        Description = "A HOCON file overriding hocon/host.conf",
        Recursive = true,
        CustomParser = result =>
        {
            var path = result.Tokens.Single().Value;
            if (!File.Exists(path))
                result.AddError($"--config: file not found: {path}");
            return path;
        },
    };
    private static readonly Option<bool> Quiet = new("--quiet", "-q") { Description = "Print only the summary", Recursive = true };
    private static readonly Option<bool> VerboseOption = new("--verbose") { Description = "On a start-up failure, print the exception and Akka's log lines", Recursive = true };

    /// <summary>Parses <paramref name="args"/>; for --help, writes the usage to <paramref name="help"/>.</summary>
    /// <exception cref="UsageException">An unknown command or option, a missing or malformed value (one line).</exception>
    public static CommandLine Parse(IReadOnlyList<string> args, TextWriter? help = null)
    {
        ArgumentNullException.ThrowIfNull(args);
        var root = Root(out var topics);
        var result = root.Parse(args);
        if (result.Errors.Count == 0 && result.Action is { } action && action != root.Action && action != topics.Action)
        {
            // --help or --version: System.CommandLine's own action writes the text.
            result.Invoke(new InvocationConfiguration { Output = help ?? TextWriter.Null });
            return new CommandLine(HostCommand.Help, null, Config.Empty);
        }
        if (result.Errors.Count > 0)
            throw new UsageException(Describe(result.Errors[0], root));

        var hocon = new StringBuilder();
        if (result.GetValue(Quiet))
            hocon.AppendLine("stasis-host.console.quiet = on");
        if (result.GetValue(Duration) is { } seconds)
            hocon.Append("stasis-host.duration = ").Append(Text(seconds)).AppendLine("s");
        if (result.GetValue(CallsPerSecond) is { } rate)
            hocon.Append("stasis-host.traffic.calls-per-second = ").AppendLine(Text(rate));
        if (result.GetValue(HoldMs) is { } hold)
            hocon.Append("stasis-host.traffic.hold-time = ").Append(Text(hold)).AppendLine("ms");
        if (result.GetValue(StatsD) is { } endpoint)
            hocon.Append("stasis-host.statsd.endpoint = \"").Append(endpoint).AppendLine("\"");
        if (result.GetValue(HttpPort) is { } httpPort)
            hocon.Append("stasis-host.gateway.http-port = ").AppendLine(Text(httpPort));
        if (result.GetValue(AmiPort) is { } amiPort)
            hocon.Append("stasis-host.gateway.ami-port = ").AppendLine(Text(amiPort));
        if (result.GetValue(ClusterPort) is { } port)
            hocon.Append("stasis-host.cluster.port = ").AppendLine(Text(port));
        if (result.GetValue(Seeds) is { Length: > 0 } seeds)
            hocon.Append("stasis-host.cluster.seeds = [").AppendJoin(", ", seeds.Select(seed => "\"" + seed + "\"")).AppendLine("]");
        var overrides = hocon.Length == 0 ? Config.Empty : ConfigurationFactory.ParseString(hocon.ToString());
        var command = result.CommandResult.Command == topics ? HostCommand.Topics : HostCommand.Run;
        return new CommandLine(command, result.GetValue(ConfigFileOption), overrides, result.GetValue(VerboseOption));
    }

    private static RootCommand Root(out Command topics)
    {
        topics = new Command("topics", "Run briefly, then print the topic table (name, subscribers, forwards, dispatched)");
        var root = new RootCommand(
            "Stasis.Host: simulated PBX traffic on the Stasis message bus, turned into StatsD metrics. Without a command it " +
            "runs the PBX: a live table every second, then a summary. Exit codes: 0 success, 1 failure while running, " +
            "2 bad arguments or configuration.");
        foreach (var option in new Option[] { Duration, CallsPerSecond, HoldMs, StatsD, HttpPort, AmiPort, ClusterPort, Seeds, ConfigFileOption, Quiet, VerboseOption })
            root.Options.Add(option);
        root.Subcommands.Add(topics);
        // The host runs the command itself (Program); these mark "no command" and "topics" as complete command lines.
        root.SetAction(_ => 0);
        topics.SetAction(_ => 0);
        return root;
    }

    /// <summary>One line for a parse error; an unknown option names the closest known one.</summary>
    private static string Describe(ParseError error, RootCommand root)
    {
        var unknown = error.Message.StartsWith("Unrecognized command or argument", StringComparison.Ordinal)
            ? error.Message.Split('\'') is [_, var token, ..] ? token : null
            : null;
        if (unknown is null)
            return error.Message.TrimEnd('.') + " (see --help)";
        if (!unknown.StartsWith('-'))
            return $"unexpected argument '{unknown}' (see --help)";
        var names = root.Options.SelectMany(o => o.Aliases.Prepend(o.Name)).Where(n => n.StartsWith("--", StringComparison.Ordinal));
        var closest = names.Select(n => (Name: n, Distance: Configuration.HoconChecks.EditDistance(unknown.Split('=')[0], n))).MinBy(c => c.Distance);
        return closest.Distance <= 3
            ? $"unknown option {unknown}; did you mean {closest.Name}? (see --help)"
            : $"unknown option {unknown} (see --help)";
    }

    private static Option<long?> Number(string name, string helpName, string description, long min, long max) => new(name)
    {
        HelpName = helpName,
        Description = description,
        Recursive = true,
        CustomParser = result =>
        {
            var text = result.Tokens.Single().Value;
            if (long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max)
                return value;
            result.AddError($"{name}: expected a whole number from {min} to {max}, got '{text}'");
            return null;
        },
    };

    private static Option<string?> Endpoint(string name, string helpName, string description, string example) => new(name)
    {
        HelpName = helpName,
        Description = description,
        Recursive = true,
        CustomParser = result =>
        {
            var text = result.Tokens.Single().Value;
            Check(result, () => StatsDEndpoint(text, name, example));
            return text;
        },
    };

    private static void StatsDEndpoint(string text, string source, string example) => Stasis.Host.StatsD.StatsDEndpoint.Parse(text, source, example);

    private static void Check(ArgumentResult result, Action validate)
    {
        try
        {
            validate();
        }
        catch (UsageException ex)
        {
            result.AddError(ex.Message);
        }
    }

    private static string Text(long value) => value.ToString(CultureInfo.InvariantCulture);
}
