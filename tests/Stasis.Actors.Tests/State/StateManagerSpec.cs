using System.Collections.Concurrent;
using Stasis.Actors.Tests.Support;
using Xunit.Abstractions;

namespace Stasis.Actors.Tests.State;

/// <summary>The payload of README's state-manager example: a mailbox's message counts.</summary>
public sealed record MailboxCounts(int New, int Old);

/// <summary>The state manager, as stasis_state.h documents it.</summary>
public sealed class StateManagerSpec : StasisSpec
{
    private readonly MessageType<MailboxCounts> _counts;

    public StateManagerSpec(ITestOutputHelper output) : base(output)
    {
        _counts = Bus.CreateMessageType<MailboxCounts>("mwi_state");
    }

    private StasisMessage<MailboxCounts> Counts(int fresh, int old) => _counts.CreateMessage(new MailboxCounts(fresh, old))!;

    private sealed class Observer : IStasisStateObserver
    {
        public ConcurrentQueue<string> Events { get; } = new();

        public void OnSubscribe(string id, StateSubscriber subscriber) => Events.Enqueue("+" + id);

        public void OnUnsubscribe(string id, StateSubscriber subscriber) => Events.Enqueue("-" + id);
    }

    [Fact]
    public async Task A_state_lives_while_it_has_a_publisher_or_subscriber_and_observers_see_both()
    {
        using var manager = new StasisStateManager(Bus, "mwi:all");
        var observer = new Observer();
        using var registration = manager.AddObserver(observer);

        var subscriber = manager.Subscribe("1000", (_, _, _) => { });
        var topic = subscriber.Topic;
        Assert.Equal("mwi:all/1000", topic.Name);
        var publisher = manager.AddPublisher("1000");
        Assert.Same(topic, publisher.Topic);
        await subscriber.UnsubscribeAndJoinAsync().WaitAsync(Patience);
        Assert.Equal(["1000"], manager.Ids); // the publisher keeps it
        Assert.False(topic.IsDestroyed);

        publisher.Dispose();

        Assert.Empty(manager.Ids);
        Assert.True(topic.IsDestroyed);
        Assert.Null(manager.GetTopic("1000"));
        Assert.Equal(["+1000", "-1000"], observer.Events);
        var again = manager.AddSubscriber("1000"); // a fresh state with a fresh topic
        Assert.NotSame(topic, again.Topic);
        Assert.Null(again.LastMessage);
    }

    [Fact]
    public void The_latest_message_is_kept_and_every_state_forwards_to_the_all_topic()
    {
        using var manager = new StasisStateManager(Bus, "mwi:all");
        var all = Record(manager.All);
        using var publisher = manager.AddPublisher("1000");
        var first = Counts(1, 0);
        var second = Counts(2, 0);

        publisher.Publish(first);
        using var late = manager.AddSubscriber("1000");
        Assert.Same(first, late.LastMessage);
        publisher.Publish(second);

        Assert.Same(second, manager.GetLastMessage("1000"));
        Assert.Same(second, late.LastMessage);
        AwaitCondition(() => all.Payloads<MailboxCounts>().Count == 2, Patience);
        Assert.All(all.Calls.Where(c => c.Message.Data is MailboxCounts), c => Assert.Equal("mwi:all/1000", c.Topic.Name));
    }

    [Fact]
    public async Task An_implicit_publisher_keeps_its_state_until_removed_with_its_eid()
    {
        using var manager = new StasisStateManager(Bus, "mwi:all");
        var other = new EntityId("02:00:00:00:00:07");
        var received = new ConcurrentQueue<int>();
        var subscriber = manager.Subscribe("2000", (_, _, m) => { if (m.Data is MailboxCounts c) received.Enqueue(c.New); });

        manager.PublishById("2000", Counts(1, 0));
        manager.PublishById("2000", Counts(2, 0), other);
        await subscriber.UnsubscribeAndJoinAsync().WaitAsync(Patience);
        Assert.Equal([1, 2], received);
        Assert.Equal(["2000"], manager.Ids);

        manager.RemovePublishById("2000", Counts(0, 3));
        Assert.Equal(["2000"], manager.Ids); // the other node's implicit publisher keeps it
        Assert.Equal(0, ((MailboxCounts)manager.GetLastMessage("2000")!.Data).New);

        manager.RemovePublishById("2000", null, other);
        Assert.Empty(manager.Ids);
        EventFilter.Warning(contains: "no state '2000'").ExpectOne(() => manager.RemovePublishById("2000"));
    }

    [Fact]
    public void For_each_walks_every_state_and_for_each_subscribed_only_the_subscribed_ones()
    {
        using var manager = new StasisStateManager(Bus, "mwi:all");
        using var a = manager.AddPublisher("a");
        using var b = manager.AddPublisher("b");
        using var c = manager.AddSubscriber("c");
        using var bSub = manager.AddSubscriber("b");
        a.Publish(Counts(5, 0));

        var all = new Dictionary<string, StasisMessage?>();
        manager.ForEach((id, last) => { all[id] = last; return true; });
        var subscribed = new List<string>();
        manager.ForEachSubscribed((id, _) => { subscribed.Add(id); return true; });
        var visited = 0;
        manager.ForEach((_, _) => ++visited < 2);

        Assert.Equal(["a", "b", "c"], all.Keys.Order());
        Assert.Equal(5, ((MailboxCounts)all["a"]!.Data).New);
        Assert.Null(all["b"]);
        Assert.Equal(["b", "c"], subscribed.Order());
        Assert.Equal(2, visited);
    }

    [Fact]
    public void Publishers_and_subscribers_added_and_removed_from_many_threads_leave_no_state()
    {
        using var manager = new StasisStateManager(Bus, "mwi:all");
        var observer = new Observer();
        using var registration = manager.AddObserver(observer);

        Parallel.For(0, 4, thread =>
        {
            for (var i = 0; i < 200; i++)
            {
                var id = "box" + (i % 10);
                using var publisher = manager.AddPublisher(id);
                var subscriber = thread % 2 == 0 ? manager.Subscribe(id, (_, _, _) => { }) : manager.AddSubscriber(id);
                publisher.Publish(Counts(i, thread));
                subscriber.Unsubscribe();
            }
        });

        Assert.Empty(manager.Ids);
        Assert.Equal(800, observer.Events.Count(e => e.StartsWith('+')));
        Assert.Equal(800, observer.Events.Count(e => e.StartsWith('-')));
    }

    [Fact]
    public void Bad_input_is_rejected_naming_the_manager_and_the_state()
    {
        using var manager = new StasisStateManager(Bus, "mwi:all");
        var publisher = manager.AddPublisher("3000");
        publisher.Dispose();
        publisher.Dispose(); // idempotent

        var noId = Assert.Throws<ArgumentException>(() => manager.AddPublisher(" "));
        var disposed = Assert.Throws<ObjectDisposedException>(() => publisher.Publish(Counts(1, 1)));

        Assert.Contains("mwi:all", noId.Message);
        Assert.Contains("'3000'", disposed.Message);
        manager.Dispose();
        Assert.Throws<ObjectDisposedException>(() => manager.AddSubscriber("4000"));
    }

    [Fact]
    public async Task The_readme_example_runs_as_written()
    {
        var bus = Bus;
        var lines = new ConcurrentQueue<string>();
        void WriteLine(string line) => lines.Enqueue(line);

        // <readme:state-manager>
        var mwi = new StasisStateManager(bus, "mwi:all");
        var mwiType = bus.CreateMessageType<MailboxCounts>("mwi_state");
        var voicemail = mwi.AddPublisher("1000@default");             // the voicemail module owns mailbox 1000
        var phone = mwi.Subscribe("1000@default", (s, topic, message) =>  // a phone's lamp follows it
        {
            if (message.Data is MailboxCounts counts) WriteLine($"{topic.Name}: {counts.New} new, {counts.Old} old");
        });

        voicemail.Publish(mwiType.CreateMessage(new MailboxCounts(New: 1, Old: 4))!);
        var latest = mwi.GetLastMessage("1000@default");               // what a phone registering now is told
        mwi.ForEachSubscribed((id, last) => { WriteLine($"{id} is watched"); return true; });

        await phone.UnsubscribeAndJoinAsync();                          // the mailbox state stays: voicemail publishes it
        voicemail.Dispose();                                            // now nothing keeps it: its topic is destroyed
        // </readme:state-manager>

        Assert.Equal(["1000@default is watched", "mwi:all/1000@default: 1 new, 4 old"], lines.Order());
        Assert.Equal(new MailboxCounts(1, 4), latest!.Data);
        Assert.Empty(mwi.Ids);
    }
}
