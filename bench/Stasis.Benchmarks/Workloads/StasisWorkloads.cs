using Stasis.Actors;

namespace Stasis.Benchmarks.Workloads;

/// <summary>Names and the <see cref="Ping"/> message type shared by the Stasis cases of one bus.</summary>
public static class StasisBench
{
    private static long s_nextTopic;

    public static MessageType<Ping> PingType(StasisBus bus) => bus.CreateMessageType<Ping>("bench_ping");

    /// <summary>A <see cref="Ping"/> type with a JSON formatter, for formatter filters.</summary>
    public static MessageType<Ping> JsonPingType(StasisBus bus) => bus.CreateMessageType("bench_ping_json", JsonPing);

    private static readonly MessageTypeFormatters<Ping> JsonPing = new() { ToJson = (m, _) => System.Text.Json.Nodes.JsonValue.Create(m.Payload.Seq) };

    public static Topic NewTopic(StasisBus bus, string what) => bus.CreateTopic($"bench-{what}-{Interlocked.Increment(ref s_nextTopic)}");

    /// <summary>
    /// Options for setting up many subscriptions on one topic: a selective filter (accept only <see cref="Ping"/>)
    /// lets each Subscribe skip the other subscriptions, which would otherwise each be queued its change message.
    /// </summary>
    public static SubscriptionOptions PingOnly(StasisBus bus) => new() { AcceptOnly = [PingType(bus)] };

    private static readonly string[] PingIds = [.. Enumerable.Range(0, 1024).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture))];

    /// <summary>A cache whose id of a <see cref="Ping"/> is one of 1 024 ids (its sequence number modulo 1 024).</summary>
    public static StasisCache PingCache(StasisBus bus) => new(bus, message => message.Data is Ping ping ? PingIds[ping.Seq & 1023] : null);

    /// <summary>A callback that counts the <see cref="Ping"/> messages it is given (change messages are skipped).</summary>
    public static SubscriptionHandler Counting(MessageType<Ping> type, Counter counter) =>
        (_, _, message) =>
        {
            if (ReferenceEquals(message.Type, type))
                counter.Hit();
        };
}

/// <summary>
/// Stasis: the producer publishes to a topic with <c>n</c> callback subscriptions. With <c>levels</c> &gt; 0 the
/// subscriptions are on a topic reached through that many levels of forwarding (publish → A → B → subscribed topic).
/// With <c>precreated</c>, one message made beforehand is published every time: the bus's dispatch alone, without
/// the cost of creating each message (a diagnostic, not a goal: real publishers create their messages).
/// </summary>
public sealed class StasisPublishWorkload : CountingWorkload
{
    private readonly List<Topic> _topics = [];
    private readonly MessageType<Ping> _type;
    private readonly Topic _publishTo;
    private readonly StasisMessage? _precreated;

    public StasisPublishWorkload(StasisBus bus, int subscriptions, int levels = 0, SubscriptionOptions? options = null, bool precreated = false,
        MessageType<Ping>? type = null)
        : base(subscriptions)
    {
        _type = type ?? StasisBench.PingType(bus);
        _precreated = precreated ? _type.CreateMessage(new Ping(0)) : null;
        _topics.Add(StasisBench.NewTopic(bus, "publish"));
        for (var level = 0; level < levels; level++)
        {
            var next = StasisBench.NewTopic(bus, "forwarded");
            _topics[^1].ForwardTo(next);
            _topics.Add(next);
        }
        _publishTo = _topics[0];
        var subscribed = _topics[^1];
        foreach (var counter in Counters)
            subscribed.Subscribe(StasisBench.Counting(_type, counter), options);
    }

    protected override void Send(int messages)
    {
        var topic = _publishTo;
        var type = _type;
        if (_precreated is { } message)
        {
            for (var i = 0; i < messages; i++)
                topic.Publish(message);
            return;
        }
        for (var i = 0; i < messages; i++)
            topic.Publish(type, new Ping(i));
    }

    public override void Dispose()
    {
        foreach (var topic in _topics)
            topic.Destroy();
    }
}

/// <summary>Stasis: subscribe a callback to a topic and unsubscribe it at once, then wait for every final message.</summary>
public sealed class StasisSubscribeUnsubscribeWorkload : Workload
{
    private readonly Completion _done = new();
    private readonly Topic _topic;
    private readonly SubscriptionHandler _handler;

    public StasisSubscribeUnsubscribeWorkload(StasisBus bus)
    {
        _topic = StasisBench.NewTopic(bus, "churn");
        _handler = (subscription, _, message) =>
        {
            if (subscription.IsFinalMessage(message))
                _done.Signal();
        };
    }

    public override int Fanout => 1;

    /// <summary>Makes <paramref name="messages"/> subscribe/unsubscribe pairs.</summary>
    public override void Run(int messages)
    {
        _done.Arm(messages);
        for (var i = 0; i < messages; i++)
            _topic.Subscribe(_handler).Unsubscribe();
        _done.Wait();
    }

    public override void Dispose() => _topic.Destroy();
}
