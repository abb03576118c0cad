using BenchmarkDotNet.Attributes;
using Stasis.Benchmarks.Workloads;

namespace Stasis.Benchmarks.Suites;

/// <summary>
/// One producer, one receiver: Stasis publish → one callback subscription (direct, and through two levels of
/// forwarding) against raw Akka Tell, an Akka forwarding hop, Akka EventStream and Proto.Actor. Each invocation sends
/// <see cref="Messages"/> messages and waits for the last; results are per message.
/// </summary>
[MemoryDiagnoser]
public class OneReceiverBenchmarks
{
    public const int Messages = 100_000;

    private Systems _systems = null!;
    private Workload _akkaTell = null!, _akkaHop = null!, _eventStream = null!, _proto = null!, _publish = null!, _forwarded = null!;

    [GlobalSetup]
    public void Setup()
    {
        _systems = new Systems();
        _akkaTell = new AkkaTellWorkload(_systems.Akka, 1);
        _akkaHop = new AkkaForwardHopWorkload(_systems.Akka);
        _eventStream = new AkkaEventStreamWorkload(_systems.Akka, 1);
        _proto = new ProtoSendWorkload(_systems.Proto, 1);
        _publish = new StasisPublishWorkload(_systems.Bus, 1);
        _forwarded = new StasisPublishWorkload(_systems.Bus, 1, levels: 2);
    }

    [GlobalCleanup]
    public void Cleanup() => _systems.Dispose();

    [Benchmark(Baseline = true, OperationsPerInvoke = Messages)]
    public void AkkaTell() => _akkaTell.Run(Messages);

    [Benchmark(OperationsPerInvoke = Messages)]
    public void AkkaForwardingHop() => _akkaHop.Run(Messages);

    [Benchmark(OperationsPerInvoke = Messages)]
    public void AkkaEventStream() => _eventStream.Run(Messages);

    [Benchmark(OperationsPerInvoke = Messages)]
    public void ProtoActorSend() => _proto.Run(Messages);

    [Benchmark(OperationsPerInvoke = Messages)]
    public void StasisPublish() => _publish.Run(Messages);

    [Benchmark(OperationsPerInvoke = Messages)]
    public void StasisPublishForwarded2Levels() => _forwarded.Run(Messages);
}
