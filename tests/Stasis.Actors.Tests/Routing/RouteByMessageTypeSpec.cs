using System.Text.Json.Nodes;
using Akka.Actor;
using Stasis.Actors.Tests.Support;
using Xunit.Abstractions;

namespace Stasis.Actors.Tests.Routing;

/// <summary>
/// Routes by message type (Asterisk's <c>stasis_message_router_add</c>): many message types share one payload class
/// (as <c>ast_channel_blob</c> does), each with its own route and its own cache route; and formatter acceptance.
/// </summary>
public sealed class RouteByMessageTypeSpec : BusSpec
{
    private readonly MessageType<Beat> _hangup;
    private readonly MessageType<Beat> _answer;

    public RouteByMessageTypeSpec(ITestOutputHelper output) : base(output)
    {
        _hangup = Bus.CreateMessageType<Beat>("blob_hangup");
        _answer = Bus.CreateMessageType<Beat>("blob_answer");
    }

    [Fact]
    public void Two_types_sharing_a_payload_class_each_get_their_own_route()
    {
        var topic = Bus.CreateTopic(Unique("blobs"));
        var router = MessageRouter.Create(topic);
        router.AddRoute(_hangup, (_, _, _, b) => TestActor.Tell(("hangup", b.N)));
        router.AddRoute(_answer, (_, _, _, b) => TestActor.Tell(("answer", b.N)));

        topic.Publish(_answer, new Beat(1));
        topic.Publish(_hangup, new Beat(2));

        ExpectMsg(("answer", 1));
        ExpectMsg(("hangup", 2));
        Assert.Throws<InvalidOperationException>(() => router.AddRoute(_answer, (_, _, _, _) => { }));
    }

    [Fact]
    public void A_message_type_route_wins_over_a_payload_route_which_wins_over_the_default()
    {
        var topic = Bus.CreateTopic(Unique("precedence"));
        var router = MessageRouter.Create(topic);
        router.AddRoute<Beat>((_, _, m, b) => TestActor.Tell(("payload", m.Type.Name, b.N)));
        router.AddRoute(_hangup, (_, _, m, b) => TestActor.Tell(("type", m.Type.Name, b.N)));
        router.SetDefaultRoute((r, _, m) =>
        {
            if (!r.IsFinalMessage(m) && m.Data is not Stasis.Actors.SubscriptionChange)
                TestActor.Tell(("default", m.Type.Name, 0));
        });

        topic.Publish(_hangup, new Beat(1));
        topic.Publish(_answer, new Beat(2));
        topic.Publish(OtherType, new Other(3));
        ExpectMsg(("type", "blob_hangup", 1));
        ExpectMsg(("payload", "blob_answer", 2));
        ExpectMsg(("default", "test_other", 0)); // all handled: removing the route cannot race with them
        router.RemoveRoute(_hangup);
        topic.Publish(_hangup, new Beat(4));

        ExpectMsg(("payload", "blob_hangup", 4));
    }

    [Fact]
    public async Task Without_a_default_route_the_filter_accepts_exactly_the_routed_types()
    {
        var topic = Bus.CreateTopic(Unique("exact"));
        var router = MessageRouter.Create(topic);
        router.AddRoute(_hangup, (_, _, _, b) => TestActor.Tell(b.N));

        topic.Publish(_answer, new Beat(1));
        topic.Publish(_hangup, new Beat(2));
        ExpectMsg(2);
        await router.UnsubscribeAndJoinAsync().WaitAsync(Patience);

        Assert.Equal((1, 1), (_answer.PublishedCount, _answer.UnusedCount)); // filtered before queueing: it reached no subscription
    }

    [Fact]
    public void Each_snapshot_type_sharing_a_payload_class_gets_its_own_cache_route()
    {
        var channels = Bus.CreateMessageType<Snapshot>("snap_channel");
        var bridges = Bus.CreateMessageType<Snapshot>("snap_bridge");
        var topic = Bus.CreateTopic(Unique("updates"));
        var router = MessageRouter.Create(topic);
        router.AddCacheRoute(channels, (_, _, _, u) => TestActor.Tell(("channel", u.Id)));
        router.AddCacheRoute(bridges, (_, _, _, u) => TestActor.Tell(("bridge", u.Id)));
        router.AddCacheRoute<Snapshot>((_, _, _, u) => TestActor.Tell(("any snapshot", u.Id)));
        var updates = StasisCache.UpdateType(Bus);

        topic.Publish(updates, new CacheUpdate(bridges, "b1", null, null, bridges.CreateMessage(new Snapshot("b1", 1))));
        topic.Publish(updates, new CacheUpdate(channels, "c1", null, null, channels.CreateMessage(new Snapshot("c1", 1))));
        topic.Publish(updates, new CacheUpdate(SnapshotType, "s1", null, null, Snap("s1", 1)));

        ExpectMsg(("bridge", "b1"));
        ExpectMsg(("channel", "c1"));
        ExpectMsg(("any snapshot", "s1"));
        Assert.Throws<InvalidOperationException>(() => router.AddCacheRoute(bridges, (_, _, _, _) => { }));
    }

    [Fact]
    public void A_formatters_default_takes_formatted_messages_without_a_route_and_the_final_message()
    {
        var formatted = Bus.CreateMessageType("formatted", new MessageTypeFormatters<Other> { ToJson = (m, _) => JsonValue.Create(m.Payload.N) });
        var topic = Bus.CreateTopic(Unique("formatters-default"));
        var router = MessageRouter.Create(topic);
        router.AddRoute(_hangup, (_, _, _, b) => TestActor.Tell(("hangup", b.N)));
        router.SetFormattersDefault((r, _, m) => TestActor.Tell(r.IsFinalMessage(m) ? ("final", 0) : ("json", m.ToJson()!.GetValue<int>())),
            MessageFormatters.Json);

        topic.Publish(OtherType, new Other(1));   // no formatter, no route: filtered
        topic.Publish(formatted, new Other(2));
        topic.Publish(_hangup, new Beat(3));
        router.Unsubscribe();

        ExpectMsg(("json", 2));
        ExpectMsg(("hangup", 3));
        ExpectMsg(("final", 0));
        Assert.Equal(MessageFormatters.Json, router.AcceptedFormatters);
        Assert.False(router.Subscription.Filter.IsOpen);
    }

    [Fact]
    public void Accepted_formatters_without_a_default_route_are_counted_as_unrouted()
    {
        var ami = Bus.CreateMessageType("ami_other", new MessageTypeFormatters<Other> { ToAmi = m => new AmiEvent("Other", [new("N", m.Payload.N.ToString())]) });
        var topic = Bus.CreateTopic(Unique("accept-formatters"));
        var router = MessageRouter.Create(topic);
        router.AddRoute(_hangup, (_, _, _, b) => TestActor.Tell(b.N));
        router.AcceptFormatters(MessageFormatters.Ami);

        topic.Publish(ami, new Other(1));
        topic.Publish(OtherType, new Other(2));
        topic.Publish(_hangup, new Beat(3));

        ExpectMsg(3);
        // Handled in order, so final by now: the router's own Subscribe change and the AMI message; the plain one was filtered.
        Assert.Equal(2, router.UnroutedCount);
        Assert.Equal(1, OtherType.UnusedCount);
    }

    [Fact]
    public void A_type_of_another_bus_is_rejected()
    {
        using var other = ActorSystem.Create("other-bus");
        var foreign = StasisBus.Get(other).CreateMessageType<Beat>("blob_hangup");
        var router = MessageRouter.Create(Bus.CreateTopic(Unique("foreign")));

        var error = Assert.Throws<ArgumentException>(() => router.AddRoute(foreign, (_, _, _, _) => { }));

        Assert.Contains("blob_hangup", error.Message);
    }

    private sealed class BlobRouter : MessageRouterActor
    {
        public BlobRouter(Topic topic, MessageType<Beat> hangup, MessageType<Beat> answer, IActorRef report) : base(topic)
        {
            Receive(hangup, b => report.Tell(("hangup", b.N)));
            ReceiveAsync(answer, async b =>
            {
                await Task.Yield();
                report.Tell(("answer", b.N));
            });
            Receive<Beat>(b => report.Tell(("beat", b.N)));
        }
    }

    [Fact]
    public void A_router_actor_routes_by_message_type_too()
    {
        var topic = Bus.CreateTopic(Unique("actor-blobs"));
        Sys.ActorOf(Props.Create(() => new BlobRouter(topic, _hangup, _answer, TestActor)));
        AwaitCondition(() => topic.SubscriberCount == 1, Patience);

        topic.Publish(_answer, new Beat(1));
        topic.Publish(_hangup, new Beat(2));
        topic.Publish(BeatType, new Beat(3));

        ExpectMsg(("answer", 1));
        ExpectMsg(("hangup", 2));
        ExpectMsg(("beat", 3));
    }
}
