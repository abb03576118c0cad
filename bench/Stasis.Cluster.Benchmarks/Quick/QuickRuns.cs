using System.Diagnostics;
using System.Globalization;

namespace Stasis.Cluster.Benchmarks.Quick;

/// <summary>
/// Runs the quick mode's items, each in a process of its own (<c>quick-one NAME</c>), as the library's quick mode does:
/// the tiered JIT optimises with the profile of the goal it runs, not of the goals before it. With N runs, run 1 of every
/// item comes first, then run 2, and so on; each run's ratio line is relayed as <c># run k: ratio …</c>, and a summary
/// gives each goal's median over the runs, judged, with the min and max.
/// </summary>
public static class QuickRuns
{
    public static void Run(IReadOnlyList<ClusterGoal> goals, IReadOnlyList<string> diagnostics, int runs, IReadOnlyList<string> itemArgs)
    {
        var started = Stopwatch.GetTimestamp();
        Console.WriteLine($"# cluster quick mode: {runs} run(s), {Environment.ProcessorCount} cores, {Diagnostics.LoadAverage()}");
        var ratios = goals.ToDictionary(g => g.Name, _ => new List<double>());
        for (var run = 1; run <= runs; run++)
        {
            if (runs > 1)
                Console.WriteLine($"# run {run} of {runs}");
            foreach (var item in goals.Select(g => g.Name).Concat(diagnostics))
            {
                var lines = RunItemProcess(item, itemArgs);
                foreach (var line in lines)
                    Console.WriteLine(runs > 1 && line.StartsWith("ratio ", StringComparison.Ordinal) ? $"# run {run}: {line}" : line);
                if (goals.FirstOrDefault(g => g.Name == item) is not { } goal)
                    continue;
                var ratio = RatioOf(goal, lines);
                if (ratio is null)
                    Console.WriteLine($"# {goal.Name}: not measured, its process failed (see the lines above); counted as 0.00");
                ratios[goal.Name].Add(ratio ?? 0);
            }
        }
        if (runs > 1)
        {
            Console.WriteLine($"# summary over {runs} runs: each goal's ratio per run, then the median of the runs, judged");
            foreach (var goal in goals)
            {
                var values = ratios[goal.Name];
                Console.WriteLine($"# {goal.Name} runs: {string.Join(" ", values.Select(ClusterGoal.Format))}");
                Console.WriteLine($"{goal.Line(ClusterGoal.Median(values), values.Min(), values.Max())} (median, min-max of {runs} runs)");
            }
        }
        Console.WriteLine($"# quick run took {Stopwatch.GetElapsedTime(started).TotalSeconds:0.0} s, {Diagnostics.LoadAverage()}");
        Console.WriteLine($"goals met: {goals.Count(g => g.Met(ClusterGoal.Median(ratios[g.Name])))}/{goals.Count}");
    }

    private static double? RatioOf(ClusterGoal goal, List<string> lines)
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

    /// <summary>Runs <c>quick-one ITEM</c> in a new process of this program and returns its output lines.</summary>
    private static List<string> RunItemProcess(string item, IReadOnlyList<string> itemArgs)
    {
        var host = Environment.ProcessPath ?? "dotnet";
        var start = new ProcessStartInfo(host) { RedirectStandardOutput = true, UseShellExecute = false };
        if (Path.GetFileNameWithoutExtension(host) == "dotnet") // started as 'dotnet Stasis.Cluster.Benchmarks.dll'
        {
            start.ArgumentList.Add("exec");
            start.ArgumentList.Add(typeof(QuickRuns).Assembly.Location);
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
