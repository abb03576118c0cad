using System.Globalization;
using Stasis.Benchmarks.Shared;
using Stasis.Benchmarks.Workloads;

namespace Stasis.Benchmarks.Quick;

/// <summary>
/// One goal of the quick mode: measures a median ratio and compares it with a threshold, which the ratio must reach
/// (higher is better) or, for an <c>atMost</c> goal, must not exceed (lower is better).
/// </summary>
public abstract class Goal(string name, double threshold, bool atMost = false) : IQuickGoal
{
    /// <summary>Interleaved case/baseline pairs (A B A B …) measured per goal.</summary>
    public const int Pairs = 13;

    public string Name { get; } = name;

    /// <summary>The goal as printed: <c>&gt;=x</c> (at least x times the baseline) or <c>&lt;=x</c> (at most).</summary>
    public string Threshold => (atMost ? "<=" : ">=") + threshold.ToString("0.0#", CultureInfo.InvariantCulture);

    /// <summary>Median ratio of the case to its baseline, one ratio per interleaved pair.</summary>
    public abstract double MedianRatio(QuickContext context);

    /// <summary>
    /// Whether <paramref name="ratio"/> meets the goal. The ratio is judged as printed (two decimals), so a verdict
    /// recomputed from a printed ratio, as <c>quick --runs</c> does for the median of its runs, is the printed one.
    /// </summary>
    public bool Met(double ratio)
    {
        var shown = double.Parse(Format(ratio), CultureInfo.InvariantCulture);
        return atMost ? shown <= threshold : shown >= threshold;
    }

    /// <summary>The goal's line: <c>ratio &lt;case-name&gt; &lt;ratio&gt; goal &lt;goal&gt; &lt;PASS|MISS&gt;</c>.</summary>
    public string Line(double ratio) => $"ratio {Name} {Format(ratio)} goal {Threshold} {(Met(ratio) ? "PASS" : "MISS")}";

    /// <summary>A ratio as printed: two decimals, invariant culture.</summary>
    public static string Format(double ratio) => QuickRunner.Format(ratio);

    /// <summary>Runs the goal and prints its <see cref="Line"/>.</summary>
    public bool Report(QuickContext context)
    {
        var ratio = MedianRatio(context);
        Console.WriteLine(Line(ratio));
        return Met(ratio);
    }
}

/// <summary>What a throughput goal counts, for its detail line: one of them, many, and the rates' scale (1e6: <c>M</c>).</summary>
public sealed record RateUnit(string One, string Many, double Scale, string Prefix)
{
    public static RateUnit Deliveries { get; } = new("delivery", "deliveries", 1e6, "M");

    /// <summary>Subscribe + unsubscribe pairs (each ends with one delivery, the final message).</summary>
    public static RateUnit SubscribePairs { get; } = new("pair", "pairs", 1e3, "k");

    /// <summary>A rate as printed: <c>1.23 M deliveries/s</c>.</summary>
    public string Rate(double perSecond) => $"{(perSecond / Scale).ToString(Scale > 1e3 ? "0.00" : "0", CultureInfo.InvariantCulture)} {Prefix} {Many}/s";
}

/// <summary>
/// Throughput (deliveries per second, or <paramref name="unit"/>) of a case against a baseline, run interleaved, each
/// warmed up for <paramref name="warmUp"/> (default <see cref="Measure.WarmUp"/>).
/// </summary>
public sealed class ThroughputGoal(string name, double threshold, Func<QuickContext, Workload> @case, Func<QuickContext, Workload> baseline,
    TimeSpan? warmUp = null, RateUnit? unit = null)
    : Goal(name, threshold)
{
    private readonly RateUnit _unit = unit ?? RateUnit.Deliveries;

    public override double MedianRatio(QuickContext context)
    {
        using var a = @case(context);
        using var b = baseline(context);
        var na = Measure.Calibrate(a, warmUp);
        var nb = Measure.Calibrate(b, warmUp);
        var ratios = new List<double>();
        var rates = (a: new List<double>(), b: new List<double>());
        for (var pair = 0; pair < Pairs; pair++)
        {
            rates.a.Add(Measure.Rate(a, na));
            rates.b.Add(Measure.Rate(b, nb));
            ratios.Add(rates.a[^1] / rates.b[^1]);
        }
        var costA = Measure.CostPerDelivery(a, na);
        var costB = Measure.CostPerDelivery(b, nb);
        context.Info($"{Name}: case {_unit.Rate(Measure.Median(rates.a))} {costA.CpuNanos:0} ns-cpu {costA.Bytes:0} B per {_unit.One};"
                     + $" baseline {_unit.Rate(Measure.Median(rates.b))} {costB.CpuNanos:0} ns-cpu {costB.Bytes:0} B per {_unit.One}");
        return Measure.Median(ratios);
    }
}

/// <summary>Retained bytes per idle instance of a case against a baseline, measured interleaved.</summary>
public sealed class MemoryGoal(string name, double threshold, Func<QuickContext, IdleSet> @case, Func<QuickContext, IdleSet> baseline)
    : Goal(name, threshold, atMost: true)
{
    /// <summary>Instances created per sample.</summary>
    public const int Count = 2000;

    public override double MedianRatio(QuickContext context)
    {
        BytesPer(@case(context)); // warm-up: types loaded, pools sized
        BytesPer(baseline(context));
        var ratios = new List<double>();
        var bytes = (a: new List<double>(), b: new List<double>());
        for (var pair = 0; pair < Pairs; pair++)
        {
            bytes.a.Add(BytesPer(@case(context)));
            bytes.b.Add(BytesPer(baseline(context)));
            ratios.Add(bytes.a[^1] / bytes.b[^1]);
        }
        context.Info($"{Name}: case {Measure.Median(bytes.a):0} B each, baseline {Measure.Median(bytes.b):0} B each");
        return Measure.Median(ratios);
    }

    private static double BytesPer(IdleSet set)
    {
        set.Prepare(Count);
        var before = Measure.LiveBytes();
        set.Create(Count);
        var after = Measure.LiveBytes();
        set.Destroy();
        return (after - before) / (double)Count;
    }
}

/// <summary>A rate against a fixed floor (no baseline to run): the ratio is rate / floor.</summary>
public sealed class RateGoal(string name, double floor, string unit, Func<QuickContext, Workload> @case) : Goal(name, 1.0)
{
    /// <summary>
    /// Warm-up of a rate goal. Subscribing and unsubscribing runs through many of Akka's methods (making an actor,
    /// stopping it, death watch) a few times per pair, and the tiered JIT optimizes them only after seconds: measured
    /// after <see cref="Measure.WarmUp"/> the rate was 50-75 k pairs/s, after 1.5 s the same, after 3 s 145-200 k.
    /// </summary>
    public static readonly TimeSpan WarmUp = TimeSpan.FromSeconds(3);

    public override double MedianRatio(QuickContext context)
    {
        using var workload = @case(context);
        var n = Measure.Calibrate(workload, WarmUp);
        var rates = Enumerable.Range(0, Pairs).Select(_ => Measure.Rate(workload, n)).ToList();
        context.Info($"{Name}: {Measure.Median(rates) / 1e3:0} k {unit}/s (floor {floor / 1e3:0} k)");
        return Measure.Median(rates) / floor;
    }
}
