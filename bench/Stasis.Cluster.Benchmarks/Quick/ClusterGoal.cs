using System.Diagnostics;
using System.Globalization;
using Stasis.Benchmarks.Shared;
using Stasis.Cluster.Benchmarks.Workloads;

namespace Stasis.Cluster.Benchmarks.Quick;

/// <summary>
/// One goal: Stasis against raw DistributedPubSub on a cluster of <see cref="NodeCount"/> nodes, measured in one process
/// on the same nodes, round by round alternately (A B, B A, A B, …), judged on the median of the per-pair ratios.
/// A goal that is not <paramref name="judged"/> prints a <c># diagnostic …</c> line instead of a <c>ratio</c> line.
/// </summary>
public sealed class ClusterGoal(string name, int nodeCount, double threshold, int messagesPerRound, string extraConfig = "", bool judged = true)
    : IQuickGoal
{
    /// <summary>Interleaved Stasis/raw pairs measured per goal (after the warm-up).</summary>
    public const int Pairs = 9;

    /// <summary>Minimum warm-up of both paths together, so the tiered JIT has optimised both before the pairs.</summary>
    public static readonly TimeSpan WarmUp = TimeSpan.FromSeconds(2);

    public string Name { get; } = name;

    public int NodeCount { get; } = nodeCount;

    public double Threshold { get; } = threshold;

    public int MessagesPerRound { get; } = messagesPerRound;

    /// <summary>The goal's line: <c>ratio NAME X goal &gt;= T PASS|MISS</c>, ratios as printed (two decimals).</summary>
    public string Line(double ratio) =>
        $"ratio {Name} {Format(ratio)} goal >= {Threshold.ToString("0.0#", CultureInfo.InvariantCulture)} {(Met(ratio) ? "PASS" : "MISS")}";

    /// <summary>Judged as printed, so a verdict recomputed from a printed ratio is the printed one.</summary>
    public bool Met(double ratio) => double.Parse(Format(ratio), CultureInfo.InvariantCulture) >= Threshold;

    public static string Format(double ratio) => QuickRunner.Format(ratio);

    /// <summary>Starts the cluster, measures, prints the detail lines and the ratio line.</summary>
    public async Task Report(int? messages)
    {
        var perRound = messages ?? MessagesPerRound;
        await using var cluster = await BenchCluster.Start(NodeCount, extraConfig);
        var stasis = await StasisPath.Create(cluster);
        var raw = await RawPath.Create(cluster);
        var warming = Stopwatch.StartNew();
        var warmUpRounds = 0;
        while (warming.Elapsed < WarmUp || warmUpRounds < 3)
        {
            await stasis.Run(perRound);
            await raw.Run(perRound);
            warmUpRounds++;
        }
        var rates = (stasis: new List<double>(), raw: new List<double>());
        var ratios = new List<double>();
        var cpu = (stasis: TimeSpan.Zero, raw: TimeSpan.Zero);
        for (var pair = 0; pair < Pairs; pair++)
        {
            // Alternate which path goes first, so neither always runs right after the other's garbage and queues.
            foreach (var path in pair % 2 == 0 ? new PublishPath[] { stasis, raw } : [raw, stasis])
            {
                await Settle();
                var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
                var elapsed = await path.Run(perRound);
                var cpuUsed = Process.GetCurrentProcess().TotalProcessorTime - cpuBefore;
                if (path == stasis)
                    (rates.stasis, cpu.stasis) = (Add(rates.stasis, perRound / elapsed.TotalSeconds), cpu.stasis + cpuUsed);
                else
                    (rates.raw, cpu.raw) = (Add(rates.raw, perRound / elapsed.TotalSeconds), cpu.raw + cpuUsed);
            }
            ratios.Add(rates.stasis[^1] / rates.raw[^1]);
        }
        var total = (double)perRound * Pairs;
        Info($"{Name}: {NodeCount} node(s), {perRound} messages per round, {Pairs} pairs after {warmUpRounds} warm-up pairs");
        Info($"{Name}: stasis {Median(rates.stasis):N0} msg/s {cpu.stasis.TotalNanoseconds / total / 1000:0.0} us-cpu per message;"
             + $" raw {Median(rates.raw):N0} msg/s {cpu.raw.TotalNanoseconds / total / 1000:0.0} us-cpu per message (all nodes' threads)");
        Info($"{Name}: per-pair ratios {string.Join(" ", ratios.Select(Format))}");
        foreach (var line in Diagnostics.ClusterCounters(cluster))
            Info(line);
        if (judged)
            Console.WriteLine($"{Line(Median(ratios))} (pairs {Format(ratios.Min())}-{Format(ratios.Max())})");
        else
            Info($"diagnostic {Name} {Format(Median(ratios))} ({Format(ratios.Min())}-{Format(ratios.Max())}) (not a goal; {extraConfig})");
    }

    public static double Median(IReadOnlyList<double> values) => QuickRunner.Median(values);

    public static void Info(string line) => Console.WriteLine("# " + line);

    private static List<double> Add(List<double> list, double value)
    {
        list.Add(value);
        return list;
    }

    /// <summary>
    /// A pause between rounds: what a round leaves behind (node 0's bridge dropping its own envelopes, remoting's
    /// buffers) is finished before the next round starts instead of being timed in it.
    /// </summary>
    private static Task Settle() => Task.Delay(50);
}
