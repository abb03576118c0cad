using System.Diagnostics;
using System.Globalization;
using Stasis.Benchmarks.Workloads;

namespace Stasis.Benchmarks.Quick;

/// <summary>
/// <c>dotnet run -c Release --project bench/Stasis.Benchmarks -- quick</c>: every goal of the benchmark issue, each case
/// interleaved with its baseline, one <c>ratio …</c> line per goal and a last <c>goals met: k/n</c> line.
/// </summary>
public static class QuickMode
{
    /// <summary>Subscriptions on one topic in the large fan-out case.</summary>
    public const int ManySubscriptions = 100_000;

    public static IReadOnlyList<Goal> Goals() =>
    [
        new ThroughputGoal("publish-1-vs-akka-tell-1", 0.8, c => new StasisPublishWorkload(c.Bus, 1), c => new AkkaTellWorkload(c.Akka, 1)),
        new ThroughputGoal("publish-1-vs-eventstream-1", 1.0, c => new StasisPublishWorkload(c.Bus, 1), c => new AkkaEventStreamWorkload(c.Akka, 1)),
        new ThroughputGoal("publish-1-vs-protoactor-1", 1.0, c => new StasisPublishWorkload(c.Bus, 1), c => new ProtoSendWorkload(c.Proto, 1)),
        new ThroughputGoal("publish-forwarded-2-levels-vs-publish-1", 0.9, c => new StasisPublishWorkload(c.Bus, 1, levels: 2), c => new StasisPublishWorkload(c.Bus, 1)),
        new ThroughputGoal("publish-10-vs-akka-tell-snapshot-10", 0.9, c => new StasisPublishWorkload(c.Bus, 10), c => new AkkaTellWorkload(c.Akka, 10)),
        new ThroughputGoal("publish-100-vs-akka-tell-snapshot-100", 0.9, c => new StasisPublishWorkload(c.Bus, 100), c => new AkkaTellWorkload(c.Akka, 100)),
        new ThroughputGoal("publish-10-vs-eventstream-10", 1.0, c => new StasisPublishWorkload(c.Bus, 10), c => new AkkaEventStreamWorkload(c.Akka, 10)),
        new ThroughputGoal("publish-10-vs-protoactor-fanout-10", 1.0, c => new StasisPublishWorkload(c.Bus, 10), c => new ProtoSendWorkload(c.Proto, 10)),
        .. ExtraGoals.All,
        new MemoryGoal("idle-subscription-memory-vs-bare-actor", 1.25, c => new IdleSubscriptions(c.Bus), c => new IdleActors(c.Akka)),
        new MemoryGoal("idle-topic-memory-vs-bare-actor", 1.5, c => new IdleTopics(c.Bus), c => new IdleActors(c.Akka)),
        new RateGoal("subscribe-unsubscribe-pairs-vs-100k-per-s", 100_000, "pairs", c => new StasisSubscribeUnsubscribeWorkload(c.Bus)),
        new ThroughputGoal("publish-100k-subscriptions-vs-publish-100-per-delivery", 0.8,
            c => new StasisPublishWorkload(c.Bus, ManySubscriptions, options: StasisBench.PingOnly(c.Bus)), c => new StasisPublishWorkload(c.Bus, 100)),
    ];

    /// <summary>Name of the item that prints the message cost and the latency lines.</summary>
    public const string LatencyItem = "latency";

    /// <summary>Name of the item that prints the dispatch-only diagnostic.</summary>
    public const string DispatchItem = "dispatch";

    /// <summary>Name of the item that prints the sender's cost per message with the receiver held (<see cref="HeldConsumer"/>).</summary>
    public const string HeldItem = "held";

    /// <summary>
    /// Runs every goal (or those whose name contains <paramref name="only"/>), each in a process of its own, and prints
    /// their lines and the <c>goals met</c> line. One process per goal, as BenchmarkDotNet runs each benchmark: the tiered
    /// JIT optimises hot code with the profile it gathered, so in a shared process a goal would run code optimised for
    /// the goals before it (a loop that was never taken before is compiled as cold), and the heap it finds would be
    /// shaped by them. Within a goal's process the case and its baseline share everything, interleaved.
    /// </summary>
    /// <param name="only">When given, runs only the goals whose name contains it (for iterating on one case).</param>
    public static int Run(string? only = null)
    {
        var started = Stopwatch.GetTimestamp();
        var items = new List<string>();
        if (only is null or LatencyItem)
            items.Add(LatencyItem);
        var goals = Goals().Where(g => only is null || g.Name.Contains(only, StringComparison.Ordinal)).ToList();
        items.AddRange(goals.Select(g => g.Name));
        if (only is null or DispatchItem)
            items.Add(DispatchItem);
        if (only is null or HeldItem)
            items.Add(HeldItem);
        var met = 0;
        foreach (var item in items)
        {
            var lines = RunItemProcess(item);
            foreach (var line in lines)
                Console.WriteLine(line);
            if (goals.Find(g => g.Name == item) is { } goal && !lines.Any(l => l.StartsWith($"ratio {item} ", StringComparison.Ordinal)))
            {
                Console.WriteLine($"# {item}: not measured, its process failed (see the lines above)");
                Console.WriteLine($"ratio {item} 0.00 goal {goal.Threshold} MISS");
            }
            met += lines.Count(l => l.StartsWith("ratio ", StringComparison.Ordinal) && l.EndsWith(" PASS", StringComparison.Ordinal));
        }
        Console.WriteLine($"# quick run took {Stopwatch.GetElapsedTime(started).TotalSeconds:0.0} s");
        Console.WriteLine($"goals met: {met}/{goals.Count}");
        return 0;
    }

    /// <summary><c>quick-one NAME</c>: runs one goal (by its exact name), or the latency or dispatch item, in this process.</summary>
    public static int RunItem(string item)
    {
        using var context = new QuickContext();
        switch (item)
        {
            case LatencyItem:
                ReportMessageCost(context);
                ReportLatency(context);
                return 0;
            case DispatchItem:
                ReportDispatchOnly(context);
                return 0;
            case HeldItem:
                using (var held = new HeldConsumer(context))
                    held.Report();
                return 0;
        }
        var goal = Goals().SingleOrDefault(g => g.Name == item);
        if (goal is null)
        {
            Console.Error.WriteLine($"quick-one: no goal named '{item}'");
            return 2;
        }
        goal.Report(context);
        return 0;
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

    /// <summary>
    /// What creating one message costs on the publisher's thread, single-threaded: its payload alone, the wall-clock
    /// read that stamps it, and the whole <c>CreateMessage</c> (clock, message object, EID).
    /// </summary>
    private static void ReportMessageCost(QuickContext context)
    {
        const int n = 1_000_000;
        var type = StasisBench.PingType(context.Bus);
        double NanosEach(Action<int> action)
        {
            action(0); // JIT
            var start = Stopwatch.GetTimestamp();
            for (var i = 0; i < n; i++)
                action(i);
            return Stopwatch.GetElapsedTime(start).TotalNanoseconds / n;
        }
        object? sink = null;
        var payload = NanosEach(i => sink = new Ping(i));
        var clock = NanosEach(_ => sink = DateTimeOffset.UtcNow);
        var message = NanosEach(i => sink = type.CreateMessage(new Ping(i)));
        GC.KeepAlive(sink);
        context.Info($"message cost: new Ping {payload:0} ns, DateTimeOffset.UtcNow {clock:0} ns, CreateMessage(new Ping) {message:0} ns");
    }

    /// <summary>
    /// The bus's dispatch path alone against a raw Tell: one pre-created message published over and over, so the
    /// difference to <c>publish-1-vs-akka-tell-1</c> is what creating each message (payload, message object, clock,
    /// and the garbage collector's work on them while they wait in the queue) costs. Reported, not judged.
    /// </summary>
    private static void ReportDispatchOnly(QuickContext context)
    {
        var probe = new ThroughputGoal("dispatch-only-1-vs-akka-tell-1", 0,
            c => new StasisPublishWorkload(c.Bus, 1, precreated: true), c => new AkkaTellWorkload(c.Akka, 1));
        context.Info($"diagnostic {probe.Name} {probe.MedianRatio(context).ToString("0.00", CultureInfo.InvariantCulture)} (one pre-created message published repeatedly; not a goal)");
    }

    /// <summary>Publish → handler latency (p50, p99) at 10% and 50% of the measured maximum rate; reported, not judged.</summary>
    private static void ReportLatency(QuickContext context)
    {
        using var workload = new LatencyWorkload(context.Bus);
        var n = Measure.Calibrate(workload);
        var max = Enumerable.Range(0, 5).Max(_ => Measure.Rate(workload, n)); // the best of 5: a stalled run must not set the pace
        foreach (var fraction in new[] { 0.1, 0.5 })
        {
            var rate = max * fraction;
            var messages = (int)(rate * 0.5); // half a second
            workload.RunPaced(messages, rate);
            var inv = CultureInfo.InvariantCulture;
            Console.WriteLine(string.Format(inv, "latency publish-1 at {0:0}% of max ({1:0.00} M msgs/s of {2:0.00}): p50 {3:0.0} us p99 {4:0.0} us",
                fraction * 100, rate / 1e6, max / 1e6, workload.Percentile(0.5), workload.Percentile(0.99)));
        }
    }
}
