using System.Diagnostics;
using System.Globalization;

namespace Stasis.Benchmarks.Shared;

/// <summary>A goal as <see cref="QuickRunner"/> judges it: by name, from the <c>ratio NAME X …</c> line its process prints.</summary>
public interface IQuickGoal
{
    string Name { get; }

    /// <summary>Whether the ratio, as printed (two decimals), meets the goal.</summary>
    bool Met(double ratio);

    /// <summary>The goal's judged line for a ratio: <c>ratio NAME X … PASS|MISS</c>.</summary>
    string Line(double ratio);
}

/// <summary>
/// Runs quick-mode items, each in a process of its own (<c>quick-one NAME</c>): the tiered JIT then optimises with the
/// profile of the item it runs, not of the items before it. With one run, the items' lines are relayed as they are. With
/// N runs, run 1 of every item comes first, then run 2, and so on; each run's <c>ratio</c> lines are relayed as
/// <c># run k: ratio …</c> comments, and a summary closes the output: per goal, its runs' ratios and one judged line for
/// their median, so a parser of <c>ratio </c> lines still sees each goal once. <c>goals met</c> counts medians.
/// </summary>
public static class QuickRunner
{
    /// <summary>One item: the name given to <c>quick-one</c>, and the goal whose <c>ratio</c> line its process prints, if any.</summary>
    public sealed record Item(string Name, IQuickGoal? Goal);

    /// <summary>Runs every item <paramref name="runs"/> times; <paramref name="itemArgs"/> follow <c>quick-one NAME</c>.</summary>
    public static void Run(string title, IReadOnlyList<Item> items, int runs, IReadOnlyList<string>? itemArgs = null)
    {
        var started = Stopwatch.GetTimestamp();
        Console.WriteLine($"# {title}: {runs} run(s), {Environment.ProcessorCount} cores, {LoadAverage()}");
        var goals = items.Select(i => i.Goal).OfType<IQuickGoal>().ToList();
        var ratios = goals.ToDictionary(g => g.Name, _ => new List<double>());
        // Interleaved rather than all runs of one item together: the load on this machine drifts (other jobs, the VM's
        // host), and interleaved runs spread a busy stretch over every goal alike.
        for (var run = 1; run <= runs; run++)
        {
            if (runs > 1)
                Console.WriteLine($"# run {run} of {runs}");
            foreach (var item in items)
            {
                var lines = RunItemProcess(item.Name, itemArgs ?? []);
                foreach (var line in lines)
                    Console.WriteLine(runs > 1 && line.StartsWith("ratio ", StringComparison.Ordinal) ? $"# run {run}: {line}" : line);
                if (item.Goal is not { } goal)
                    continue;
                var ratio = RatioOf(goal, lines);
                if (ratio is null)
                {
                    Console.WriteLine($"# {goal.Name}: not measured, its process failed (see the lines above); counted as 0.00");
                    if (runs == 1)
                        Console.WriteLine(goal.Line(0));
                }
                ratios[goal.Name].Add(ratio ?? 0);
            }
        }
        if (runs > 1)
        {
            Console.WriteLine($"# summary over {runs} runs: each goal's ratio per run, then its median, judged");
            foreach (var goal in goals)
            {
                var values = ratios[goal.Name];
                var median = Median(values);
                Console.WriteLine($"# {goal.Name} runs: {string.Join(" ", values.Select(Format))}");
                Console.WriteLine($"{goal.Line(median)} (min {Format(values.Min())} median {Format(median)} max {Format(values.Max())} over {runs} runs)");
            }
        }
        Console.WriteLine($"# quick run took {Stopwatch.GetElapsedTime(started).TotalSeconds:0.0} s, {LoadAverage()}");
        Console.WriteLine($"goals met: {goals.Count(g => g.Met(Median(ratios[g.Name])))}/{goals.Count}");
    }

    /// <summary>A ratio as printed: two decimals, invariant culture.</summary>
    public static string Format(double ratio) => ratio.ToString("0.00", CultureInfo.InvariantCulture);

    public static double Median(IReadOnlyList<double> values)
    {
        var sorted = values.Order().ToArray();
        var mid = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }

    /// <summary>The machine's load averages (1, 5, 15 minutes), from /proc/loadavg where there is one.</summary>
    public static string LoadAverage()
    {
        try
        {
            var parts = File.ReadAllText("/proc/loadavg").Split(' ');
            return $"load average {parts[0]} {parts[1]} {parts[2]}";
        }
        catch (IOException)
        {
            return "load average unknown";
        }
    }

    /// <summary>The ratio in the goal's <c>ratio NAME X …</c> line, or null when there is none.</summary>
    private static double? RatioOf(IQuickGoal goal, List<string> lines)
    {
        var prefix = $"ratio {goal.Name} ";
        foreach (var line in lines)
        {
            if (line.StartsWith(prefix, StringComparison.Ordinal)
                && double.TryParse(line[prefix.Length..].Split(' ')[0], NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
                return value;
        }
        return null;
    }

    /// <summary>Runs <c>quick-one ITEM ARGS…</c> in a new process of this program and returns its output lines.</summary>
    private static List<string> RunItemProcess(string item, IReadOnlyList<string> itemArgs)
    {
        var host = Environment.ProcessPath ?? "dotnet";
        var start = new ProcessStartInfo(host) { RedirectStandardOutput = true, UseShellExecute = false };
        if (Path.GetFileNameWithoutExtension(host) == "dotnet") // started as 'dotnet <benchmark>.dll'
        {
            start.ArgumentList.Add("exec");
            start.ArgumentList.Add(System.Reflection.Assembly.GetEntryAssembly()?.Location
                                   ?? throw new InvalidOperationException("No entry assembly to run quick-one in"));
        }
        start.ArgumentList.Add("quick-one");
        start.ArgumentList.Add(item);
        foreach (var arg in itemArgs)
            start.ArgumentList.Add(arg);
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {host}");
        var lines = new List<string>();
        while (process.StandardOutput.ReadLine() is { } line)
            lines.Add(line);
        process.WaitForExit();
        if (process.ExitCode != 0)
            lines.Add($"# {item}: its process exited with code {process.ExitCode}");
        return lines;
    }
}
