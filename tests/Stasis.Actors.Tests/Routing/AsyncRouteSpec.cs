using System.Collections.Concurrent;
using Akka.Actor;
using Stasis.Actors.Tests.Support;
using Xunit.Abstractions;

namespace Stasis.Actors.Tests.Routing;

/// <summary>Async routes: each route's task is awaited before the router takes its next message.</summary>
public sealed class AsyncRouteSpec(ITestOutputHelper output) : BusSpec(output)
{
    [Fact]
    public async Task Async_routes_of_a_router_run_one_at_a_time_in_order_and_the_final_message_comes_last()
    {
        var topic = Bus.CreateTopic(Unique("async-router"));
        var running = 0;
        var overlaps = 0;
        var handled = new ConcurrentQueue<string>();
        await using (var router = MessageRouter.Create(topic))
        {
            router.AddRoute<Beat>(async (_, _, _, beat) =>
            {
                if (Interlocked.Increment(ref running) > 1)
                    Interlocked.Increment(ref overlaps);
                await Task.Delay(1);
                handled.Enqueue($"beat {beat.N}");
                Interlocked.Decrement(ref running);
            });
            router.SetDefaultRoute(async (r, _, message) =>
            {
                await Task.Yield();
                if (r.IsFinalMessage(message))
                    handled.Enqueue("final");
            });
            for (var n = 0; n < 50; n++)
                topic.Publish(BeatType, new Beat(n));
        } // DisposeAsync: unsubscribe and join

        Assert.Equal(0, overlaps);
        Assert.Equal([.. Enumerable.Range(0, 50).Select(n => $"beat {n}"), "final"], handled);
    }

    private sealed class AwaitingRouter : MessageRouterActor
    {
        public AwaitingRouter(Topic topic, IActorRef report) : base(topic)
        {
            ReceiveAsync<Beat>(async beat =>
            {
                report.Tell($"start {beat.N}");
                await Task.Delay(5);
                report.Tell($"end {beat.N}");
            });
        }
    }

    [Fact]
    public void ReceiveAsync_routes_of_a_router_actor_are_awaited_before_the_next_message()
    {
        var topic = Bus.CreateTopic(Unique("async-actor-router"));
        Sys.ActorOf(Props.Create(() => new AwaitingRouter(topic, TestActor)));
        AwaitCondition(() => topic.SubscriberCount == 1, Patience);
        for (var n = 0; n < 5; n++)
            topic.Publish(BeatType, new Beat(n));
        for (var n = 0; n < 5; n++)
        {
            ExpectMsg($"start {n}", Patience);
            ExpectMsg($"end {n}", Patience);
        }
    }
}

/// <summary>stasis.subscription.failure-policy = restart, for the actor router.</summary>
public sealed class RouterActorRestartSpec(ITestOutputHelper output) : BusSpec(output, "stasis.subscription.failure-policy = restart")
{
    private static int _instances;

    private sealed class FailingRouter : MessageRouterActor
    {
        public FailingRouter(Topic topic, IActorRef report) : base(topic)
        {
            var instance = Interlocked.Increment(ref _instances);
            Receive<Beat>(beat =>
            {
                if (beat.N == 2 && instance == 1)
                    throw new InvalidOperationException("route failed");
                report.Tell((beat.N, instance, Subscription.Id));
            });
        }
    }

    [Fact]
    public void A_failing_route_restarts_the_router_actor_which_keeps_its_subscription_and_order()
    {
        var topic = Bus.CreateTopic(Unique("restarting-router"));
        Sys.ActorOf(Props.Create(() => new FailingRouter(topic, TestActor)));
        AwaitCondition(() => topic.SubscriberCount == 1, Patience);
        for (var n = 1; n <= 4; n++)
            topic.Publish(BeatType, new Beat(n));

        var first = ExpectMsg<(int N, int Instance, string Id)>(Patience);
        Assert.Equal((1, 1), (first.N, first.Instance));
        // Beat 2 failed and is not retried; a new instance (its constructor ran again) goes on with the same subscription.
        Assert.Equal((3, 2, first.Id), ExpectMsg<(int, int, string)>(Patience));
        Assert.Equal((4, 2, first.Id), ExpectMsg<(int, int, string)>(Patience));
        Assert.Equal(1, topic.SubscriberCount);
    }
}
