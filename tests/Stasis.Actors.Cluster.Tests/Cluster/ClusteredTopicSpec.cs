using Akka.Actor;
using Stasis.Actors.Cluster.Tests.Support;
using Xunit.Abstractions;

namespace Stasis.Actors.Cluster.Tests.Cluster;

/// <summary>A payload System.Text.Json cannot write (it refuses System.Type).</summary>
public sealed record Unwritable(Type Kind);

[Trait("Category", "Cluster")]
public sealed class ClusteredTopicSpec : ClusterSpec
{
    public ClusteredTopicSpec(ITestOutputHelper output)
        : base(output)
    {
    }

    [Fact]
    public async Task Message_published_on_one_node_reaches_subscribers_on_every_node_with_the_origin_eid()
    {
        var (a, b, c) = StartCluster(2) switch { var n => (n[0], n[1], n[2]) };
        var topics = await ClusteredTopic("calls", a, b, c);
        var onA = Record(topics[0]);
        var onB = Record(topics[1]);
        var onC = Record(topics[2]);

        await a.PublishWithAckAsync(topics[0], PingType(a).CreateMessage(new Ping(1, 1))!, Patience);

        AwaitAssert(() =>
        {
            foreach (var (recorder, node) in new[] { (onA, a), (onB, b), (onC, c) })
            {
                var ping = Assert.Single(recorder.Of<Ping>());
                Assert.Equal(new Ping(1, 1), ping.Payload);
                Assert.Equal(a.Eid, ping.Eid);
                Assert.Equal(node == a, node.IsLocal(ping));
                Assert.Equal(node == a, ping.IsLocal);
            }
        }, Patience);
        Assert.Equal(new EntityId("node-b"), b.Eid);
        Assert.Contains(b.Eid, a.Nodes.Keys);
        Assert.Contains(c.Eid, b.Nodes.Keys);
    }

    [Fact]
    public async Task Messages_of_each_origin_node_arrive_in_publish_order()
    {
        const int count = 3000;
        var nodes = StartCluster(2);
        var topics = await ClusteredTopic("ordered", nodes);
        var onB = Record(topics[1]);

        var publishers = new[] { 0, 2 }.Select(i => Task.Run(() =>
        {
            var type = PingType(nodes[i]);
            for (var seq = 0; seq < count; seq++)
                topics[i].Publish(type, new Ping(i, seq));
        })).ToArray();
        await Await(Task.WhenAll(publishers));

        AwaitCondition(() => onB.Payloads<Ping>().Count == 2 * count, Patience, Dilated(TimeSpan.FromMilliseconds(100)));
        var received = onB.Of<Ping>();
        foreach (var origin in new[] { 0, 2 })
        {
            var fromOrigin = received.Where(m => m.Eid == nodes[origin].Eid).Select(m => m.Payload).ToList();
            Assert.All(fromOrigin, p => Assert.Equal(origin, p.Publisher));
            Assert.Equal(Enumerable.Range(0, count), fromOrigin.Select(p => p.Seq));
        }
    }

    [Fact]
    public async Task A_clustered_topic_forwarding_into_another_delivers_once_on_other_nodes()
    {
        // channel:all/<id> -> channel:all with both clustered (e.g. clustered-topics = ["channel:*"]): each node sends
        // a copy per clustered topic; a subscriber of the outer topic elsewhere must still see the message once.
        var (a, b) = StartCluster(1) switch { var n => (n[0], n[1]) };
        var parents = await ClusteredTopic("parent", a, b);
        var children = await ClusteredTopic("parent/child", a, b);
        children[0].ForwardTo(parents[0]);
        children[1].ForwardTo(parents[1]);
        var onParent = Record(parents[1]);
        var onChild = Record(children[1]);

        children[0].Publish(PingType(a), new Ping(1, 1));
        parents[0].Publish(PingType(a), new Ping(1, 2)); // same origin and pubsub topic as a duplicate would take: after it

        AwaitCondition(() => onChild.Payloads<Ping>().Count == 1 && onParent.Payloads<Ping>().Any(p => p.Seq == 2)
                             && onParent.Payloads<Ping>().Any(p => p.Seq == 1) && onParent.Subscription.QueueDepth == 0, Patience);
        Assert.Single(onParent.Payloads<Ping>(), p => p.Seq == 1);
    }

    [Fact]
    public async Task A_subscription_reached_from_two_clustered_topics_through_a_local_one_gets_a_remote_message_once()
    {
        // "calls" forwards to the clustered "calls/1" and both to the local "audit": a publish on "calls" goes out on
        // both clustered topics, and each bridge elsewhere reaches "audit". Only the first copy delivers there.
        var (a, b) = StartCluster(1) switch { var n => (n[0], n[1]) };
        var outer = await ClusteredTopic("calls", a, b);
        var inner = await ClusteredTopic("calls/1", a, b);
        var audit = new[] { a, b }.Select(n => n.Bus.CreateTopic("audit")).ToArray();
        for (var i = 0; i < 2; i++)
        {
            outer[i].ForwardTo(inner[i]);
            outer[i].ForwardTo(audit[i]);
            inner[i].ForwardTo(audit[i]);
        }
        var recorders = new[] { outer[1], inner[1], audit[1], audit[0] }.Select(t => Record(t)).ToArray();

        outer[0].Publish(PingType(a), new Ping(0, 1));
        // Probes go through each topic's bridge on B behind the message: once both answered, both copies were dispatched.
        await a.WaitForSubscribersAsync(outer[0], 1, Patience);
        await a.WaitForSubscribersAsync(inner[0], 1, Patience);

        foreach (var recorder in recorders)
        {
            AwaitCondition(() => recorder.Payloads<Ping>().Count > 0 && recorder.Subscription.QueueDepth == 0, Patience);
            Assert.Equal(new Ping(0, 1), Assert.Single(recorder.Payloads<Ping>()));
        }
    }

    [Fact]
    public async Task Publish_with_ack_stops_waiting_for_a_node_that_leaves_meanwhile()
    {
        var (a, b, c) = StartCluster(2) switch { var n => (n[0], n[1], n[2]) };
        var topics = await ClusteredTopic("acked", a, b, c);
        var type = a.Bus.CreateMessageType<Ping>("not_on_c");
        b.Bus.CreateMessageType<Ping>("not_on_c"); // C has no such type: it never acknowledges
        var publish = a.PublishWithAckAsync(topics[0], type.CreateMessage(new Ping(0, 1))!, Patience * 3);

        await Await(CoordinatedShutdown.Get(c.System).Run(CoordinatedShutdown.ClusterLeavingReason.Instance));

        await Await(publish); // completes once C is gone (B answered), long before its own timeout
        Assert.DoesNotContain(c.Eid, a.Nodes.Keys);
    }

    [Fact]
    public async Task A_destroyed_clustered_topic_stops_its_bridge_and_other_nodes_stop_waiting_for_it()
    {
        var (a, b) = StartCluster(1) switch { var n => (n[0], n[1]) };
        var topics = await ClusteredTopic("short-lived", a, b);

        topics[0].Destroy();

        // B learns that A no longer clusters the topic: an acknowledged publish no longer waits for A, and A has no
        // bridge left to receive (and reject) B's messages.
        await AwaitAssertAsync(() => b.PublishWithAckAsync(topics[1], PingType(b).CreateMessage(new Ping(1, 0))!, Dilated(TimeSpan.FromSeconds(1))),
            Patience, Dilated(TimeSpan.FromMilliseconds(100)));
        Assert.Equal(0, a.RejectedCount);

        // The same name clustered again gets a bridge again.
        var again = a.MarkClustered("short-lived");
        var onA = Record(again);
        await b.WaitForSubscribersAsync(topics[1], 1, Patience);
        await b.PublishWithAckAsync(topics[1], PingType(b).CreateMessage(new Ping(1, 1))!, Patience);
        AwaitCondition(() => onA.Payloads<Ping>().Contains(new Ping(1, 1)), Patience);
    }

    [Fact]
    public async Task Messages_from_another_node_are_never_sent_back_out()
    {
        var (a, b) = StartCluster(1) switch { var n => (n[0], n[1]) };
        var topics = await ClusteredTopic("echo", a, b);
        var onA = Record(topics[0]);
        var onB = Record(topics[1]);
        var sentByB = b.SentCount;

        for (var seq = 0; seq < 10; seq++)
            await a.PublishWithAckAsync(topics[0], PingType(a).CreateMessage(new Ping(0, seq))!, Patience);
        // B answers with one message of its own: once A has it, anything B would have echoed was sent before it.
        await b.PublishWithAckAsync(topics[1], PingType(b).CreateMessage(new Ping(1, 0))!, Patience);

        AwaitCondition(() => onA.Payloads<Ping>().Count >= 11, Patience);
        Assert.Equal(Enumerable.Range(0, 10).Select(s => new Ping(0, s)).Append(new Ping(1, 0)), onA.Payloads<Ping>());
        Assert.Equal(11, onB.Payloads<Ping>().Count);
        Assert.Equal(sentByB + 1, b.SentCount);
        Assert.Equal(1, a.ReceivedCount);
    }

    [Fact]
    public async Task Local_only_topics_never_touch_the_network()
    {
        var (a, b) = StartCluster(1) switch { var n => (n[0], n[1]) };
        var localOnA = a.Bus.CreateTopic("local");
        var localOnB = b.Bus.CreateTopic("local");
        var onB = Record(localOnB);
        var fences = await ClusteredTopic("fence", a, b);
        var sentBefore = a.SentCount;

        localOnA.Publish(PingType(a), new Ping(0, 1));
        await a.PublishWithAckAsync(fences[0], PingType(a).CreateMessage(new Ping(0, 2))!, Patience);

        Assert.False(a.IsClustered(localOnA));
        Assert.Equal(sentBefore + 1, a.SentCount);
        Assert.Equal(1, b.ReceivedCount);
        Assert.Empty(onB.Payloads<Ping>());
    }

    [Fact]
    public async Task Publish_with_ack_fails_naming_the_nodes_that_did_not_answer()
    {
        var (a, b) = StartCluster(1) switch { var n => (n[0], n[1]) };
        var topics = await ClusteredTopic("acked", a, b);
        var type = a.Bus.CreateMessageType<Ping>("only_on_a"); // B has no such type: it rejects, so it never acknowledges

        var failure = await Assert.ThrowsAsync<ClusterAckTimeoutException>(() =>
            a.PublishWithAckAsync(topics[0], type.CreateMessage(new Ping(0, 1))!, Dilated(TimeSpan.FromSeconds(2))));

        Assert.Contains("node-b", failure.Message);
        Assert.Contains(failure.MissingNodes, n => n.Contains("node-b"));
        AwaitCondition(() => b.RejectedCount == 1, Patience);
    }

    [Fact]
    public async Task Unserializable_payload_fails_with_an_error_naming_its_type_and_is_delivered_nowhere()
    {
        var (a, b) = StartCluster(1) switch { var n => (n[0], n[1]) };
        var topics = await ClusteredTopic("bad", a, b);
        var onA = Record(topics[0]);
        var type = a.Bus.CreateMessageType<Unwritable>("unwritable");

        var failure = Assert.Throws<PayloadSerializationException>(() => topics[0].Publish(type, new Unwritable(typeof(int))));

        Assert.Equal(typeof(Unwritable), failure.PayloadType);
        Assert.Contains(typeof(Unwritable).FullName!, failure.Message);
        await a.PublishWithAckAsync(topics[0], PingType(a).CreateMessage(new Ping(0, 1))!, Patience);
        AwaitCondition(() => onA.Payloads<Ping>().Count == 1, Patience);
        Assert.Empty(onA.Payloads<Unwritable>());
        Assert.Equal(1, b.ReceivedCount);
    }

    [Fact]
    public async Task A_publish_on_a_topic_forwarding_into_a_clustered_topic_reaches_its_remote_subscribers()
    {
        var (a, b) = StartCluster(1, """stasis.cluster.clustered-topics = ["channel:all", "device:*"]""") switch { var n => (n[0], n[1]) };
        var allOnB = b.Bus.CreateTopic("channel:all");
        Assert.True(b.IsClustered(allOnB));                              // by name, from configuration
        Assert.True(b.IsClustered(b.Bus.CreateTopic("device:7")));       // by pattern
        Assert.False(b.IsClustered(b.Bus.CreateTopic("channel:all/1"))); // not listed
        var topics = await ClusteredTopic("channel:all", a, b);
        var channelOnA = a.Bus.CreateTopic("channel:all/1");
        a.Bus.ForwardAll(channelOnA, topics[0]);
        var onB = Record(allOnB);

        channelOnA.Publish(PingType(a), new Ping(0, 1));

        AwaitAssert(() => Assert.Equal(a.Eid, Assert.Single(onB.Of<Ping>()).Eid), Patience);
        Assert.False(a.IsClustered(channelOnA));
        Assert.Equal(1, b.ReceivedCount);
    }
}
