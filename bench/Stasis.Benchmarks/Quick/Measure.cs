using System.Diagnostics;
using Stasis.Benchmarks.Workloads;

namespace Stasis.Benchmarks.Quick;

/// <summary>Timing helpers of the quick mode.</summary>
public static class Measure
{
    /// <summary>Target duration of one timed sample.</summary>
    public static readonly TimeSpan Sample = TimeSpan.FromMilliseconds(60);

    /// <summary>
    /// How long a workload runs before it is measured: long enough for the tiered JIT to have replaced the first,
    /// unoptimised code of the whole path (case and baseline alike) with optimised code.
    /// </summary>
    public static readonly TimeSpan WarmUp = TimeSpan.FromMilliseconds(400);

    /// <summary>Deliveries per second of one run of <paramref name="messages"/> messages.</summary>
    public static double Rate(Workload workload, int messages)
    {
        var start = Stopwatch.GetTimestamp();
        workload.Run(messages);
        var seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
        return (double)messages * workload.Fanout / seconds;
    }

    /// <summary>
    /// Process CPU time (all threads) and bytes allocated (all threads) per delivery over <paramref name="runs"/> runs:
    /// unlike a rate, these stay meaningful on a machine shared with other work.
    /// </summary>
    public static (double CpuNanos, double Bytes) CostPerDelivery(Workload workload, int messages, int runs = 3)
    {
        var process = Process.GetCurrentProcess();
        var cpu = process.TotalProcessorTime;
        var bytes = GC.GetTotalAllocatedBytes(precise: true);
        for (var i = 0; i < runs; i++)
            workload.Run(messages);
        process.Refresh();
        var deliveries = (double)messages * workload.Fanout * runs;
        return ((process.TotalProcessorTime - cpu).TotalNanoseconds / deliveries, (GC.GetTotalAllocatedBytes(precise: true) - bytes) / deliveries);
    }

    /// <summary>
    /// Warms <paramref name="workload"/> up (so the JIT has compiled the hot path) for at least
    /// <paramref name="warmUp"/> (default <see cref="WarmUp"/>) and returns the number of messages a run needs to last
    /// about <see cref="Sample"/>.
    /// </summary>
    public static int Calibrate(Workload workload, TimeSpan? warmUp = null)
    {
        var minimum = warmUp ?? WarmUp;
        var messages = 1;
        var warming = Stopwatch.StartNew();
        double rate;
        while (true)
        {
            var start = Stopwatch.GetTimestamp();
            workload.Run(messages);
            var elapsed = Stopwatch.GetElapsedTime(start);
            if (elapsed >= TimeSpan.FromMilliseconds(15) && warming.Elapsed >= minimum)
            {
                rate = messages / elapsed.TotalSeconds;
                break;
            }
            if (elapsed < TimeSpan.FromMilliseconds(15))
                messages *= 4;
        }
        return Math.Max(1, (int)(rate * Sample.TotalSeconds));
    }

    public static double Median(IReadOnlyList<double> values) => Shared.QuickRunner.Median(values);

    /// <summary>Full, compacting garbage collection; returns the live heap size.</summary>
    public static long LiveBytes()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        return GC.GetTotalMemory(true);
    }
}
