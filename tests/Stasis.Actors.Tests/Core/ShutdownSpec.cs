using Akka.Actor;
using Akka.Configuration;
using Stasis.Actors.Tests.Support;

namespace Stasis.Actors.Tests.Core;

public sealed class ShutdownSpec
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task Actor_system_shutdown_delivers_final_message_to_every_live_subscription()
    {
        var system = ActorSystem.Create("shutdown", ConfigurationFactory.ParseString("akka.loglevel = WARNING"));
        var bus = StasisBus.Get(system);
        var type = bus.CreateMessageType<Ping>("ping");
        var topics = Enumerable.Range(0, 3).Select(i => bus.CreateTopic("t" + i)).ToList();
        var recorders = topics.SelectMany(t => Enumerable.Range(0, 3).Select(_ =>
        {
            var r = new Recorder();
            r.Subscription = t.Subscribe((s, tp, m) => r.Add(s, tp, m));
            return r;
        })).ToList();
        foreach (var topic in topics)
            topic.Publish(type, new Ping(0, 1));

        await system.Terminate().WaitAsync(Patience);

        Assert.All(recorders, r =>
        {
            Assert.True(r.Final.IsCompletedSuccessfully);
            Assert.Equal(1, r.FinalCount);
            Assert.True(r.Subscription.IsFinalMessage(r.Messages[^1]));
            Assert.Single(r.Payloads<Ping>());
            Assert.True(r.Subscription.JoinAsync().IsCompletedSuccessfully);
        });
        Assert.True(bus.IsShuttingDown);
        topics[0].Publish(type, new Ping(0, 2)); // a counted no-op, not an exception
        Assert.Equal(1, bus.Diagnostics.ShutdownPublishes);
    }
}
