using Xunit.Abstractions;

namespace Stasis.Actors.Tests.Support;

/// <summary>Payloads used by the routing, caching and pool specs.</summary>
public record Snapshot(string Id, int Version, string State = "up");

public sealed record Beat(int N);

public sealed record Other(int N);

public record Animal(string Name);

public sealed record Dog(string Name) : Animal(Name);

/// <summary>The bus spec base with the routing, caching and pool specs' message types.</summary>
public abstract class BusSpec : StasisSpec
{
    protected BusSpec(ITestOutputHelper output, string? config = null) : base(output, config)
    {
        SnapshotType = Bus.CreateMessageType<Snapshot>("test_snapshot");
        BeatType = Bus.CreateMessageType<Beat>("test_beat");
        OtherType = Bus.CreateMessageType<Other>("test_other");
    }

    protected MessageType<Snapshot> SnapshotType { get; }

    protected MessageType<Beat> BeatType { get; }

    protected MessageType<Other> OtherType { get; }

    /// <summary>The id function of the caching specs: a snapshot's id; other payloads are not cacheable.</summary>
    protected static string? SnapshotId(StasisMessage m) => (m.Data as Snapshot)?.Id;

    protected static string Unique(string name) => name + "-" + Guid.NewGuid().ToString("N")[..8];

    protected StasisMessage<Snapshot> Snap(string id, int version, string state = "up", EntityId? eid = null) =>
        SnapshotType.CreateMessage(new Snapshot(id, version, state), eid)!;
}
