using Akka.Actor;
using Stasis.Actors.Tests.Support;
using Xunit.Abstractions;

namespace Stasis.Actors.Tests.Routing;

public sealed class MessageRouterActorSpec(ITestOutputHelper output) : BusSpec(output)
{
    private sealed class PingRouter : MessageRouterActor
    {
        public PingRouter(Topic topic, IActorRef report, bool withDefault) : base(topic)
        {
            Receive<Beat>(p => report.Tell(("ping", p.N, CurrentEnvelope!.Topic.Name)));
            ReceiveCacheUpdate<Snapshot>(u => report.Tell(("cache", u.Id)));
            if (withDefault)
                ReceiveAnyMessage(m => report.Tell(Subscription.IsFinalMessage(m) ? "final" : m.Type.Name));
        }

        protected override bool ReceiveOther(object message)
        {
            if (message is "handled")
                Sender.Tell(Subscription.HandledCount);
            else if (message is "unsubscribe")
                Subscription.Unsubscribe();
            else
                return false;
            return true;
        }
    }

    private sealed class FailingRouter : MessageRouterActor
    {
        public FailingRouter(Topic topic, IActorRef report) : base(topic)
        {
            Receive<Beat>(p =>
            {
                if (p.N == 2)
                    throw new InvalidOperationException("route failed");
                report.Tell((p.N, Subscription.Id));
            });
        }
    }

    [Fact]
    public void A_failing_route_skips_its_message_and_keeps_the_subscription_and_order()
    {
        var topic = Bus.CreateTopic(Unique("actor-router"));
        Sys.ActorOf(Props.Create(() => new FailingRouter(topic, TestActor)));
        AwaitCondition(() => topic.SubscriberCount == 1, Patience);
        for (var i = 1; i <= 4; i++)
            topic.Publish(BeatType, new Beat(i));
        var first = ExpectMsg<(int N, string Id)>(Patience);
        Assert.Equal(1, first.N);
        Assert.Equal((3, first.Id), ExpectMsg<(int, string)>(Patience)); // same subscription: the actor was not restarted
        Assert.Equal((4, first.Id), ExpectMsg<(int, string)>(Patience));
        Assert.Equal(1, topic.SubscriberCount);
    }

    [Fact]
    public void Subclass_routes_payloads_by_type_and_the_rest_to_its_default_route()
    {
        var topic = Bus.CreateTopic(Unique("actor-router"));
        var router = Sys.ActorOf(Props.Create(() => new PingRouter(topic, TestActor, true)));
        ExpectMsg(Bus.SubscriptionChangeType.Name); // its own Subscribe change

        topic.Publish(BeatType, new Beat(1));
        topic.Publish(OtherType, new Other(2));

        ExpectMsg(("ping", 1, topic.Name));
        ExpectMsg(OtherType.Name);
        router.Tell("unsubscribe");
        ExpectMsg("final");
    }

    [Fact]
    public void Subclass_without_default_route_only_queues_routed_types()
    {
        var topic = Bus.CreateTopic(Unique("actor-router"));
        var router = Sys.ActorOf(Props.Create(() => new PingRouter(topic, TestActor, false)));
        router.Tell("handled");
        ExpectMsg<long>(); // started and subscribed

        for (var i = 0; i < 20; i++)
            topic.Publish(OtherType, new Other(i));
        topic.Publish(BeatType, new Beat(5));
        ExpectMsg(("ping", 5, topic.Name));

        // Subscribe change and the ping: an actor subscription counts a message as handled once passed to the actor.
        AwaitAssert(() =>
        {
            router.Tell("handled");
            Assert.Equal(2L, ExpectMsg<long>());
        }, Patience);
    }

    [Fact]
    public void Subclass_receives_cache_updates_by_snapshot_type()
    {
        var upstream = Bus.CreateTopic(Unique("upstream"));
        var cache = new StasisCache(Bus, m => (m.Data as Snapshot)?.Id);
        var caching = cache.CreateCachingTopic(upstream);
        Sys.ActorOf(Props.Create(() => new PingRouter(caching.Topic, TestActor, false)));
        AwaitCondition(() => caching.Topic.SubscriberCount == 1, Patience);

        upstream.Publish(Snap("x", 1));

        ExpectMsg(("cache", "x"));
    }

    [Fact]
    public void Stopping_the_actor_unsubscribes_it()
    {
        var topic = Bus.CreateTopic(Unique("actor-router"));
        var router = Sys.ActorOf(Props.Create(() => new PingRouter(topic, TestActor, true)));
        ExpectMsg(Bus.SubscriptionChangeType.Name);
        Assert.Equal(1, topic.SubscriberCount);

        Watch(router);
        Sys.Stop(router);
        ExpectTerminated(router);

        AwaitCondition(() => topic.SubscriberCount == 0, Patience);
    }
}
