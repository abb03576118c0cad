using Akka.TestKit.Xunit2;
using Stasis.Actors.Messages;
using Xunit.Abstractions;

namespace Stasis.Actors.Tests.Support;

/// <summary>Payloads used by the routing, caching and pool specs.</summary>
public record Snapshot(string Id, int Version, string State = "up");

public sealed record Ping(int N);

public sealed record Other(int N);

public record Animal(string Name);

public sealed record Dog(string Name) : Animal(Name);

/// <summary>A TestKit with the system's bus and a few message types.</summary>
public abstract class BusSpec : TestKit
{
    protected BusSpec(ITestOutputHelper output) : base("akka.loglevel = INFO", output: output)
    {
        Bus = StasisBus.Get(Sys);
        SnapshotType = Bus.CreateMessageType<Snapshot>("test_snapshot");
        PingType = Bus.CreateMessageType<Ping>("test_ping");
        OtherType = Bus.CreateMessageType<Other>("test_other");
    }

    protected StasisBus Bus { get; }

    protected MessageType<Snapshot> SnapshotType { get; }

    protected MessageType<Ping> PingType { get; }

    protected MessageType<Other> OtherType { get; }

    protected static string Unique(string name) => name + "-" + Guid.NewGuid().ToString("N")[..8];

    protected StasisMessage<Snapshot> Snap(string id, int version, string state = "up", EntityId? eid = null) =>
        SnapshotType.CreateMessage(new Snapshot(id, version, state), eid)!;

    /// <summary>A wait long enough for a loaded machine (scaled by akka.test.timefactor).</summary>
    protected TimeSpan Long => Dilated(TimeSpan.FromSeconds(20));
}
