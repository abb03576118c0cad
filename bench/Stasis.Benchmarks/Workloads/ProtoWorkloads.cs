using Proto;

namespace Stasis.Benchmarks.Workloads;

/// <summary>A Proto.Actor receiver: counts the <see cref="Ping"/>s it receives.</summary>
internal sealed class ProtoCountingActor(Counter counter) : IActor
{
    public Task ReceiveAsync(IContext context)
    {
        if (context.Message is Ping)
            counter.Hit();
        return Task.CompletedTask;
    }
}

/// <summary>Baseline: Proto.Actor 1.8, the root context sends each message to each of <c>n</c> actors.</summary>
public sealed class ProtoSendWorkload : CountingWorkload
{
    private readonly Proto.ActorSystem _system;
    private readonly PID[] _actors;

    public ProtoSendWorkload(Proto.ActorSystem system, int actors) : base(actors)
    {
        _system = system;
        _actors = [.. Counters.Select(c => system.Root.Spawn(Proto.Props.FromProducer(() => new ProtoCountingActor(c))))];
    }

    protected override void Send(int messages)
    {
        var root = _system.Root;
        var actors = _actors;
        for (var i = 0; i < messages; i++)
        {
            var ping = new Ping(i);
            foreach (var actor in actors)
                root.Send(actor, ping);
        }
    }

    public override void Dispose()
    {
        foreach (var actor in _actors)
            _system.Root.Stop(actor);
    }
}
