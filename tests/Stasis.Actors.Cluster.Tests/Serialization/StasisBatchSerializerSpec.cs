using Akka.Configuration;
using Stasis.Actors.Cluster.Internal;
using Stasis.Actors.Cluster.Serialization;

namespace Stasis.Actors.Cluster.Tests.Serialization;

public sealed class StasisBatchSerializerSpec : Akka.TestKit.Xunit2.TestKit
{
    public StasisBatchSerializerSpec()
        : base(ConfigurationFactory.ParseString("akka.remote.dot-netty.tcp.port = 0").WithFallback(StasisCluster.DefaultConfig))
    {
    }

    [Fact]
    public void A_batch_is_bound_to_the_batch_serializer_and_round_trips_every_envelope_in_order()
    {
        const string eid = "02:00:00:00:00:01";
        WireEnvelope[] envelopes =
        [
            new("channel:all", "channel_snapshot", 638000000000000000, eid, 0, false, [1, 2, 3], []),
            new("channel:all", "channel_snapshot", 638000000000000001, eid, 7, false, [], ["channel:all/1", "channel:all"]),
            new("channel:all", "tëst_type", 638000000000000002, eid, 0, false, [255], []),
        ];
        var batch = new WireBatch("channel:all", eid, envelopes);

        var serializer = Sys.Serialization.FindSerializerFor(batch);
        var bytes = serializer.ToBinary(batch);
        var back = Assert.IsType<WireBatch>(Sys.Serialization.Deserialize(bytes, serializer.Identifier, typeof(WireBatch)));

        Assert.IsType<StasisBatchSerializer>(serializer);
        Assert.Same(bytes, serializer.ToBinary(batch)); // written once, whatever the number of receiving nodes
        Assert.Equal(batch.Topic, back.Topic);
        Assert.Equal(batch.Eid, back.Eid);
        Assert.Equal(envelopes.Length, back.Envelopes.Length);
        for (var i = 0; i < envelopes.Length; i++)
            Assert.Equivalent(envelopes[i], back.Envelopes[i], strict: true);
    }
}
