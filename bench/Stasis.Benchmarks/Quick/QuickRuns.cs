using System.Diagnostics;
using System.Globalization;

namespace Stasis.Benchmarks.Quick;

/// <summary>
/// Runs the quick mode's items, each in a process of its own (<c>quick-one NAME</c>), and judges their goals. With one
/// run, the items' lines are relayed as they are. With N runs, every item runs N times; each run's <c>ratio</c> lines are
/// relayed as <c># run k: ratio …</c> comments, and a summary closes the output: per goal, its runs' ratios and one line
/// <c>ratio &lt;goal&gt; &lt;median&gt; goal &lt;goal&gt; PASS|MISS (min … median … max … over N runs)</c>, judged on the
/// median, so a parser of <c>ratio </c> lines still sees each goal once. <c>goals met</c> counts medians.
/// </summary>
public static class QuickRuns
{
    /// <summary>One item: the name given to <c>quick-one</c>, and the goal whose <c>ratio</c> line its process prints, if any.</summary>
    public sealed record Item(string Name, Goal? Goal);

    public static void Run(IReadOnlyList<Item> items, int runs)
    {
        var started = Stopwatch.GetTimestamp();
        var goals = items.Select(i => i.Goal).OfType<Goal>().ToList();
        var ratios = goals.ToDictionary(g => g.Name, _ => new List<double>());
        // Run 1 of every item, then run 2 of every item, and so on, rather than all runs of one item together: the load
        // on this machine drifts (other jobs, the VM's host), and interleaved runs spread a busy stretch over every goal
        // alike instead of concentrating it on the few goals measured during it.
        for (var run = 1; run <= runs; run++)
        {
            if (runs > 1)
                Console.WriteLine($"# run {run} of {runs}");
            foreach (var item in items)
            {
                var lines = RunItemProcess(item.Name);
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
            PrintSummary(goals, ratios, runs);
        Console.WriteLine($"# quick run took {Stopwatch.GetElapsedTime(started).TotalSeconds:0.0} s");
        Console.WriteLine($"goals met: {goals.Count(g => g.Met(Measure.Median(ratios[g.Name])))}/{goals.Count}");
    }

    private static void PrintSummary(List<Goal> goals, Dictionary<string, List<double>> ratios, int runs)
    {
        Console.WriteLine($"# summary over {runs} runs: each goal's ratio per run, then its median, judged");
        foreach (var goal in goals)
        {
            var values = ratios[goal.Name];
            var median = Measure.Median(values);
            Console.WriteLine($"# {goal.Name} runs: {string.Join(" ", values.Select(Goal.Format))}");
            Console.WriteLine($"{goal.Line(median)} (min {Goal.Format(values.Min())} median {Goal.Format(median)} max {Goal.Format(values.Max())} over {runs} runs)");
        }
    }

    /// <summary>The ratio in the goal's <c>ratio &lt;goal&gt; &lt;value&gt; …</c> line, or null when there is none.</summary>
    private static double? RatioOf(Goal goal, List<string> lines)
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

    /// <summary>Runs <c>quick-one <paramref name="item"/></c> in a new process of this program and returns its output lines.</summary>
    private static List<string> RunItemProcess(string item)
    {
        var host = Environment.ProcessPath ?? "dotnet";
        var start = new ProcessStartInfo(host) { RedirectStandardOutput = true, UseShellExecute = false };
        if (Path.GetFileNameWithoutExtension(host) == "dotnet") // started as 'dotnet Stasis.Benchmarks.dll'
        {
            start.ArgumentList.Add("exec");
            start.ArgumentList.Add(typeof(QuickMode).Assembly.Location);
        }
        start.ArgumentList.Add("quick-one");
        start.ArgumentList.Add(item);
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
