using Akka.Actor;
using Stasis.Actors.Cluster.Tests.Support;
using Xunit.Abstractions;

namespace Stasis.Actors.Cluster.Tests.Cluster;

[Trait("Category", "Cluster")]
public sealed class MembershipSpec : ClusterSpec
{
    public MembershipSpec(ITestOutputHelper output)
        : base(output)
    {
    }

    [Fact]
    public void Node_joined_is_published_on_the_system_topic_with_the_node_eid()
    {
        var membership = Record(A.SystemTopic);

        var b = StartNode("node-b");

        AwaitAssert(() =>
        {
            var joined = membership.Payloads<NodeJoined>();
            Assert.Contains(joined, j => j.Eid == b.Eid && j.Address.Contains("127.0.0.1"));
        }, Patience);
        Assert.Equal(b.Eid, Assert.Single(A.Nodes).Key);
    }

    [Fact]
    public async Task A_subscriber_on_a_node_that_leaves_gets_its_messages_then_its_final_message()
    {
        var (a, b) = StartCluster(1) switch { var n => (n[0], n[1]) };
        var topics = await ClusteredTopic("last", a, b);
        var onB = Record(topics[1]);
        var membership = Record(a.SystemTopic);
        await a.PublishWithAckAsync(topics[0], PingType(a).CreateMessage(new Ping(0, 1))!, Patience);

        await Await(CoordinatedShutdown.Get(b.System).Run(CoordinatedShutdown.ClusterLeavingReason.Instance));

        await Await(onB.Final);
        var messages = onB.Messages;
        Assert.Equal(new Ping(0, 1), Assert.Single(onB.Payloads<Ping>()));
        Assert.True(onB.Subscription.IsFinalMessage(messages[^1]));
        Assert.Equal(SubscriptionChangeKind.Unsubscribe, ((SubscriptionChange)messages[^1].Data).Kind);
        AwaitAssert(() => Assert.Equal(b.Eid, Assert.Single(membership.Payloads<NodeLeft>()).Eid), Patience);
    }

    [Fact]
    public async Task Waiting_for_subscribers_fails_naming_the_nodes_that_never_answered()
    {
        var (a, b) = StartCluster(1) switch { var n => (n[0], n[1]) };
        var topics = await ClusteredTopic("waited", a, b);
        var absent = new EntityId("node-z");

        var failure = await Assert.ThrowsAsync<ClusterAckTimeoutException>(() =>
            a.WaitForSubscribersAsync(topics[0], [b.Eid, absent], Dilated(TimeSpan.FromSeconds(2))));

        Assert.Equal(["node-z"], failure.MissingNodes);
        Assert.Contains("node-z", failure.Message);
    }
}
