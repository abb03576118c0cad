using Akka.Configuration;

namespace Stasis.Actors.Tests.Support;

/// <summary>A TestKit with a bus, a tick message type and a gate handlers can wait on (opened at the latest on dispose).</summary>
public abstract class TickSpec : Akka.TestKit.Xunit2.TestKit
{
    protected TickSpec(string? hocon = null, string? systemName = null)
        : base(ConfigurationFactory.ParseString(hocon ?? ""), systemName ?? "bus-spec")
    {
        Bus = StasisBus.Get(Sys);
        TickType = Bus.CreateMessageType<Tick>("tick");
    }

    protected StasisBus Bus { get; }

    protected MessageType<Tick> TickType { get; }

    /// <summary>Handlers block on it to let a queue build up; always opened when the test ends.</summary>
    protected ManualResetEventSlim Gate { get; } = new(false);

    /// <summary>Handler work that blocks on <see cref="Gate"/> at tick 0, so the ticks after it queue up.</summary>
    protected void BlockOnFirstTick(StasisMessage message)
    {
        if (message.Data is Tick { Seq: 0 })
            Gate.Wait();
    }

    protected StasisMessage<Tick> TickMessage(int seq, int publisher = 0) => TickType.CreateMessage(new Tick(publisher, seq))!;

    protected void PublishTicks(Topic topic, int count, int publisher = 0)
    {
        for (var i = 0; i < count; i++)
            topic.Publish(TickMessage(i, publisher));
    }

    /// <summary>Waits for a handler-side condition (no sleeps: AwaitCondition polls within a timefactor-scaled budget).</summary>
    protected void Eventually(Func<bool> condition, int seconds = 10) => AwaitCondition(condition, Dilated(TimeSpan.FromSeconds(seconds)));

    protected override void AfterAll()
    {
        Gate.Set();
        base.AfterAll();
    }
}
