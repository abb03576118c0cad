using Akka.Actor;
using Stasis.Actors.Cluster.Internal;
using Stasis.Actors.Cluster.Tests.Support;
using Xunit.Abstractions;

namespace Stasis.Actors.Cluster.Tests.Cluster;

[Trait("Category", "Cluster")]
public sealed class RemoteReachSpec : ClusterSpec
{
    public RemoteReachSpec(ITestOutputHelper output)
        : base(output)
    {
    }

    [Fact]
    public void A_node_that_answered_on_a_topic_is_reached_at_once_even_before_its_announcement()
    {
        AwaitUp(A);
        var reach = new RemoteReach(A, (ExtendedActorSystem)A.System, "test-reach");
        AwaitCondition(() => !reach.MayReach("calls"), Patience); // alone: nobody else may cluster anything

        reach.Answered("calls", new EntityId("node-z")); // a probe answer from a node A has no announcement of

        Assert.True(reach.MayReach("calls"));
        Assert.False(reach.MayReach("other"));
        Assert.DoesNotContain(new EntityId("node-z"), A.Nodes.Keys);
    }
}
