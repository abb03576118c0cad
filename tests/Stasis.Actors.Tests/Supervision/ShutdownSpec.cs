using Akka.Actor;
using Akka.Configuration;
using Stasis.Actors.Tests.Support;

namespace Stasis.Actors.Tests.Supervision;

/// <summary>Shuts down an actor system of its own (the TestKit's stays up for probes).</summary>
public sealed class ShutdownSpec : TickSpec
{
    private readonly ActorSystem _system = ActorSystem.Create("shutdown-" + Guid.NewGuid().ToString("N"), ConfigurationFactory.ParseString("akka.loglevel = WARNING"));

    private Task Shutdown() => CoordinatedShutdown.Get(_system).Run(CoordinatedShutdown.ClrExitReason.Instance).WaitAsync(Dilated(TimeSpan.FromSeconds(10)));

    protected override void AfterAll()
    {
        Gate.Set();
        _system.Terminate().Wait(TimeSpan.FromSeconds(10));
        base.AfterAll();
    }

    [Fact]
    public async Task CoordinatedShutdown_delivers_every_live_subscription_its_queue_then_its_final_message()
    {
        var bus = StasisBus.Get(_system);
        var tick = bus.CreateMessageType<Tick>("tick");
        var leaf = bus.CreateTopic("leaf");
        var root = bus.CreateTopic("root");
        bus.ForwardAll(leaf, root);
        var subs = new List<(Subscription Sub, SubscriberLog Log)>();
        foreach (var topic in new[] { leaf, leaf, root, root })
        {
            var log = new SubscriberLog();
            subs.Add((topic.Subscribe(log.Handler(work: BlockOnFirstTick)), log));
        }
        var probe = CreateTestProbe();
        var actorSub = root.Subscribe(probe.Ref);
        for (var i = 0; i < 50; i++)
            leaf.Publish(tick, new Tick(0, i));

        var shutdown = Shutdown();
        Gate.Set();
        await shutdown;

        foreach (var (sub, log) in subs)
        {
            Assert.True(sub.JoinAsync().IsCompletedSuccessfully, $"{sub} not joined");
            log.AssertFramedAndContiguous(sub);
            log.AssertReceivedAll(sub, new Dictionary<int, int> { [0] = 50 });
        }
        Assert.True(probe.FishForMessage<StasisEnvelope>(e => actorSub.IsFinalMessage(e.Message)) is not null);
        Assert.Empty(bus.Topics);
    }

    [Fact]
    public async Task Publishing_during_shutdown_is_a_counted_no_op()
    {
        var bus = StasisBus.Get(_system);
        var tick = bus.CreateMessageType<Tick>("tick");
        var topic = bus.CreateTopic("late");
        var sub = topic.Subscribe((_, _, _) => { });
        await Shutdown();

        topic.Publish(tick.CreateMessage(new Tick(0, 0))!);
        topic.Publish(tick, new Tick(0, 1));
        Assert.False(await topic.PublishSyncAsync(tick.CreateMessage(new Tick(0, 2))!, sub));
        Assert.True(bus.IsShuttingDown);
        Assert.Equal(3, bus.GetStatistics().ShutdownPublishes);
    }

    [Fact]
    public async Task Creating_a_topic_after_shutdown_started_is_refused()
    {
        var bus = StasisBus.Get(_system);
        await Shutdown();
        Assert.Throws<InvalidOperationException>(() => bus.CreateTopic("too-late"));
    }
}
