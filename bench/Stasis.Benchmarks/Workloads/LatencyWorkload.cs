using System.Diagnostics;
using Stasis.Actors;
using Stasis.Actors.Messages;
using Stasis.Actors.Topics;

namespace Stasis.Benchmarks.Workloads;

/// <summary>A payload stamped with the <see cref="Stopwatch"/> time it was published.</summary>
public sealed record Stamp(long Ticks);

/// <summary>
/// Stasis publish → one callback subscription, recording each message's publish-to-handler latency. <see cref="Run"/>
/// publishes as fast as it can; <see cref="RunPaced"/> publishes at a fixed rate (spinning between messages).
/// </summary>
public sealed class LatencyWorkload : Workload
{
    private readonly Completion _done = new();
    private readonly Topic _topic;
    private readonly MessageType<Stamp> _type;
    private long[] _latencies = [];
    private int _count;

    public LatencyWorkload(StasisBus bus)
    {
        _type = bus.CreateMessageType<Stamp>("bench_stamp");
        _topic = StasisBench.NewTopic(bus, "latency");
        _topic.Subscribe((_, _, message) =>
        {
            if (message is not StasisMessage<Stamp> stamped)
                return;
            _latencies[_count] = Stopwatch.GetTimestamp() - stamped.Payload.Ticks;
            if (++_count == _latencies.Length)
                _done.Signal();
        });
    }

    public override int Fanout => 1;

    public override void Run(int messages) => RunPaced(messages, 0);

    /// <summary>Publishes <paramref name="messages"/> messages at <paramref name="perSecond"/> (0: unpaced) and waits for the last.</summary>
    public void RunPaced(int messages, double perSecond)
    {
        Arm(messages);
        var interval = perSecond > 0 ? Stopwatch.Frequency / perSecond : 0;
        var start = Stopwatch.GetTimestamp();
        for (var i = 0; i < messages; i++)
        {
            var due = start + (long)(i * interval);
            while (Stopwatch.GetTimestamp() < due)
                Thread.Yield(); // leaves the core to the handler (2 cores: spinning would starve it)
            _topic.Publish(_type, new Stamp(Stopwatch.GetTimestamp()));
        }
        _done.Wait();
    }

    /// <summary>The <paramref name="fraction"/> percentile (0..1) of the last run's latencies, in microseconds.</summary>
    public double Percentile(double fraction)
    {
        var sorted = _latencies.Order().ToArray();
        var index = Math.Min(sorted.Length - 1, (int)(fraction * sorted.Length));
        return sorted[index] * 1e6 / Stopwatch.Frequency;
    }

    public override void Dispose() => _topic.Destroy();

    private void Arm(int messages)
    {
        _latencies = new long[messages];
        _count = 0;
        _done.Arm(1);
    }
}
