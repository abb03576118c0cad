using System.Diagnostics;
using Akka.Actor;
using Stasis.Actors;

namespace Stasis.Benchmarks.Workloads;

/// <summary>A payload stamped with the <see cref="Stopwatch"/> time it was published.</summary>
public sealed record Stamp(long Ticks);

/// <summary>
/// Sends <see cref="Stamp"/>s to one receiver, recording each message's send-to-handler latency on the
/// <see cref="Stopwatch"/> clock. <see cref="Run"/> sends as fast as it can; <see cref="RunPaced"/> sends at a fixed rate
/// (yielding between messages). Subclasses say how a stamp is sent and call <see cref="Received"/> from the receiver.
/// </summary>
public abstract class LatencyWorkload : Workload
{
    private readonly Completion _done = new();
    private long[] _latencies = [];
    private int _count;

    public override int Fanout => 1;

    public override void Run(int messages) => RunPaced(messages, 0);

    /// <summary>Sends <paramref name="messages"/> messages at <paramref name="perSecond"/> (0: unpaced) and waits for the last.</summary>
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
            Send(new Stamp(Stopwatch.GetTimestamp()));
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

    /// <summary>Sends one stamp from the calling thread.</summary>
    protected abstract void Send(Stamp stamp);

    /// <summary>Records a stamp's latency; called by the (serialized) receiver.</summary>
    protected void Received(Stamp stamp)
    {
        _latencies[_count] = Stopwatch.GetTimestamp() - stamp.Ticks;
        if (++_count == _latencies.Length)
            _done.Signal();
    }

    private void Arm(int messages)
    {
        _latencies = new long[messages];
        _count = 0;
        _done.Arm(1);
    }
}

/// <summary>Stasis publish → one callback subscription.</summary>
public sealed class StasisLatencyWorkload : LatencyWorkload
{
    private readonly Topic _topic;
    private readonly MessageType<Stamp> _type;

    public StasisLatencyWorkload(StasisBus bus)
    {
        _type = bus.CreateMessageType<Stamp>("bench_stamp");
        _topic = StasisBench.NewTopic(bus, "latency");
        _topic.Subscribe((_, _, message) =>
        {
            if (message is StasisMessage<Stamp> stamped)
                Received(stamped.Payload);
        });
    }

    protected override void Send(Stamp stamp) => _topic.Publish(_type, stamp);

    public override void Dispose() => _topic.Destroy();
}

/// <summary>The baseline: a raw Akka <c>Tell</c> → one plain <see cref="ReceiveActor"/>.</summary>
public sealed class AkkaTellLatencyWorkload : LatencyWorkload
{
    private readonly ActorSystem _system;
    private readonly IActorRef _actor;

    public AkkaTellLatencyWorkload(ActorSystem system)
    {
        _system = system;
        Action<Stamp> received = Received;
        _actor = system.ActorOf(Props.Create(() => new Receiver(received)));
    }

    protected override void Send(Stamp stamp) => _actor.Tell(stamp, ActorRefs.NoSender);

    public override void Dispose() => _system.Stop(_actor);

    private sealed class Receiver : ReceiveActor
    {
        public Receiver(Action<Stamp> received) => Receive<Stamp>(received);
    }
}
