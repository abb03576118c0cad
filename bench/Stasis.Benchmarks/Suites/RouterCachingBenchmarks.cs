using BenchmarkDotNet.Attributes;
using Stasis.Benchmarks.Workloads;

namespace Stasis.Benchmarks.Suites;

/// <summary>
/// Router with 10 routes → the Ping route, and caching topic → CacheUpdate subscriber, against the plain one-subscription
/// publish. Each invocation sends <see cref="Messages"/> messages and waits for the last; results are per message.
/// </summary>
[MemoryDiagnoser]
public class RouterCachingBenchmarks
{
    public const int Messages = 100_000;

    private Systems _systems = null!;
    private Workload _publish = null!, _router = null!, _caching = null!;

    [GlobalSetup]
    public void Setup()
    {
        _systems = new Systems();
        _publish = new StasisPublishWorkload(_systems.Bus, 1);
        _router = new StasisRouterWorkload(_systems.Bus);
        _caching = new StasisCachingWorkload(_systems.Bus);
    }

    [GlobalCleanup]
    public void Cleanup() => _systems.Dispose();

    [Benchmark(Baseline = true, OperationsPerInvoke = Messages)]
    public void StasisPublish() => _publish.Run(Messages);

    [Benchmark(OperationsPerInvoke = Messages)]
    public void Router10Routes() => _router.Run(Messages);

    [Benchmark(OperationsPerInvoke = Messages)]
    public void CachingTopicUpdate() => _caching.Run(Messages);
}
