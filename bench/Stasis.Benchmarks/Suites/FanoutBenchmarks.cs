using BenchmarkDotNet.Attributes;
using Stasis.Benchmarks.Workloads;

namespace Stasis.Benchmarks.Suites;

/// <summary>
/// One producer, <see cref="Receivers"/> receivers: Stasis publish → n subscriptions against the producer Telling a
/// snapshot (array) of n Akka actors, Akka EventStream with n subscribers and Proto.Actor sending to n actors. Results
/// are per published message (each message makes <see cref="Receivers"/> deliveries).
/// </summary>
[MemoryDiagnoser]
public class FanoutBenchmarks
{
    public const int Deliveries = 200_000;

    private Systems _systems = null!;
    private Workload _akkaSnapshot = null!, _eventStream = null!, _proto = null!, _publish = null!;

    [Params(10, 100)]
    public int Receivers { get; set; }

    private int Messages => Deliveries / Receivers;

    [GlobalSetup]
    public void Setup()
    {
        _systems = new Systems();
        _akkaSnapshot = new AkkaTellWorkload(_systems.Akka, Receivers);
        _eventStream = new AkkaEventStreamWorkload(_systems.Akka, Receivers);
        _proto = new ProtoSendWorkload(_systems.Proto, Receivers);
        _publish = new StasisPublishWorkload(_systems.Bus, Receivers);
    }

    [GlobalCleanup]
    public void Cleanup() => _systems.Dispose();

    [Benchmark(Baseline = true)]
    public void AkkaTellSnapshot() => _akkaSnapshot.Run(Messages);

    [Benchmark]
    public void AkkaEventStream() => _eventStream.Run(Messages);

    [Benchmark]
    public void ProtoActorSend() => _proto.Run(Messages);

    [Benchmark]
    public void StasisPublish() => _publish.Run(Messages);
}
