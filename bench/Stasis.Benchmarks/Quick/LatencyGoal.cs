using System.Globalization;
using Stasis.Benchmarks.Workloads;

namespace Stasis.Benchmarks.Quick;

/// <summary>
/// Latency, Stasis against raw Akka: publish → callback subscription and <c>Tell</c> → plain actor, each message
/// stamped on the same clock, at the same loads (fractions of the Stasis case's best unpaced rate), interleaved in one
/// process. Prints one <c>latency</c> line per case and load (p50 and p99, medians over the rounds) and judges the
/// Stasis p50 at the lowest load against the Tell p50: a ratio where lower is better.
/// </summary>
public sealed class LatencyGoal() : Goal("latency-p50-10pct-vs-akka-tell", 1.5, atMost: true)
{
    /// <summary>The loads, as fractions of the maximum rate; the first is judged.</summary>
    private static readonly double[] s_loads = [0.1, 0.5];

    /// <summary>Interleaved Stasis/Tell rounds per load.</summary>
    private const int Rounds = 3;

    /// <summary>Length of one paced run.</summary>
    private const double Seconds = 0.5;

    public override double MedianRatio(QuickContext context)
    {
        using var stasis = new StasisLatencyWorkload(context.Bus);
        using var tell = new AkkaTellLatencyWorkload(context.Akka);
        var n = Measure.Calibrate(stasis);
        Measure.Calibrate(tell); // warms the Tell path up; it then runs at the Stasis case's loads
        var max = Enumerable.Range(0, 5).Max(_ => Measure.Rate(stasis, n)); // the best of 5: a stalled run must not set the pace
        var ratios = new List<double>();
        foreach (var load in s_loads)
        {
            var rate = max * load;
            var messages = (int)(rate * Seconds);
            var results = (stasis: new List<(double P50, double P99)>(), tell: new List<(double P50, double P99)>());
            for (var round = 0; round < Rounds; round++)
            {
                results.stasis.Add(Paced(stasis, messages, rate));
                results.tell.Add(Paced(tell, messages, rate));
                if (load == s_loads[0])
                    ratios.Add(results.stasis[^1].P50 / results.tell[^1].P50);
            }
            Print("publish-1", load, rate, max, results.stasis);
            Print("akka-tell-1", load, rate, max, results.tell);
        }
        return Measure.Median(ratios);
    }

    private static (double P50, double P99) Paced(LatencyWorkload workload, int messages, double rate)
    {
        workload.RunPaced(messages, rate);
        return (workload.Percentile(0.5), workload.Percentile(0.99));
    }

    private static void Print(string @case, double load, double rate, double max, List<(double P50, double P99)> rounds) =>
        Console.WriteLine(string.Format(CultureInfo.InvariantCulture,
            "latency {0} at {1:0}% of max ({2:0.00} M msgs/s of {3:0.00}): p50 {4:0.0} us p99 {5:0.0} us (medians of {6} runs)",
            @case, load * 100, rate / 1e6, max / 1e6, Measure.Median([.. rounds.Select(r => r.P50)]), Measure.Median([.. rounds.Select(r => r.P99)]), rounds.Count));
}
