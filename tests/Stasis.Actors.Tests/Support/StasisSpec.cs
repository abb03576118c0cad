using System.Collections.Concurrent;
using Akka.Configuration;
using Akka.TestKit.Xunit2;
using Xunit.Abstractions;

namespace Stasis.Actors.Tests.Support;

/// <summary>A test payload: a publisher id and its sequence number.</summary>
public sealed record Ping(int Publisher, int Seq);

/// <summary>A second payload type, for filters and routes.</summary>
public sealed record Pong(string Text);

/// <summary>Base of the bus specs: an actor system with the bus, two message types and helpers.</summary>
public abstract class StasisSpec : Akka.TestKit.Xunit2.TestKit
{
    private static readonly Config BaseConfig = ConfigurationFactory.ParseString("""
        akka.loglevel = WARNING
        akka.stdout-loglevel = WARNING
        """);

    protected StasisSpec(ITestOutputHelper output, string? config = null)
        : base(config is null ? BaseConfig : ConfigurationFactory.ParseString(config).WithFallback(BaseConfig), output: output)
    {
        Bus = StasisBus.Get(Sys);
        PingType = Bus.CreateMessageType<Ping>("test_ping");
        PongType = Bus.CreateMessageType<Pong>("test_pong");
    }

    protected StasisBus Bus { get; }

    protected MessageType<Ping> PingType { get; }

    protected MessageType<Pong> PongType { get; }

    /// <summary>A generous wait for an asynchronous outcome, scaled by akka.test.timefactor.</summary>
    protected TimeSpan Patience => Dilated(TimeSpan.FromSeconds(15));

    protected StasisMessage<Ping> Ping(int seq, int publisher = 0) => PingType.CreateMessage(new Ping(publisher, seq))!;

    protected Topic NewTopic(string? name = null) => Bus.CreateTopic(name ?? "topic-" + Guid.NewGuid().ToString("N"));

    protected Task<T> Await<T>(Task<T> task) => task.WaitAsync(Patience);

    protected Task Await(Task task) => task.WaitAsync(Patience);

    /// <summary>Subscribes a recorder that keeps every call of the handler.</summary>
    protected Recorder Record(Topic topic, SubscriptionOptions? options = null, Action<Subscription, Topic, StasisMessage>? also = null)
    {
        var recorder = new Recorder();
        recorder.Subscription = topic.Subscribe((s, t, m) =>
        {
            also?.Invoke(s, t, m);
            recorder.Add(s, t, m);
        }, options);
        return recorder;
    }
}

/// <summary>Keeps what a subscription's handler received; completes <see cref="Final"/> on the final message.</summary>
public sealed class Recorder
{
    private readonly ConcurrentQueue<(Topic Topic, StasisMessage Message, bool WasDone)> _calls = new();
    private readonly TaskCompletionSource _final = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _finals;

    public Subscription Subscription { get; set; } = null!;

    public Task Final => _final.Task;

    public int FinalCount => Volatile.Read(ref _finals);

    public IReadOnlyList<(Topic Topic, StasisMessage Message, bool WasDone)> Calls => [.. _calls];

    public IReadOnlyList<StasisMessage> Messages => [.. _calls.Select(c => c.Message)];

    public IReadOnlyList<T> Payloads<T>() where T : class => [.. _calls.Select(c => c.Message.Data).OfType<T>()];

    public void Add(Subscription subscription, Topic topic, StasisMessage message)
    {
        _calls.Enqueue((topic, message, subscription.IsDone));
        if (subscription.IsFinalMessage(message))
        {
            Interlocked.Increment(ref _finals);
            _final.TrySetResult();
        }
    }
}
