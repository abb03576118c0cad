using System.Diagnostics;
using Akka.Actor;
using Stasis.Actors;
using Stasis.Benchmarks.Workloads;

namespace Stasis.Benchmarks.Quick;

/// <summary>
/// What sending costs the sending thread alone: the receiver's handler is held (it blocks on the first message, a
/// <see cref="Ping"/> with a negative number) while the sender sends, so every send is a plain enqueue on a mailbox that
/// is already scheduled, then released to drain. Reported per message for a raw Tell, <c>EventStream.Publish</c>, a
/// Stasis publish and a Stasis publish of one pre-created message, with the receiver's drain time. A diagnostic: in a
/// stream these costs decide whether a sender outruns its receiver (see docs/benchmarks.md).
/// </summary>
public sealed class HeldConsumer : IDisposable
{
    private const int Messages = 200_000;
    private const int Rounds = 9;

    private readonly QuickContext _context;
    private readonly ManualResetEventSlim _gate = new(true);
    private readonly ManualResetEventSlim _holding = new(false);
    private readonly ManualResetEventSlim _drained = new(false);
    private readonly IActorRef _actor;
    private readonly IActorRef _streamActor;
    private readonly Stasis.Actors.Topic _topic;
    private readonly MessageType<Ping> _type;
    private readonly StasisMessage _precreated;
    private int _count;

    public HeldConsumer(QuickContext context)
    {
        _context = context;
        Action<Ping> receive = Receive;
        _actor = context.Akka.ActorOf(Props.Create(() => new Receiver(receive)));
        _streamActor = context.Akka.ActorOf(Props.Create(() => new Receiver(receive)));
        context.Akka.EventStream.Subscribe(_streamActor, typeof(Ping));
        _type = StasisBench.PingType(context.Bus);
        _topic = StasisBench.NewTopic(context.Bus, "held");
        _topic.Subscribe((_, _, message) =>
        {
            if (message is StasisMessage<Ping> ping)
                Receive(ping.Payload);
        });
        _precreated = _type.CreateMessage(new Ping(0))!;
    }

    public void Report()
    {
        var cases = new (string Name, Action<Ping> Hold, Action Send)[]
        {
            ("tell", p => _actor.Tell(p, ActorRefs.NoSender), () => { for (var i = 0; i < Messages; i++) _actor.Tell(new Ping(i), ActorRefs.NoSender); }),
            ("eventstream", p => _context.Akka.EventStream.Publish(p), () => { for (var i = 0; i < Messages; i++) _context.Akka.EventStream.Publish(new Ping(i)); }),
            ("publish", p => _topic.Publish(_type, p), () => { for (var i = 0; i < Messages; i++) _topic.Publish(_type, new Ping(i)); }),
            ("publish-precreated", p => _topic.Publish(_type, p), () => { for (var i = 0; i < Messages; i++) _topic.Publish(_precreated); }),
        };
        var results = cases.ToDictionary(c => c.Name, _ => (Send: new List<double>(), Drain: new List<double>()));
        for (var round = 0; round <= Rounds; round++) // round 0 warms up
        {
            foreach (var (name, hold, send) in cases)
            {
                var (sendNs, drainNs) = Measure(hold, send);
                if (round > 0)
                {
                    results[name].Send.Add(sendNs);
                    results[name].Drain.Add(drainNs);
                }
            }
        }
        _context.Info("held receiver, sender's cost per message (median of 9 runs of 200 000; receiver's drain in brackets): "
                      + string.Join(", ", results.Select(r => $"{r.Key} {Quick.Measure.Median(r.Value.Send):0} ns ({Quick.Measure.Median(r.Value.Drain):0} ns)")));
    }

    private (double Send, double Drain) Measure(Action<Ping> hold, Action send)
    {
        _count = 0;
        _drained.Reset();
        _holding.Reset();
        _gate.Reset();
        hold(new Ping(-1));
        if (!_holding.Wait(TimeSpan.FromSeconds(30)))
            throw new TimeoutException("The receiver never took the holding message.");
        var start = Stopwatch.GetTimestamp();
        send();
        var sent = Stopwatch.GetElapsedTime(start);
        _gate.Set();
        if (!_drained.Wait(TimeSpan.FromSeconds(60)))
            throw new TimeoutException("The receiver never drained its queue.");
        var total = Stopwatch.GetElapsedTime(start);
        return (sent.TotalNanoseconds / Messages, (total - sent).TotalNanoseconds / Messages);
    }

    private void Receive(Ping ping)
    {
        if (ping.Seq < 0)
        {
            _holding.Set();
            _gate.Wait();
            return;
        }
        if (++_count == Messages)
            _drained.Set();
    }

    public void Dispose()
    {
        _gate.Set();
        _context.Akka.EventStream.Unsubscribe(_streamActor);
        _context.Akka.Stop(_actor);
        _context.Akka.Stop(_streamActor);
        _topic.Destroy();
    }

    private sealed class Receiver : ReceiveActor
    {
        public Receiver(Action<Ping> receive) => Receive(receive);
    }
}
