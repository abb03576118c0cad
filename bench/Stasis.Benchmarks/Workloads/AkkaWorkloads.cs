using Akka.Actor;

namespace Stasis.Benchmarks.Workloads;

/// <summary>A plain Akka receiver: counts the <see cref="Ping"/>s it receives.</summary>
internal sealed class CountingActor : ReceiveActor
{
    public CountingActor(Counter counter) => Receive<Ping>(_ => counter.Hit());
}

/// <summary>An Akka actor that forwards each <see cref="Ping"/> to the next actor: one extra hop.</summary>
internal sealed class ForwardingActor : ReceiveActor
{
    public ForwardingActor(IActorRef next) => Receive<Ping>(ping => next.Tell(ping));
}

/// <summary>
/// Baseline: the producer Tells each message to each of a snapshot (array) of <c>n</c> actors. With one actor this is
/// raw Akka Tell.
/// </summary>
public sealed class AkkaTellWorkload : CountingWorkload
{
    private readonly ActorSystem _system;
    private readonly IActorRef[] _actors;

    public AkkaTellWorkload(ActorSystem system, int actors) : base(actors)
    {
        _system = system;
        _actors = [.. Counters.Select(c => system.ActorOf(Props.Create(() => new CountingActor(c))))];
    }

    protected override void Send(int messages)
    {
        var actors = _actors;
        for (var i = 0; i < messages; i++)
        {
            var ping = new Ping(i);
            foreach (var actor in actors)
                actor.Tell(ping, ActorRefs.NoSender);
        }
    }

    public override void Dispose()
    {
        foreach (var actor in _actors)
            _system.Stop(actor);
    }
}

/// <summary>Reference: producer → forwarding actor → counting actor (the cost of one actor hop).</summary>
public sealed class AkkaForwardHopWorkload : CountingWorkload
{
    private readonly ActorSystem _system;
    private readonly IActorRef _receiver;
    private readonly IActorRef _forwarder;

    public AkkaForwardHopWorkload(ActorSystem system) : base(1)
    {
        _system = system;
        var counter = Counters[0];
        _receiver = system.ActorOf(Props.Create(() => new CountingActor(counter)));
        _forwarder = system.ActorOf(Props.Create(() => new ForwardingActor(_receiver)));
    }

    protected override void Send(int messages)
    {
        for (var i = 0; i < messages; i++)
            _forwarder.Tell(new Ping(i), ActorRefs.NoSender);
    }

    public override void Dispose()
    {
        _system.Stop(_forwarder);
        _system.Stop(_receiver);
    }
}

/// <summary>Baseline: Akka's EventStream with <c>n</c> actors subscribed to <see cref="Ping"/>.</summary>
public sealed class AkkaEventStreamWorkload : CountingWorkload
{
    private readonly ActorSystem _system;
    private readonly IActorRef[] _actors;

    public AkkaEventStreamWorkload(ActorSystem system, int subscribers) : base(subscribers)
    {
        _system = system;
        _actors = [.. Counters.Select(c => system.ActorOf(Props.Create(() => new CountingActor(c))))];
        foreach (var actor in _actors)
            system.EventStream.Subscribe(actor, typeof(Ping));
    }

    protected override void Send(int messages)
    {
        var stream = _system.EventStream;
        for (var i = 0; i < messages; i++)
            stream.Publish(new Ping(i));
    }

    public override void Dispose()
    {
        foreach (var actor in _actors)
        {
            _system.EventStream.Unsubscribe(actor);
            _system.Stop(actor);
        }
    }
}
