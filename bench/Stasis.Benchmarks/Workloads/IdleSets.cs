using Akka.Actor;
using Stasis.Actors;

namespace Stasis.Benchmarks.Workloads;

/// <summary>A set of idle actors (or things built on actors) whose retained memory is measured.</summary>
public abstract class IdleSet
{
    protected static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    /// <summary>Makes what the instances need but is not part of their cost (e.g. the topics to subscribe to).</summary>
    public virtual void Prepare(int count)
    {
    }

    /// <summary>Creates <paramref name="count"/> instances and returns once every one has started and gone idle.</summary>
    public abstract void Create(int count);

    /// <summary>Stops every instance and returns once they are gone.</summary>
    public abstract void Destroy();

    protected static void WaitAll(IEnumerable<Task> tasks)
    {
        if (!Task.WaitAll([.. tasks], Timeout))
            throw new TimeoutException("Idle instances did not start or stop in time.");
    }
}

/// <summary>An idle bare <see cref="ReceiveActor"/> with one handler: signals once it has started.</summary>
internal sealed class IdleActor : ReceiveActor
{
    private readonly Completion _started;

    public IdleActor(Completion started)
    {
        _started = started;
        Receive<Ping>(_ => { });
    }

    protected override void PreStart() => _started.Signal();
}

/// <summary>Baseline: idle bare <see cref="ReceiveActor"/>s, top-level actors of the system.</summary>
public sealed class IdleActors(ActorSystem system) : IdleSet
{
    private IActorRef[] _actors = [];

    public override void Create(int count)
    {
        var started = new Completion();
        started.Arm(count);
        var props = Props.Create(() => new IdleActor(started));
        _actors = [.. Enumerable.Range(0, count).Select(_ => system.ActorOf(props))];
        started.Wait();
    }

    public override void Destroy()
    {
        WaitAll(_actors.Select(a => a.GracefulStop(Timeout)));
        _actors = [];
    }
}

/// <summary>
/// Idle callback subscriptions with default options, one per topic (the topics are made beforehand and not counted);
/// each has handled its own "Subscribe" change when <see cref="Create"/> returns.
/// </summary>
public sealed class IdleSubscriptions(StasisBus bus) : IdleSet
{
    private Topic[] _topics = [];
    private Subscription[] _subscriptions = [];

    public override void Prepare(int count) => _topics = [.. Enumerable.Range(0, count).Select(_ => StasisBench.NewTopic(bus, "idle-subscription"))];

    public override void Create(int count)
    {
        var started = new Completion();
        started.Arm(count);
        SubscriptionHandler handler = (subscription, _, message) =>
        {
            if (message.Data is SubscriptionChange { Kind: SubscriptionChangeKind.Subscribe } change && change.SubscriptionId == subscription.Id)
                started.Signal();
        };
        _subscriptions = [.. _topics.Select(topic => topic.Subscribe(handler))];
        started.Wait();
    }

    public override void Destroy()
    {
        foreach (var topic in _topics)
            topic.Destroy();
        WaitAll(_subscriptions.Select(s => s.JoinAsync()));
        WaitAll(_topics.Select(t => t.Actor.WatchAsync()));
        _subscriptions = [];
        _topics = [];
    }
}

/// <summary>Idle topics without subscriptions.</summary>
public sealed class IdleTopics(StasisBus bus) : IdleSet
{
    private Topic[] _topics = [];

    public override void Create(int count)
    {
        _topics = [.. Enumerable.Range(0, count).Select(_ => StasisBench.NewTopic(bus, "idle"))];
        WaitAll(_topics.Select(t => t.Actor.Ask<ActorIdentity>(new Identify(null), Timeout)));
    }

    public override void Destroy()
    {
        foreach (var topic in _topics)
            topic.Destroy();
        WaitAll(_topics.Select(t => t.Actor.WatchAsync()));
        _topics = [];
    }
}
