using System.Diagnostics;
using Akka.Actor;
using Akka.Configuration;
using MemoryPack;
using Stasis.Actors;
using Stasis.Actors.Cluster;
using Stasis.Actors.Cluster.Serialization;
using Stasis.Cluster.Benchmarks.Workloads;

namespace Stasis.Cluster.Benchmarks.Quick;

/// <summary>A typical channel record: strings, ints, a nested record, a null.</summary>
public sealed record ChannelState(string Uniqueid, string Name, string State, string Context, string Exten, int Priority, Caller Caller, int Hops, long CreatedTicks, string? AccountCode);

/// <summary>The caller of a <see cref="ChannelState"/>.</summary>
public sealed record Caller(string Name, string Number);

/// <summary>MemoryPack needs its own annotated, partial twins of the payloads (it cannot write plain records).</summary>
[MemoryPackable]
public sealed partial record SampleMp(int Seq, string Text);

[MemoryPackable]
public sealed partial record ChannelStateMp(string Uniqueid, string Name, string State, string Context, string Exten, int Priority, CallerMp Caller, int Hops, long CreatedTicks, string? AccountCode);

[MemoryPackable]
public sealed partial record CallerMp(string Name, string Number);

/// <summary>
/// <c>quick-one codecs</c>: writes and reads the benchmark's payload and a typical record with each candidate payload
/// codec, single-threaded: System.Text.Json and MessagePack through the cluster's own <see cref="PayloadCodec"/> (as a
/// publish and a receiving bridge call it), MemoryPack directly on annotated twins. Median of interleaved runs.
/// </summary>
public static class CodecComparison
{
    public const string Item = "codecs";

    private const int Count = 200_000;
    private const int Runs = 7;

    public static void Report()
    {
        using var system = ActorSystem.Create("codecs", ConfigurationFactory.ParseString("akka.loglevel = ERROR"));
        var bus = StasisBus.Get(system);
        var json = new PayloadCodec(bus, ClusterPayloadCodec.Json);
        var messagePack = new PayloadCodec(bus, ClusterPayloadCodec.MessagePack);
        var sampleType = bus.CreateMessageType<Sample>("bench_sample");
        var channelType = bus.CreateMessageType<ChannelState>("bench_channel");
        var sample = sampleType.CreateMessage(new Sample(12345, "channel snapshot"))!;
        var channel = channelType.CreateMessage(new ChannelState("1700000000.42", "PJSIP/alice-00000042", "Up", "default", "100", 3,
            new Caller("Alice", "+15551234567"), 2, 638000000000000000, null))!;
        var sampleMp = new SampleMp(12345, "channel snapshot");
        var channelMp = ToMp(channel.Payload);
        var cases = new (string Codec, string Payload, Func<byte[]> Write, Func<byte[], object> Read)[]
        {
            ("json", "Sample", () => json.Write(sample), b => json.Read(b, typeof(Sample))),
            ("messagepack", "Sample", () => messagePack.Write(sample), b => messagePack.Read(b, typeof(Sample))),
            ("memorypack", "Sample", () => MemoryPackSerializer.Serialize(typeof(SampleMp), sampleMp),
                b => MemoryPackSerializer.Deserialize(typeof(SampleMp), b)!),
            ("json", "ChannelState", () => json.Write(channel), b => json.Read(b, typeof(ChannelState))),
            ("messagepack", "ChannelState", () => messagePack.Write(channel), b => messagePack.Read(b, typeof(ChannelState))),
            ("memorypack", "ChannelState", () => MemoryPackSerializer.Serialize(typeof(ChannelStateMp), channelMp),
                b => MemoryPackSerializer.Deserialize(typeof(ChannelStateMp), b)!),
        };
        foreach (var c in cases) // warm-up: every path compiled and optimised before any is timed
        {
            var bytes = c.Write();
            Time(() => c.Write(), Count);
            Time(() => c.Read(bytes), Count);
        }
        var writes = cases.Select(_ => new List<double>()).ToArray();
        var reads = cases.Select(_ => new List<double>()).ToArray();
        for (var run = 0; run < Runs; run++)
        {
            for (var i = 0; i < cases.Length; i++)
            {
                var bytes = cases[i].Write();
                writes[i].Add(Time(() => cases[i].Write(), Count));
                reads[i].Add(Time(() => cases[i].Read(bytes), Count));
            }
        }
        ClusterGoal.Info($"codecs: single thread, median of {Runs} runs of {Count:N0}; json and messagepack through PayloadCodec (type from the message type), memorypack on [MemoryPackable] twins");
        for (var i = 0; i < cases.Length; i++)
        {
            var c = cases[i];
            ClusterGoal.Info($"codec {c.Codec,-11} {c.Payload,-12} write {ClusterGoal.Median(writes[i]),5:0} ns  read {ClusterGoal.Median(reads[i]),5:0} ns  {c.Write().Length,3} bytes");
        }
    }

    private static ChannelStateMp ToMp(ChannelState c) =>
        new(c.Uniqueid, c.Name, c.State, c.Context, c.Exten, c.Priority, new CallerMp(c.Caller.Name, c.Caller.Number), c.Hops, c.CreatedTicks, c.AccountCode);

    private static double Time(Func<object> action, int count)
    {
        object? sink = null;
        var start = Stopwatch.GetTimestamp();
        for (var i = 0; i < count; i++)
            sink = action();
        GC.KeepAlive(sink);
        return Stopwatch.GetElapsedTime(start).TotalNanoseconds / count;
    }
}
