using Stasis.Actors.Cluster.Tests.Support;
using Xunit.Abstractions;

namespace Stasis.Actors.Cluster.Tests.Cluster;

/// <summary>A payload with an EID and a message type member, for the messagepack codec across nodes.</summary>
public sealed record Call(int Seq, string Channel, EntityId Origin, MessageType Kind, string? Note);

[Trait("Category", "Cluster")]
public sealed class PayloadCodecClusterSpec : ClusterSpec
{
    private const string MessagePack = "stasis.cluster.payload-codec = messagepack";

    public PayloadCodecClusterSpec(ITestOutputHelper output)
        : base(output)
    {
    }

    [Fact]
    public async Task Two_messagepack_nodes_deliver_every_message_in_publish_order_with_the_origin_eid()
    {
        const int count = 2000;
        var b = StartNode("node-b", MessagePack);
        var c = StartNode("node-c", MessagePack);
        AwaitUp(A, b, c);
        var topics = await ClusteredTopic("calls", b, c);
        var types = new[] { b, c }.Select(n => n.Bus.CreateMessageType<Call>("test_call")).ToArray();
        var onC = Record(topics[1]);

        for (var seq = 0; seq < count; seq++) // published in a burst: the outbox batches them
            topics[0].Publish(types[0], new Call(seq, $"PJSIP/{seq}", b.Eid, types[0], seq % 2 == 0 ? null : "odd"));

        AwaitCondition(() => onC.Payloads<Call>().Count == count, Patience, Dilated(TimeSpan.FromMilliseconds(100)));
        var received = onC.Of<Call>();
        Assert.Equal(Enumerable.Range(0, count), received.Select(m => m.Payload.Seq));
        Assert.All(received, m => Assert.Equal(b.Eid, m.Eid));
        Assert.Equal(new Call(7, "PJSIP/7", b.Eid, types[1], "odd"), received[7].Payload); // the type read back is C's own
        Assert.Equal(ClusterPayloadCodec.MessagePack, c.Settings.PayloadCodec);
        Assert.Equal(0, c.RejectedCount);
    }

    [Fact]
    public async Task A_node_rejects_payloads_written_with_another_codec()
    {
        var b = StartNode("node-b", MessagePack);
        AwaitUp(A, b);
        var topics = await ClusteredTopic("mixed", A, b);
        var onA = Record(topics[0]);

        topics[1].Publish(PingType(b), new Ping(1, 1));

        AwaitCondition(() => A.RejectedCount == 1, Patience);
        Assert.Empty(onA.Payloads<Ping>());
        Assert.Equal(ClusterPayloadCodec.Json, A.Settings.PayloadCodec);
    }

    [Fact]
    public void A_lone_node_sends_nothing_yet_delivers_locally_and_still_refuses_unsupported_payloads()
    {
        AwaitUp(A);
        var topic = A.MarkClustered("alone");
        var onA = Record(topic);
        var type = PingType(A);

        // Eventually: until this node has seen its membership once, it sends (it cannot know nobody listens).
        AwaitAssert(() =>
        {
            var sent = A.SentCount;
            topic.Publish(type, new Ping(0, 1));
            Assert.Equal(sent, A.SentCount);
        }, Patience);

        AwaitCondition(() => onA.Payloads<Ping>().Count >= 1, Patience);
        var unwritable = A.Bus.CreateMessageType<Unwritable>("unwritable");
        var failure = Assert.Throws<PayloadSerializationException>(() => topic.Publish(unwritable, new Unwritable(typeof(int))));
        Assert.Equal(typeof(Unwritable), failure.PayloadType);
    }

    [Fact]
    public async Task A_topic_no_other_node_clusters_is_not_sent_until_one_answers_on_it()
    {
        var b = StartNode("node-b");
        AwaitUp(A, b);
        AwaitCondition(() => A.Nodes.ContainsKey(b.Eid), Patience); // B's announcement arrived: A knows B's topics
        var onA = A.MarkClustered("later");
        var type = PingType(A);
        PingType(b);
        AwaitAssert(() =>
        {
            var sent = A.SentCount;
            onA.Publish(type, new Ping(0, 0));
            Assert.Equal(sent, A.SentCount);
        }, Patience);

        var onB = b.MarkClustered("later");
        var recorder = Record(onB);
        await A.WaitForSubscribersAsync(onA, 1, Patience);
        onA.Publish(type, new Ping(0, 1));

        AwaitCondition(() => recorder.Payloads<Ping>().Any(p => p.Seq == 1), Patience);
    }
}
