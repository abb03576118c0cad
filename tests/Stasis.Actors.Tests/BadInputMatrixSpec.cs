using Akka.Actor;
using Akka.Configuration;
using Stasis.Actors.Configuration;
using Stasis.Actors.Tests.Support;

namespace Stasis.Actors.Tests;

/// <summary>
/// One table of every public entry point's bad inputs and the outcome its documentation promises: a clear exception,
/// a documented return value, or a counted no-op. Never a crash, a hang or a silent loss. Features add their rows by
/// appending a list to <see cref="Rows"/> (router and cache rows go next to <see cref="CoreRows"/>).
/// </summary>
public sealed class BadInputMatrixSpec() : TickSpec("stasis.declined-message-types = [declined]")
{
    /// <summary>What the row's call must do.</summary>
    public abstract record Outcome;

    /// <summary>Throws exactly <paramref name="Type"/>.</summary>
    public sealed record Throws(Type Type) : Outcome;

    /// <summary>Returns normally and <paramref name="Check"/> holds on the fixture and the result (<paramref name="What"/> says what it checks).</summary>
    public sealed record Holds(string What, Func<Fixture, object?, bool> Check) : Outcome;

    /// <summary>Returns normally and the counter read by <paramref name="Counter"/> grew by exactly one.</summary>
    public sealed record Counted(string What, Func<Fixture, long> Counter) : Outcome;

    /// <summary>One bad input of one entry point. A task returned by <paramref name="Act"/> is awaited.</summary>
    public sealed record Row(string EntryPoint, string Input, Func<Fixture, object?> Act, Outcome Expected)
    {
        public string Key => $"{EntryPoint} <- {Input}";
    }

    /// <summary>The objects the rows work on, made fresh for each row.</summary>
    public sealed class Fixture(StasisBus bus, ActorSystem otherSystem)
    {
        public StasisBus Bus { get; } = bus;
        public MessageType<Tick> Tick { get; } = bus.CreateMessageType<Tick>("tick");
        public MessageType<Tick> Declined { get; } = bus.CreateMessageType<Tick>("declined");
        public Topic Live { get; } = bus.CreateTopic("live");
        public Topic Other { get; } = bus.CreateTopic("other");
        public Topic Disposed { get; } = Disposing(bus.CreateTopic("disposed"));
        public Topic Foreign => StasisBus.Get(otherSystem).CreateTopic("foreign");
        public StasisMessage<Tick> Message => Tick.CreateMessage(new Tick(0, 0))!;
        public Subscription Subscribe(Topic? topic = null) => (topic ?? Live).Subscribe((_, _, _) => { });
        public Subscription Ended { get { var s = Subscribe(); s.Unsubscribe(); return s; } }
        public long DeclinedPublishes => Bus.GetStatistics().DeclinedPublishes;

        private static Topic Disposing(Topic topic)
        {
            topic.Destroy();
            return topic;
        }
    }

    private static Row Fails<TException>(string entry, string input, Func<Fixture, object?> act) where TException : Exception =>
        new(entry, input, act, new Throws(typeof(TException)));

    private static Row Check(string entry, string input, Func<Fixture, object?> act, string what, Func<Fixture, object?, bool> check) =>
        new(entry, input, act, new Holds(what, check));

    private static SubscriptionOptions Options(int? high = null, int? low = null) => new() { HighWaterMark = high, LowWaterMark = low };

    private static Config Hocon(string text) => ConfigurationFactory.ParseString(text);

    public static IReadOnlyList<Row> CoreRows { get; } =
    [
        Fails<ArgumentNullException>("StasisBus.Get", "null system", _ => StasisBus.Get(null!)),
        Fails<ArgumentNullException>("CreateMessageType", "null name", f => f.Bus.CreateMessageType<Tick>(null!)),
        Fails<ArgumentException>("CreateMessageType", "empty name", f => f.Bus.CreateMessageType<Tick>("")),
        Fails<ArgumentException>("CreateMessageType", "white-space name", f => f.Bus.CreateMessageType<Tick>("  ")),
        Fails<ArgumentException>("CreateMessageType", "existing name, other payload type", f => f.Bus.CreateMessageType<string>("tick")),
        Check("CreateMessageType", "declined name", f => f.Bus.CreateMessageType<Tick>("declined"), "a declined type, not an exception", (_, r) => r is MessageType { IsDeclined: true }),
        Fails<ArgumentNullException>("MessageType.CreateMessage", "null payload", f => f.Tick.CreateMessage(null!)),
        new("MessageType.CreateMessage", "declined type", f => f.Declined.CreateMessage(new Tick(0, 0)), new Counted("declined publishes", f => f.DeclinedPublishes)),
        Check("GetMessageType", "null name", f => f.Bus.GetMessageType(null!), "null", (_, r) => r is null),
        Fails<ArgumentNullException>("CreateTopic", "null name", f => f.Bus.CreateTopic(null!)),
        Fails<ArgumentException>("CreateTopic", "empty name", f => f.Bus.CreateTopic("")),
        Fails<ArgumentException>("CreateTopic", "white-space name", f => f.Bus.CreateTopic(" \t")),
        Check("GetTopic", "null name", f => f.Bus.GetTopic(null!), "null", (_, r) => r is null),
        Check("GetTopic", "unknown name", f => f.Bus.GetTopic("no such topic"), "null", (_, r) => r is null),
        Check("GetTopic", "name of a destroyed topic", f => f.Bus.GetTopic(f.Disposed.Name), "null", (_, r) => r is null),
        Fails<ArgumentNullException>("ForwardAll", "null from", f => f.Bus.ForwardAll(null!, f.Live)),
        Fails<ArgumentNullException>("ForwardAll", "null to", f => f.Bus.ForwardAll(f.Live, null!)),
        Fails<ArgumentException>("ForwardAll", "topic to itself", f => f.Bus.ForwardAll(f.Live, f.Live)),
        Fails<InvalidOperationException>("ForwardAll", "cycle", f => { f.Bus.ForwardAll(f.Live, f.Other); return f.Bus.ForwardAll(f.Other, f.Live); }),
        Fails<ObjectDisposedException>("ForwardAll", "disposed from", f => f.Bus.ForwardAll(f.Disposed, f.Live)),
        Fails<ObjectDisposedException>("ForwardAll", "disposed to", f => f.Bus.ForwardAll(f.Live, f.Disposed)),
        Fails<ArgumentException>("ForwardAll", "topic of another bus", f => f.Bus.ForwardAll(f.Live, f.Foreign)),
        Check("TopicForward.Cancel", "cancelled twice", f => { var fw = f.Live.ForwardTo(f.Other); fw.Cancel(); fw.Cancel(); return fw; }, "inactive", (_, r) => r is TopicForward { IsActive: false }),
        Fails<ArgumentNullException>("Topic.Publish", "null message", f => { f.Live.Publish(null!); return null; }),
        Fails<ObjectDisposedException>("Topic.Publish", "destroyed topic", f => { f.Disposed.Publish(f.Message); return null; }),
        Fails<ArgumentNullException>("Topic.Publish<T>", "null type", f => { f.Live.Publish<Tick>(null!, new Tick(0, 0)); return null; }),
        Fails<ArgumentNullException>("Topic.Publish<T>", "null payload", f => { f.Live.Publish(f.Tick, null!); return null; }),
        new("Topic.Publish<T>", "declined type", f => { f.Live.Publish(f.Declined, new Tick(0, 0)); return null; }, new Counted("declined publishes", f => f.DeclinedPublishes)),
        Fails<ArgumentNullException>("Topic.PublishSyncAsync", "null message", f => f.Live.PublishSyncAsync(null!, f.Subscribe())),
        Fails<ArgumentNullException>("Topic.PublishSyncAsync", "null subscription", f => f.Live.PublishSyncAsync(f.Message, null!)),
        Fails<ObjectDisposedException>("Topic.PublishSyncAsync", "destroyed topic", f => f.Disposed.PublishSyncAsync(f.Message, f.Subscribe())),
        Check("Topic.PublishSyncAsync", "subscription the topic does not reach", f => f.Live.PublishSyncAsync(f.Message, f.Subscribe(f.Other)), "false", (_, r) => r is false),
        Check("Topic.PublishSyncAsync", "ended subscription", f => f.Live.PublishSyncAsync(f.Message, f.Ended), "false", (_, r) => r is false),
        Fails<ArgumentNullException>("Topic.Subscribe", "null handler", f => f.Live.Subscribe((SubscriptionHandler)null!)),
        Fails<ArgumentNullException>("Topic.Subscribe", "null actor", f => f.Live.Subscribe((IActorRef)null!)),
        Fails<ArgumentException>("Topic.Subscribe", "Nobody", f => f.Live.Subscribe(ActorRefs.Nobody)),
        Fails<ObjectDisposedException>("Topic.Subscribe", "destroyed topic", f => f.Subscribe(f.Disposed)),
        Fails<ArgumentException>("Topic.Subscribe", "high-water mark 0", f => f.Live.Subscribe((_, _, _) => { }, Options(high: 0))),
        Fails<ArgumentException>("Topic.Subscribe", "negative high-water mark", f => f.Live.Subscribe((_, _, _) => { }, Options(high: -1))),
        Fails<ArgumentException>("Topic.Subscribe", "negative low-water mark", f => f.Live.Subscribe((_, _, _) => { }, Options(low: -1))),
        Fails<ArgumentException>("Topic.Subscribe", "low-water mark not below high", f => f.Live.Subscribe((_, _, _) => { }, Options(high: 10, low: 10))),
        Fails<ArgumentException>("Topic.Subscribe", "unknown dispatcher", f => f.Live.Subscribe((_, _, _) => { }, new SubscriptionOptions { Dispatcher = "no-such-dispatcher" })),
        Fails<ArgumentException>("Topic.Subscribe", "null in AcceptOnly", f => f.Live.Subscribe((_, _, _) => { }, new SubscriptionOptions { AcceptOnly = [null!] })),
        Fails<ArgumentException>("Topic.Subscribe", "null in Decline", f => f.Live.Subscribe((_, _, _) => { }, new SubscriptionOptions { Decline = [null!] })),
        Check("Subscription.Unsubscribe", "called twice", f => { var s = f.Subscribe(); s.Unsubscribe(); s.Unsubscribe(); return s.JoinAsync(); }, "ended once, joined", (f, _) => f.Live.SubscriberCount == 0),
        Fails<ArgumentNullException>("Subscription.AcceptMessageType", "null type", f => { f.Subscribe().AcceptMessageType(null!); return null; }),
        Fails<ArgumentNullException>("Subscription.DeclineMessageType", "null type", f => { f.Subscribe().DeclineMessageType(null!); return null; }),
        Fails<TaskCanceledException>("Subscription.JoinAsync", "cancelled token", f => f.Subscribe().JoinAsync(new CancellationToken(canceled: true))),
        Check("Topic.Destroy", "destroyed twice", f => { f.Disposed.Destroy(); return f.Disposed; }, "still destroyed, no throw", (_, r) => r is Topic { IsDestroyed: true }),
        Fails<ArgumentException>("EntityId", "null text", _ => new EntityId(null!)),
        Fails<ArgumentException>("EntityId", "empty text", _ => new EntityId("")),
        Fails<ArgumentNullException>("StasisSettings.Create", "null config", _ => StasisSettings.Create((Config)null!)),
        Fails<ArgumentNullException>("StasisSettings.Create", "null system", _ => StasisSettings.Create((ActorSystem)null!)),
        Fails<ConfigurationException>("StasisSettings.Create", "negative high-water-mark", _ => StasisSettings.Create(Hocon("stasis.subscription.high-water-mark = -5"))),
        Fails<ConfigurationException>("StasisSettings.Create", "negative low-water-mark", _ => StasisSettings.Create(Hocon("stasis.subscription.low-water-mark = -1"))),
        Fails<ConfigurationException>("StasisSettings.Create", "low-water-mark not below high", _ => StasisSettings.Create(Hocon("stasis.subscription { high-water-mark = 10, low-water-mark = 10 }"))),
        Fails<ConfigurationException>("StasisSettings.Create", "unknown failure policy", _ => StasisSettings.Create(Hocon("stasis.subscription.failure-policy = explode"))),
    ];

    /// <summary>Every row. Router and cache rows (duplicate routes, null id functions, …) are appended here.</summary>
    public static IReadOnlyList<Row> Rows { get; } = [.. CoreRows];

    public static IEnumerable<object[]> Cases => Rows.Select(r => new object[] { r.Key });

    [Fact]
    public void Every_row_has_a_unique_key()
    {
        Assert.Equal(Rows.Count, Rows.Select(r => r.Key).Distinct().Count());
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Bad_input_gets_its_documented_outcome(string key)
    {
        var row = Rows.Single(r => r.Key == key);
        var other = ActorSystem.Create("bad-input-other", "akka.loglevel = WARNING");
        try
        {
            var fixture = new Fixture(Bus, other);
            var before = row.Expected is Counted counted ? counted.Counter(fixture) : 0;
            var (result, thrown) = await Run(row, fixture);
            switch (row.Expected)
            {
                case Throws throws:
                    Assert.True(thrown?.GetType() == throws.Type, $"{key}: expected {throws.Type.Name}, got {thrown?.GetType().Name ?? "no exception"}");
                    break;
                case Holds holds:
                    Assert.Null(thrown);
                    Assert.True(holds.Check(fixture, result), $"{key}: expected {holds.What}, got {result ?? "null"}");
                    break;
                case Counted c:
                    Assert.Null(thrown);
                    Assert.Equal(before + 1, c.Counter(fixture));
                    break;
            }
        }
        finally
        {
            await other.Terminate();
        }
    }

    private async Task<(object? Result, Exception? Thrown)> Run(Row row, Fixture fixture)
    {
        try
        {
            var result = row.Act(fixture);
            if (result is Task task)
            {
                await task.WaitAsync(Dilated(TimeSpan.FromSeconds(5)));
                result = task.GetType().GetProperty("Result")?.GetValue(task);
            }
            return (result, null);
        }
        catch (Exception ex)
        {
            return (null, ex);
        }
    }
}
