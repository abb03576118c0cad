using System.Globalization;
using Stasis.Benchmarks.Shared;
using Stasis.Cluster.Benchmarks.Quick;

namespace Stasis.Cluster.Benchmarks;

/// <summary>
/// Cross-node publish throughput over loopback, Stasis against raw DistributedPubSub on the same in-process nodes.
/// <c>dotnet run -c Release --project bench/Stasis.Cluster.Benchmarks -- [--quick] [--runs N] [--messages M] [TEXT]</c>:
/// one <c>ratio …</c> line per goal (only the goals and items whose name contains TEXT), each goal in a process of its own.
/// Without <c>--quick</c> every round publishes five times as many messages.
/// </summary>
public static class Program
{
    public static IReadOnlyList<ClusterGoal> Goals(bool quick) =>
    [
        new("cluster-1-node-vs-raw-distributed-pubsub", 1, 1.0, quick ? 50_000 : 250_000),
        new("cluster-3-nodes-vs-raw-distributed-pubsub", 3, 1.5, quick ? 20_000 : 100_000),
    ];

    /// <summary>Measured like a goal, reported as a diagnostic: the three-node case with the messagepack payload codec.</summary>
    public static IReadOnlyList<ClusterGoal> DiagnosticGoals(bool quick) =>
    [
        new("cluster-3-nodes-messagepack-vs-raw-distributed-pubsub", 3, 1.5, quick ? 20_000 : 100_000, "stasis.cluster.payload-codec = messagepack", judged: false),
    ];

    /// <summary>Items that print detail lines only.</summary>
    public static IReadOnlyList<string> DiagnosticItems(bool quick) => [.. DiagnosticGoals(quick).Select(g => g.Name), CodecComparison.Item];

    public static async Task<int> Main(string[] args)
    {
        var quick = args.Contains("--quick");
        var full = false;
        var runs = 1;
        int? messages = null;
        string? only = null;
        string? item = null;
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--quick":
                    break;
                case "--full":
                    full = true;
                    break;
                case "--runs" when i + 1 < args.Length && int.TryParse(args[i + 1], NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n >= 1:
                    (runs, i) = (n, i + 1);
                    break;
                case "--messages" when i + 1 < args.Length && int.TryParse(args[i + 1], NumberStyles.None, CultureInfo.InvariantCulture, out var m) && m >= 1:
                    (messages, i) = (m, i + 1);
                    break;
                case "quick-one" when i + 1 < args.Length:
                    (item, i) = (args[i + 1], i + 1);
                    break;
                default:
                    if (args[i].StartsWith("--", StringComparison.Ordinal) || only is not null)
                    {
                        Console.Error.WriteLine($"unexpected '{args[i]}'; usage: [--quick] [--runs N] [--messages M] [TEXT]");
                        return 2;
                    }
                    only = args[i];
                    break;
            }
        }
        if (item is not null)
            return await RunItem(item, [.. Goals(quick: !full), .. DiagnosticGoals(quick: !full)], messages);
        var goals = Goals(quick);
        bool Selected(string name) => only is null || name.Contains(only, StringComparison.Ordinal);
        List<string> itemArgs = quick ? [] : ["--full"];
        if (messages is { } count)
            itemArgs.AddRange(["--messages", count.ToString(CultureInfo.InvariantCulture)]);
        QuickRunner.Run("cluster quick mode",
            [.. goals.Where(g => Selected(g.Name)).Select(g => new QuickRunner.Item(g.Name, g)),
             .. DiagnosticItems(quick).Where(Selected).Select(d => new QuickRunner.Item(d, null))],
            runs, itemArgs);
        return 0;
    }

    /// <summary><c>quick-one stasis-only-N</c>: Stasis rounds alone on N nodes for 20 s, to profile that path (not in the quick run).</summary>
    private const string StasisOnlyPrefix = "stasis-only-";

    private static async Task StasisOnly(int nodeCount, int messages)
    {
        await using var cluster = await Workloads.BenchCluster.Start(nodeCount);
        var stasis = await Workloads.StasisPath.Create(cluster);
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var cpu = System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime;
        var sent = 0L;
        var allocated = GC.GetTotalAllocatedBytes();
        var gcs = (GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2));
        var pause = GC.GetTotalPauseDuration();
        while (watch.Elapsed < TimeSpan.FromSeconds(20))
        {
            await stasis.Run(messages);
            sent += messages;
        }
        cpu = System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime - cpu;
        ClusterGoal.Info($"stasis only, {nodeCount} node(s): {sent / watch.Elapsed.TotalSeconds:N0} msg/s {cpu.TotalNanoseconds / sent / 1000:0.0} us-cpu per message,"
                         + $" {(GC.GetTotalAllocatedBytes() - allocated) / (double)sent:N0} B allocated per message (all nodes),"
                         + $" GCs {GC.CollectionCount(0) - gcs.Item1}/{GC.CollectionCount(1) - gcs.Item2}/{GC.CollectionCount(2) - gcs.Item3},"
                         + $" GC pauses {(GC.GetTotalPauseDuration() - pause).TotalMilliseconds:N0} ms of {watch.Elapsed.TotalMilliseconds:N0} ms");
        foreach (var line in Diagnostics.ClusterCounters(cluster))
            ClusterGoal.Info(line);
    }

    private static async Task<int> RunItem(string item, IReadOnlyList<ClusterGoal> goals, int? messages)
    {
        ClusterGoal.Info($"{item}: {QuickRunner.LoadAverage()}");
        if (goals.FirstOrDefault(g => g.Name == item) is { } goal)
        {
            await goal.Report(messages);
            return 0;
        }
        if (item == CodecComparison.Item)
        {
            CodecComparison.Report();
            return 0;
        }
        if (item.StartsWith(StasisOnlyPrefix, StringComparison.Ordinal) && int.TryParse(item[StasisOnlyPrefix.Length..], out var nodes))
        {
            await StasisOnly(nodes, messages ?? 20_000);
            return 0;
        }
        Console.Error.WriteLine($"quick-one: no goal or item named '{item}'");
        return 2;
    }
}
