using BenchmarkDotNet.Attributes;
using Stasis.Actors;
using Stasis.Benchmarks.Workloads;

namespace Stasis.Benchmarks.Suites;

/// <summary>
/// Subscription life cycle: subscribe + unsubscribe pairs (each waits for its final message), and one publish to
/// 100 000 subscriptions of one topic (set up with a selective filter, see docs/benchmarks.md) against 1 000
/// publishes to 100 (the same number of deliveries). Results are per pair and per 100 000 deliveries.
/// </summary>
[MemoryDiagnoser]
public class SubscriptionBenchmarks
{
    public const int Pairs = 10_000;

    private Systems _systems = null!;
    private Workload _churn = null!, _many = null!, _hundred = null!;

    [GlobalSetup]
    public void Setup()
    {
        _systems = new Systems();
        _churn = new StasisSubscribeUnsubscribeWorkload(_systems.Bus);
        _many = new StasisPublishWorkload(_systems.Bus, Quick.QuickMode.ManySubscriptions, options: StasisBench.PingOnly(_systems.Bus));
        _hundred = new StasisPublishWorkload(_systems.Bus, 100);
    }

    [GlobalCleanup]
    public void Cleanup() => _systems.Dispose();

    [Benchmark(OperationsPerInvoke = Pairs)]
    public void SubscribeUnsubscribe() => _churn.Run(Pairs);

    /// <summary>One publish: 100 000 deliveries.</summary>
    [Benchmark]
    public void Publish100kSubscriptions() => _many.Run(1);

    /// <summary>1 000 publishes to 100 subscriptions: the same 100 000 deliveries.</summary>
    [Benchmark]
    public void Publish100Subscriptions() => _hundred.Run(1000);
}
