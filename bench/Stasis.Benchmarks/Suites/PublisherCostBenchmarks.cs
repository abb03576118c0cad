using BenchmarkDotNet.Attributes;
using Stasis.Actors;
using Stasis.Benchmarks.Workloads;

namespace Stasis.Benchmarks.Suites;

/// <summary>
/// What one publish costs its publisher's thread, with nothing delivered to an actor: a plain publish to a topic without
/// subscriptions, against a publish to a topic followed by a caching topic (1 024 distinct ids) whose own topic has no
/// subscription. The difference is what a caching topic adds on the publisher's thread before any <c>Tell</c>: the id
/// function, the cache write, the <see cref="CacheUpdate"/>, its message and the second publish. Results are per publish.
/// </summary>
[MemoryDiagnoser]
public class PublisherCostBenchmarks
{
    public const int Publishes = 10_000;

    private Systems _systems = null!;
    private MessageType<Ping> _type = null!;
    private Topic _plain = null!, _upstream = null!;
    private CachingTopic _caching = null!;

    [GlobalSetup]
    public void Setup()
    {
        _systems = new Systems();
        var bus = _systems.Bus;
        _type = StasisBench.PingType(bus);
        _plain = StasisBench.NewTopic(bus, "cost-plain");
        _upstream = StasisBench.NewTopic(bus, "cost-cached");
        _caching = StasisBench.PingCache(bus).CreateCachingTopic(_upstream);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _caching.Dispose();
        _systems.Dispose();
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Publishes)]
    public void PublishNoSubscription()
    {
        for (var i = 0; i < Publishes; i++)
            _plain.Publish(_type, new Ping(i));
    }

    [Benchmark(OperationsPerInvoke = Publishes)]
    public void PublishToCachingTopic()
    {
        for (var i = 0; i < Publishes; i++)
            _upstream.Publish(_type, new Ping(i));
    }
}
