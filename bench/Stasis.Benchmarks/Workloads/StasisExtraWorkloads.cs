using Stasis.Actors;

namespace Stasis.Benchmarks.Workloads;

/// <summary>
/// Stasis: the producer publishes <see cref="Ping"/>s to a topic with one <see cref="MessageRouter"/> that has 10 routes
/// (<see cref="Ping"/> and 9 other payload types); the <see cref="Ping"/> route counts. With <c>byMessageType</c>, the
/// routes are by message type instead: the Ping type and 9 other message types sharing the <see cref="Ping"/> payload.
/// </summary>
public sealed class StasisRouterWorkload : CountingWorkload
{
    private readonly Topic _topic;
    private readonly MessageType<Ping> _type;

    public StasisRouterWorkload(StasisBus bus, bool byMessageType = false) : base(1)
    {
        _type = StasisBench.PingType(bus);
        _topic = StasisBench.NewTopic(bus, "routed");
        var router = MessageRouter.Create(_topic);
        var counter = Counters[0];
        if (byMessageType)
        {
            router.AddRoute(_type, (_, _, _, _) => counter.Hit());
            for (var i = 1; i < 10; i++)
                router.AddRoute(bus.CreateMessageType<Ping>($"bench_ping_{i}"), (_, _, _, _) => { });
            return;
        }
        router.AddRoute<Ping>((_, _, _, _) => counter.Hit());
        router.AddRoute<Route1>((_, _, _, _) => { });
        router.AddRoute<Route2>((_, _, _, _) => { });
        router.AddRoute<Route3>((_, _, _, _) => { });
        router.AddRoute<Route4>((_, _, _, _) => { });
        router.AddRoute<Route5>((_, _, _, _) => { });
        router.AddRoute<Route6>((_, _, _, _) => { });
        router.AddRoute<Route7>((_, _, _, _) => { });
        router.AddRoute<Route8>((_, _, _, _) => { });
        router.AddRoute<Route9>((_, _, _, _) => { });
    }

    protected override void Send(int messages)
    {
        for (var i = 0; i < messages; i++)
            _topic.Publish(_type, new Ping(i));
    }

    public override void Dispose() => _topic.Destroy();

    private sealed record Route1;
    private sealed record Route2;
    private sealed record Route3;
    private sealed record Route4;
    private sealed record Route5;
    private sealed record Route6;
    private sealed record Route7;
    private sealed record Route8;
    private sealed record Route9;
}

/// <summary>
/// Stasis: the producer publishes <see cref="Ping"/>s (1 024 distinct ids) to a topic followed by a caching topic;
/// one subscriber of the caching topic counts the <see cref="CacheUpdate"/>s.
/// </summary>
public sealed class StasisCachingWorkload : CountingWorkload
{
    private readonly Topic _upstream;
    private readonly CachingTopic _caching;
    private readonly MessageType<Ping> _type;

    public StasisCachingWorkload(StasisBus bus) : base(1)
    {
        _type = StasisBench.PingType(bus);
        _upstream = StasisBench.NewTopic(bus, "cached");
        _caching = StasisBench.PingCache(bus).CreateCachingTopic(_upstream);
        var updateType = StasisCache.UpdateType(bus);
        var counter = Counters[0];
        _caching.Topic.Subscribe((_, _, message) =>
        {
            if (ReferenceEquals(message.Type, updateType))
                counter.Hit();
        });
    }

    protected override void Send(int messages)
    {
        for (var i = 0; i < messages; i++)
            _upstream.Publish(_type, new Ping(i));
    }

    public override void Dispose()
    {
        _caching.Dispose();
        _upstream.Destroy();
    }
}
