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

    /// <summary>Print the usage text.</summary>
    Help,
}

/// <summary>A wrong command line: its message is the one line printed before exit code 2.</summary>
internal sealed class UsageException(string message) : Exception(message);

/// <summary>
/// The parsed command line. Flags that set a HOCON key are kept as <see cref="Overrides"/>, so the command line is
/// one more configuration layer (the highest) and every setting is read in one place (<see cref="Configuration.HostSettings"/>).
/// </summary>
/// <param name="Command">The command.</param>
/// <param name="ConfigFile">The --config file, if any.</param>
/// <param name="Overrides">The flags as HOCON keys of <c>stasis-host</c>.</param>
internal sealed record CommandLine(HostCommand Command, string? ConfigFile, Config Overrides)
{
    /// <summary>The usage text printed by --help.</summary>
    public const string Usage = """
        Stasis.Host: simulated PBX traffic on the Stasis message bus, turned into StatsD metrics.

        Usage: Stasis.Host [topics] [options]

        Commands:
          (none)                   run the PBX: a live table every second, then a summary
          topics                   run briefly, then print the topic table

        Options:
          --duration SECONDS       how long to run (default 15; 0 = until Ctrl+C)
          --calls-per-second N     calls placed per second (default 200; two channels each)
          --hold-ms N              call length in milliseconds (default 1000)
          --statsd HOST:PORT       send StatsD metrics over UDP (default: console summary only)
          --cluster-port P         run as a cluster node listening on 127.0.0.1:P (1-65535); channel:all
                                   is shared with the other nodes
          --seed HOST:PORT         a cluster node to join through (repeatable; needs --cluster-port;
                                   none: this node starts a new cluster)
          --config FILE            a HOCON file overriding hocon/host.conf
          --quiet                  print only the summary
          --help                   print this text

        Exit codes: 0 success, 1 failure while running, 2 bad arguments or configuration.
        """;

    /// <summary>Parses <paramref name="args"/>.</summary>
    /// <exception cref="UsageException">An unknown command or option, a missing or malformed value.</exception>
    public static CommandLine Parse(IReadOnlyList<string> args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var command = HostCommand.Run;
        string? configFile = null;
        var hocon = new StringBuilder();
        var seeds = new List<string>();
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            switch (arg)
            {
                case "--help" or "-h" or "-?":
                    return new CommandLine(HostCommand.Help, null, Config.Empty);
                case "--quiet" or "-q":
                    hocon.AppendLine("stasis-host.console.quiet = on");
                    break;
                case "--duration":
                    var seconds = ParseNumber(arg, Value(args, ref i), min: 0, max: 86_400 * 365);
                    hocon.Append("stasis-host.duration = ").Append(seconds.ToString(CultureInfo.InvariantCulture)).AppendLine("s");
                    break;
                case "--calls-per-second":
                    var rate = ParseNumber(arg, Value(args, ref i), min: 1, max: 1_000_000);
                    hocon.Append("stasis-host.traffic.calls-per-second = ").AppendLine(rate.ToString(CultureInfo.InvariantCulture));
                    break;
                case "--hold-ms":
                    var hold = ParseNumber(arg, Value(args, ref i), min: 0, max: 86_400_000);
                    hocon.Append("stasis-host.traffic.hold-time = ").Append(hold.ToString(CultureInfo.InvariantCulture)).AppendLine("ms");
                    break;
                case "--statsd":
                    var endpoint = Value(args, ref i);
                    StatsD.StatsDEndpoint.Parse(endpoint, arg);
                    hocon.Append("stasis-host.statsd.endpoint = \"").Append(endpoint).AppendLine("\"");
                    break;
                case "--cluster-port":
                    var port = ParseNumber(arg, Value(args, ref i), min: 1, max: 65535);
                    hocon.Append("stasis-host.cluster.port = ").AppendLine(port.ToString(CultureInfo.InvariantCulture));
                    break;
                case "--seed":
                    var seed = Value(args, ref i);
                    StatsD.StatsDEndpoint.Parse(seed, arg, example: "127.0.0.1:4053");
                    seeds.Add(seed);
                    break;
                case "--config":
                    configFile = Value(args, ref i);
                    if (!File.Exists(configFile))
                        throw new UsageException($"--config: file not found: {configFile}");
                    break;
                case "topics" when command == HostCommand.Run:
                    command = HostCommand.Topics;
                    break;
                default:
                    throw new UsageException(arg.StartsWith('-')
                        ? $"unknown option {arg} (see --help)"
                        : $"unexpected argument '{arg}' (see --help)");
            }
        }
        if (seeds.Count > 0)
            hocon.Append("stasis-host.cluster.seeds = [").AppendJoin(", ", seeds.Select(seed => "\"" + seed + "\"")).AppendLine("]");
        var overrides = hocon.Length == 0 ? Config.Empty : ConfigurationFactory.ParseString(hocon.ToString());
        return new CommandLine(command, configFile, overrides);
    }

    private static string Value(IReadOnlyList<string> args, ref int i)
    {
        if (i + 1 >= args.Count || args[i + 1].StartsWith("--", StringComparison.Ordinal))
            throw new UsageException($"{args[i]} needs a value (see --help)");
        return args[++i];
    }

    private static long ParseNumber(string option, string text, long min, long max)
    {
        if (!long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) || value < min || value > max)
            throw new UsageException($"{option}: expected a whole number from {min} to {max}, got '{text}'");
        return value;
    }
}
