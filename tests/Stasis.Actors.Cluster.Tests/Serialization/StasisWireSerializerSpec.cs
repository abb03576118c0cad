using Akka.Actor;
using Akka.Configuration;
using Stasis.Actors.Cluster.Internal;
using Stasis.Actors.Cluster.Serialization;

namespace Stasis.Actors.Cluster.Tests.Serialization;

public sealed class StasisWireSerializerSpec : Akka.TestKit.Xunit2.TestKit
{
    public StasisWireSerializerSpec()
        : base(ConfigurationFactory.ParseString("akka.remote.dot-netty.tcp.port = 0").WithFallback(StasisCluster.DefaultConfig))
    {
    }

    [Fact]
    public void Protocol_messages_are_bound_to_the_wire_serializer_and_round_trip()
    {
        var serialization = Sys.Serialization;
        object[] messages =
        [
            new WireEnvelope("channel:all", "channel_snapshot", 638000000000000000, "02:00:00:00:00:01", 7, false, [1, 2, 3], []),
            new WireEnvelope("channel:all/1", "channel_snapshot", 638000000000000000, "02:00:00:00:00:01", 0, false, [4], ["channel:all/1", "channel:all"]),
            new WireAck(7, "02:00:00:00:00:02"),
            new NodeHello("02:00:00:00:00:03", ["channel:all", "devices"], true),
        ];

        foreach (var message in messages)
        {
            var serializer = serialization.FindSerializerFor(message);
            Assert.IsType<StasisWireSerializer>(serializer);
            var back = serialization.Deserialize(serializer.ToBinary(message), serializer.Identifier, Akka.Serialization.Serialization.ManifestFor(serializer, message));
            Assert.Equivalent(message, back, strict: true);
        }
    }

    [Fact]
    public void Payloads_of_plain_records_round_trip_including_entity_ids_and_message_types()
    {
        var cluster = StasisCluster.Get(Sys);
        var type = cluster.Bus.CreateMessageType<CacheClear>("stasis_cache_clear_type");
        var clear = type.CreateMessage(new CacheClear(cluster.NodeJoinedType, "id-1"))!;
        var joined = cluster.NodeJoinedType.CreateMessage(new NodeJoined("akka.tcp://x@h:1", cluster.Eid))!;

        var codec = new PayloadCodec(cluster.Bus);

        Assert.Equal(clear.Payload, codec.Read(codec.Write(clear), typeof(CacheClear)));
        Assert.Equal(joined.Payload, codec.Read(codec.Write(joined), typeof(NodeJoined)));
    }
}
