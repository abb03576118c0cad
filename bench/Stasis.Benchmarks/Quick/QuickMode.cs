using System.Diagnostics;
using System.Globalization;
using Stasis.Benchmarks.Shared;
using Stasis.Benchmarks.Workloads;

namespace Stasis.Benchmarks.Quick;

/// <summary>
/// <c>dotnet run -c Release --project bench/Stasis.Benchmarks -- quick [--runs N]</c>: every goal of the benchmark issue,
/// each case interleaved with its baseline, one <c>ratio …</c> line per goal and a last <c>goals met: k/n</c> line.
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
        new ThroughputGoal("subscribe-unsubscribe-4-threads-4-topics-vs-1-thread", 1.0,
            c => ParallelWorkload.Of(4, () => new StasisSubscribeUnsubscribeWorkload(c.Bus)), c => new StasisSubscribeUnsubscribeWorkload(c.Bus),
            RateGoal.WarmUp, RateUnit.SubscribePairs),
        new ThroughputGoal("publish-100k-subscriptions-vs-publish-100-per-delivery", 0.8,
            c => new StasisPublishWorkload(c.Bus, ManySubscriptions, options: StasisBench.PingOnly(c.Bus)), c => new StasisPublishWorkload(c.Bus, 100)),
        new ThroughputGoal("publish-100k-pooled-subscriptions-vs-publish-100-per-delivery", 0.8,
            c => new StasisPublishWorkload(c.Bus, ManySubscriptions, options: StasisBench.PingOnly(c.Bus) with { Pooled = true }), c => new StasisPublishWorkload(c.Bus, 100)),
    ];

    /// <summary>Name of the item that prints the message cost and the latency lines.</summary>
    public const string LatencyItem = "latency";

    /// <summary>Name of the item that prints the dispatch-only diagnostic.</summary>
    public const string DispatchItem = "dispatch";

    /// <summary>Name of the item that prints the sender's cost per message with the receiver held (<see cref="HeldConsumer"/>).</summary>
    public const string HeldItem = "held";

    /// <summary>The goal judged by the <see cref="LatencyItem"/>.</summary>
    public static LatencyGoal LatencyGoal { get; } = new();

    /// <summary>
    /// <c>quick [--runs N] [TEXT]</c>: runs every goal (or those whose name contains TEXT) and the diagnostics, each in a
    /// process of its own, N times (default 1), and prints their lines and the <c>goals met</c> line (see
    /// <see cref="QuickRunner"/>). One process per goal, as BenchmarkDotNet runs each benchmark: the tiered JIT optimises
    /// hot code with the profile it gathered, so in a shared process a goal would run code optimised for the goals
    /// before it (a loop that was never taken before is compiled as cold), and the heap it finds would be shaped by them.
    /// Within a goal's process the case and its baseline share everything, interleaved.
    /// </summary>
    public static int Run(IReadOnlyList<string> args)
    {
        var runs = 1;
        string? only = null;
        for (var i = 0; i < args.Count; i++)
        {
            if (args[i] == "--runs" && i + 1 < args.Count && int.TryParse(args[i + 1], NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n >= 1)
                (runs, i) = (n, i + 1);
            else if (args[i].StartsWith("--", StringComparison.Ordinal) || only is not null)
            {
                Console.Error.WriteLine($"quick: unexpected '{args[i]}'; usage: quick [--runs N] [TEXT]");
                return 2;
            }
            else
                only = args[i];
        }
        bool Selected(string name) => only is null || name == only || name.Contains(only, StringComparison.Ordinal);
        var items = new List<QuickRunner.Item>();
        if (Selected(LatencyItem) || Selected(LatencyGoal.Name))
            items.Add(new(LatencyItem, LatencyGoal));
        items.AddRange(Goals().Where(g => Selected(g.Name)).Select(g => new QuickRunner.Item(g.Name, g)));
        if (only is null or DispatchItem)
            items.Add(new(DispatchItem, null));
        if (only is null or HeldItem)
            items.Add(new(HeldItem, null));
        QuickRunner.Run("quick mode", items, runs);
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
                LatencyGoal.Report(context);
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
}
