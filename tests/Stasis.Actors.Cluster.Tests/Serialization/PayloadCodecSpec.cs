using Akka.Configuration;
using Stasis.Actors.Cluster.Serialization;

namespace Stasis.Actors.Cluster.Tests.Serialization;

/// <summary>A nested record of <see cref="Snapshot"/>.</summary>
public sealed record Party(string Name, int Extension);

/// <summary>A payload with what clustered payloads hold: strings, ints, nested records, lists, EIDs, message types, nulls.</summary>
public sealed record Snapshot(
    string Id,
    int Count,
    long Ticks,
    Party Caller,
    Party? Transfer,
    IReadOnlyList<Party> Parties,
    EntityId Origin,
    EntityId? LastEid,
    MessageType Kind,
    MessageType<Party>? PartyType,
    string? Note,
    Dictionary<string, int> Counters);

/// <summary>A payload holding a <see cref="System.Type"/>: neither codec can write it.</summary>
public sealed record TypeHolder(string Name, Type Kind);

/// <summary>A payload holding a delegate.</summary>
public sealed record CallbackHolder(Func<int> Callback);

/// <summary>A mutable payload that can point at itself.</summary>
public sealed class Chain
{
    public int Value { get; set; }

    public Chain? Next { get; set; }
}

public sealed class PayloadCodecSpec : Akka.TestKit.Xunit2.TestKit
{
    private readonly StasisBus _bus;

    public PayloadCodecSpec()
        : base(ConfigurationFactory.ParseString("akka.remote.dot-netty.tcp.port = 0").WithFallback(StasisCluster.DefaultConfig))
    {
        _bus = StasisCluster.Get(Sys).Bus;
    }

    public static TheoryData<ClusterPayloadCodec> Codecs => [ClusterPayloadCodec.Json, ClusterPayloadCodec.MessagePack];

    [Theory]
    [MemberData(nameof(Codecs))]
    public void Records_with_strings_ints_nested_records_eids_message_types_and_nulls_round_trip(ClusterPayloadCodec kind)
    {
        var codec = new PayloadCodec(_bus, kind);
        var partyType = _bus.CreateMessageType<Party>("codec_party");
        var type = _bus.CreateMessageType<Snapshot>("codec_snapshot");
        var full = new Snapshot("1700000000.1", 3, 638000000000000000, new Party("Alice", 100), new Party("Bob", 200), [new Party("Carol", 300), new Party("", -1)],
            new EntityId("02:00:00:00:00:01"), new EntityId("02:00:00:00:00:02"), partyType, partyType, "ünïcødé ☎", new() { ["calls"] = 2 });
        var sparse = full with { Transfer = null, Parties = [], LastEid = null, PartyType = null, Note = null, Counters = [] };

        Party[] noParties = [];
        Dictionary<string, int> noCounters = [];

        foreach (var payload in new[] { full, sparse })
        {
            var back = (Snapshot)codec.Read(codec.Write(type.CreateMessage(payload)!), typeof(Snapshot));

            // Collections compare by reference in a record's Equals: compared apart, by content.
            Assert.Equal(payload with { Parties = noParties, Counters = noCounters }, back with { Parties = noParties, Counters = noCounters });
            Assert.Equal(payload.Parties, back.Parties);
            Assert.Equal(payload.Counters, back.Counters);
            Assert.Same(partyType, back.Kind); // a message type comes back as this bus's type of that name
        }
    }

    [Fact]
    public void The_messagepack_codec_writes_smaller_payloads_than_json_and_each_reads_only_its_own()
    {
        var type = _bus.CreateMessageType<Party>("codec_party");
        var message = type.CreateMessage(new Party("Alice", 100))!;
        var json = new PayloadCodec(_bus, ClusterPayloadCodec.Json);
        var messagePack = new PayloadCodec(_bus, ClusterPayloadCodec.MessagePack);

        var binary = messagePack.Write(message);

        Assert.True(binary.Length < json.Write(message).Length);
        var failure = Assert.ThrowsAny<Exception>(() => json.Read(binary, typeof(Party)));
        Assert.Contains("payload-codec = json", failure.Message); // the receiving node's log names its codec
        Assert.ThrowsAny<Exception>(() => messagePack.Read(json.Write(message), typeof(Party)));
    }

    [Theory]
    [MemberData(nameof(Codecs))]
    public void An_unsupported_payload_fails_with_an_error_naming_its_type(ClusterPayloadCodec kind)
    {
        var codec = new PayloadCodec(_bus, kind);
        var chain = new Chain { Value = 1 };
        chain.Next = chain;
        var messages = new StasisMessage[]
        {
            _bus.CreateMessageType<TypeHolder>("codec_type_holder").CreateMessage(new TypeHolder("int", typeof(int)))!,
            _bus.CreateMessageType<CallbackHolder>("codec_callback_holder").CreateMessage(new CallbackHolder(() => 1))!,
            _bus.CreateMessageType<Chain>("codec_chain").CreateMessage(chain)!, // a cycle: refused, not a stack overflow
        };

        foreach (var message in messages)
        {
            var failure = Assert.Throws<PayloadSerializationException>(() => codec.Write(message));

            Assert.Equal(message.Type.PayloadType, failure.PayloadType);
            Assert.Contains(message.Type.PayloadType.FullName!, failure.Message);
            Assert.Throws<PayloadSerializationException>(() => codec.EnsureWritable(message)); // a lone node refuses it as well
        }
    }

    [Fact]
    public void The_setting_selects_the_codec_and_json_stays_the_default()
    {
        Assert.Equal(ClusterPayloadCodec.Json, StasisClusterSettings.Create(Config.Empty).PayloadCodec);
        Assert.Equal(ClusterPayloadCodec.MessagePack,
            StasisClusterSettings.Create(ConfigurationFactory.ParseString("stasis.cluster.payload-codec = messagepack")).PayloadCodec);
        var failure = Assert.Throws<ConfigurationException>(() =>
            StasisClusterSettings.Create(ConfigurationFactory.ParseString("stasis.cluster.payload-codec = protobuf")));
        Assert.Contains("stasis.cluster.payload-codec", failure.Message);
        Assert.Equal(ClusterPayloadCodec.Json, StasisCluster.Get(Sys).Settings.PayloadCodec);
    }
}
