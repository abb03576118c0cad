using Akka.Actor;
using Stasis.Actors.TestKit;
using Stasis.Actors.Tests.Support;

namespace Stasis.Actors.Tests.Supervision;

public sealed class DispatcherSpec() : TickSpec("pinned-handlers { type = PinnedDispatcher }")
{
    internal static string DispatcherOf(Subscription subscription) =>
        ((ActorCell)((ActorRefWithCell)subscription.Actor).Underlying).Dispatcher.Id;

    [Fact]
    public void Subscription_runs_on_the_dispatcher_it_names_and_on_the_default_one_otherwise()
    {
        var topic = Bus.CreateTopic("dispatch");
        var pinned = topic.Subscribe((_, _, _) => { }, new SubscriptionOptions { Dispatcher = "pinned-handlers" });
        var plain = topic.Subscribe((_, _, _) => { });

        Assert.Equal("pinned-handlers", DispatcherOf(pinned));
        Assert.Equal("akka.actor.default-dispatcher", DispatcherOf(plain));
    }

    [Fact]
    public void Blocked_handlers_on_a_pinned_dispatcher_do_not_starve_other_subscriptions()
    {
        var topic = Bus.CreateTopic("blocking");
        var blocked = 0;
        for (var i = 0; i < Environment.ProcessorCount * 4; i++)
        {
            topic.Subscribe((_, _, m) =>
            {
                if (m.Data is Tick)
                {
                    Interlocked.Increment(ref blocked);
                    Gate.Wait();
                }
            }, new SubscriptionOptions { Dispatcher = "pinned-handlers" });
        }
        var probe = topic.SubscribeProbe(this);

        PublishTicks(topic, 3);
        Eventually(() => Volatile.Read(ref blocked) == Environment.ProcessorCount * 4);
        foreach (var seq in new[] { 0, 1, 2 })
            Assert.Equal(new Tick(0, seq), probe.ExpectMessage<Tick>());
    }
}

public sealed class DefaultDispatcherHoconSpec() : TickSpec("pinned-handlers { type = PinnedDispatcher }\nstasis.subscription.dispatcher = pinned-handlers")
{
    [Fact]
    public void Hocon_dispatcher_is_the_default_for_subscriptions()
    {
        var sub = Bus.CreateTopic("hocon-dispatch").Subscribe((_, _, _) => { });
        Assert.Equal("pinned-handlers", DispatcherSpec.DispatcherOf(sub));
    }
}
