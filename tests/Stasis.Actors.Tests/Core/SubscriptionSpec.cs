using Akka.Actor;
using Stasis.Actors.Tests.Support;
using Xunit.Abstractions;

namespace Stasis.Actors.Tests.Core;

public sealed class SubscriptionSpec(ITestOutputHelper output) : StasisSpec(output)
{
    [Fact]
    public async Task First_message_is_the_Subscribe_change_and_last_is_the_final_Unsubscribe()
    {
        var topic = NewTopic();
        var recorder = Record(topic);
        topic.Publish(Ping(1));
        await Await(recorder.Subscription.UnsubscribeAndJoinAsync());

        var messages = recorder.Messages;
        Assert.Equal(3, messages.Count);
        var subscribe = Assert.IsType<StasisMessage<SubscriptionChange>>(messages[0]).Payload;
        Assert.Equal(SubscriptionChangeKind.Subscribe, subscribe.Kind);
        Assert.Equal("Subscribe", subscribe.Description);
        Assert.Equal(recorder.Subscription.Id, subscribe.SubscriptionId);
        Assert.Same(topic, subscribe.Topic);
        Assert.True(recorder.Subscription.IsFinalMessage(messages[2]));
        Assert.Equal("Unsubscribe", ((SubscriptionChange)messages[2].Data).Description);
        Assert.False(recorder.Subscription.IsFinalMessage(messages[0]));
        Assert.False(recorder.Subscription.IsFinalMessage(messages[1]));
    }

    [Fact]
    public async Task IsDone_is_already_true_while_the_final_message_is_handled()
    {
        var topic = NewTopic();
        var recorder = Record(topic);
        topic.Publish(Ping(1));
        Assert.True(recorder.Subscription.IsSubscribed);
        await Await(recorder.Subscription.UnsubscribeAndJoinAsync());
        Assert.False(recorder.Subscription.IsSubscribed);
        Assert.True(recorder.Subscription.IsDone);
        Assert.Equal([false, false, true], recorder.Calls.Select(c => c.WasDone));
    }

    [Fact]
    public async Task Other_subscribers_see_the_change_messages()
    {
        var topic = NewTopic();
        var watcher = Record(topic);
        var other = Record(topic);
        await Await(other.Subscription.UnsubscribeAndJoinAsync());
        await AwaitAssertAsync(() =>
        {
            var changes = watcher.Payloads<SubscriptionChange>().Where(c => c.SubscriptionId == other.Subscription.Id).ToList();
            Assert.Equal([SubscriptionChangeKind.Subscribe, SubscriptionChangeKind.Unsubscribe], changes.Select(c => c.Kind));
        }, Patience);
        Assert.False(watcher.Subscription.IsFinalMessage(other.Messages[^1]));
    }

    [Fact]
    public async Task Handler_calls_are_serialized_and_in_publish_order()
    {
        var topic = NewTopic();
        var inside = 0;
        var overlaps = 0;
        var recorder = Record(topic, also: (_, _, _) =>
        {
            if (Interlocked.Increment(ref inside) > 1)
                Interlocked.Increment(ref overlaps);
            Thread.SpinWait(200);
            Interlocked.Decrement(ref inside);
        });
        for (var i = 0; i < 2000; i++)
            topic.Publish(Ping(i));
        await Await(recorder.Subscription.UnsubscribeAndJoinAsync());
        Assert.Equal(0, overlaps);
        Assert.Equal(Enumerable.Range(0, 2000), recorder.Payloads<Ping>().Select(p => p.Seq));
    }

    [Fact]
    public async Task Many_publisher_threads_and_subscriptions_keep_each_publishers_order()
    {
        const int publishers = 6, perPublisher = 3000;
        var topic = NewTopic();
        var recorders = Enumerable.Range(0, 8).Select(_ => Record(topic)).ToList();
        using var start = new Barrier(publishers);
        var threads = Enumerable.Range(0, publishers).Select(p => Task.Factory.StartNew(() =>
        {
            start.SignalAndWait();
            for (var i = 0; i < perPublisher; i++)
                topic.Publish(PingType, new Ping(p, i));
        }, TaskCreationOptions.LongRunning)).ToArray();
        await Await(Task.WhenAll(threads));
        await Await(Task.WhenAll(recorders.Select(r => r.Subscription.UnsubscribeAndJoinAsync())));

        foreach (var recorder in recorders)
        {
            var pings = recorder.Payloads<Ping>();
            Assert.Equal(publishers * perPublisher, pings.Count);
            foreach (var group in pings.GroupBy(p => p.Publisher))
                Assert.Equal(Enumerable.Range(0, perPublisher), group.Select(p => p.Seq));
        }
    }

    [Fact]
    public async Task Unsubscribe_delivers_queued_messages_then_final()
    {
        var topic = NewTopic();
        var gate = new ManualResetEventSlim();
        var recorder = Record(topic, also: (_, _, m) => { if (m.Data is Ping { Seq: 0 }) gate.Wait(Patience); });
        for (var i = 0; i < 100; i++)
            topic.Publish(Ping(i));
        recorder.Subscription.Unsubscribe();
        topic.Publish(Ping(999)); // after Unsubscribe returned: never delivered
        gate.Set();
        await Await(recorder.Subscription.JoinAsync());
        Assert.Equal(Enumerable.Range(0, 100), recorder.Payloads<Ping>().Select(p => p.Seq));
        Assert.True(recorder.Subscription.IsFinalMessage(recorder.Messages[^1]));
    }

    [Fact]
    public async Task Unsubscribe_racing_with_publishers_delivers_final_exactly_once_and_last()
    {
        var topic = NewTopic();
        for (var round = 0; round < 20; round++)
        {
            var recorders = Enumerable.Range(0, 5).Select(_ => Record(topic)).ToList();
            using var cancel = new CancellationTokenSource();
            var publishers = Enumerable.Range(0, 3).Select(p => Task.Run(() =>
            {
                var seq = 0;
                while (!cancel.IsCancellationRequested)
                    topic.Publish(PingType, new Ping(p, seq++));
            })).ToArray();
            await Await(Task.WhenAll(recorders.Select(r => r.Subscription.UnsubscribeAndJoinAsync())));
            await cancel.CancelAsync();
            await Await(Task.WhenAll(publishers));
            foreach (var recorder in recorders)
            {
                Assert.Equal(1, recorder.FinalCount);
                Assert.True(recorder.Subscription.IsFinalMessage(recorder.Messages[^1]));
                foreach (var group in recorder.Payloads<Ping>().GroupBy(p => p.Publisher))
                    Assert.Equal(group.Select(p => p.Seq).Order(), group.Select(p => p.Seq));
            }
        }
    }

    [Fact]
    public async Task Unsubscribe_twice_is_a_no_op()
    {
        var recorder = Record(NewTopic());
        recorder.Subscription.Unsubscribe();
        recorder.Subscription.Unsubscribe();
        await Await(recorder.Subscription.UnsubscribeAndJoinAsync());
        Assert.Equal(1, recorder.FinalCount);
        Assert.Equal(2, recorder.Messages.Count);
    }

    [Fact]
    public async Task Unsubscribe_from_inside_the_handler_is_safe()
    {
        var topic = NewTopic();
        var recorder = Record(topic, also: (s, _, m) => { if (m.Data is Ping { Seq: 3 }) s.Unsubscribe(); });
        for (var i = 1; i <= 5; i++)
            topic.Publish(Ping(i));
        await Await(recorder.Subscription.JoinAsync());
        var seqs = recorder.Payloads<Ping>().Select(p => p.Seq).ToList();
        Assert.Equal(seqs.Count, seqs.Distinct().Count());
        Assert.Equal([1, 2, 3], seqs.Take(3));
        Assert.True(recorder.Subscription.IsFinalMessage(recorder.Messages[^1]));
        Assert.Equal(1, recorder.FinalCount);
    }

    [Fact]
    public async Task UnsubscribeAndJoin_completes_only_after_the_final_handler_returned()
    {
        var topic = NewTopic();
        var release = new ManualResetEventSlim();
        var returned = 0;
        var subscription = topic.Subscribe((s, _, m) =>
        {
            if (!s.IsFinalMessage(m))
                return;
            release.Wait(Patience);
            Volatile.Write(ref returned, 1);
        });
        var join = subscription.UnsubscribeAndJoinAsync();
        Assert.False(join.IsCompleted);
        release.Set();
        await Await(join);
        Assert.Equal(1, Volatile.Read(ref returned));
    }

    [Fact]
    public async Task Join_can_be_cancelled_without_blocking()
    {
        var subscription = NewTopic().Subscribe((_, _, _) => { });
        using var cancel = new CancellationTokenSource();
        var join = subscription.JoinAsync(cancel.Token);
        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => join);
        Assert.True(subscription.IsSubscribed);
    }

    [Fact]
    public void Subscriptions_have_unique_ids()
    {
        var topic = NewTopic();
        var ids = Enumerable.Range(0, 100).Select(_ => topic.Subscribe((_, _, _) => { }).Id).ToList();
        Assert.Equal(100, ids.Distinct().Count());
    }

    [Fact]
    public async Task Accept_only_filter_queues_only_accepted_types_and_own_changes()
    {
        var topic = NewTopic();
        var recorder = Record(topic, new SubscriptionOptions { AcceptOnly = [PongType] });
        Record(topic); // another subscriber's Subscribe change is filtered too
        topic.Publish(Ping(1));
        topic.Publish(PongType, new Pong("yes"));
        await Await(recorder.Subscription.UnsubscribeAndJoinAsync());
        Assert.Equal(3, recorder.Messages.Count);
        Assert.Equal(new Pong("yes"), recorder.Messages[1].Data);
        Assert.IsType<SubscriptionChange>(recorder.Messages[0].Data);
        Assert.True(recorder.Subscription.IsFinalMessage(recorder.Messages[2]));
    }

    [Fact]
    public async Task Declined_types_are_filtered_before_queueing_and_counted()
    {
        var topic = NewTopic();
        var recorder = Record(topic, new SubscriptionOptions { Decline = [PingType] });
        topic.Publish(Ping(1));
        topic.Publish(PongType, new Pong("kept"));
        recorder.Subscription.DeclineMessageType(PongType);
        topic.Publish(PongType, new Pong("dropped"));
        await Await(recorder.Subscription.UnsubscribeAndJoinAsync());
        Assert.Equal([new Pong("kept")], recorder.Payloads<Pong>());
        Assert.Empty(recorder.Payloads<Ping>());
        Assert.Equal(2, recorder.Subscription.FilteredCount);
    }

    [Fact]
    public async Task Accepting_a_type_at_run_time_makes_the_filter_selective()
    {
        var topic = NewTopic();
        var recorder = Record(topic);
        topic.Publish(Ping(1));
        recorder.Subscription.AcceptMessageType(PongType);
        topic.Publish(Ping(2));
        topic.Publish(PongType, new Pong("p"));
        await Await(recorder.Subscription.UnsubscribeAndJoinAsync());
        Assert.Equal([1], recorder.Payloads<Ping>().Select(p => p.Seq));
        Assert.Equal([new Pong("p")], recorder.Payloads<Pong>());
    }

    [Fact]
    public async Task PublishSync_completes_after_the_named_subscription_handled_the_message()
    {
        var topic = NewTopic();
        var handled = 0;
        var waited = topic.Subscribe((_, _, m) => { if (m.Data is Ping) Volatile.Write(ref handled, 1); });
        var other = Record(topic);
        Assert.True(await Await(topic.PublishSyncAsync(Ping(1), waited)));
        Assert.Equal(1, Volatile.Read(ref handled));
        await AwaitAssertAsync(() => Assert.Single(other.Payloads<Ping>()), Patience);
    }

    [Fact]
    public async Task PublishSync_returns_false_when_the_subscription_does_not_receive_the_message()
    {
        var topic = NewTopic();
        var filtered = topic.Subscribe((_, _, _) => { }, new SubscriptionOptions { AcceptOnly = [PongType] });
        Assert.False(await Await(topic.PublishSyncAsync(Ping(1), filtered)));
        var ended = topic.Subscribe((_, _, _) => { });
        await Await(ended.UnsubscribeAndJoinAsync());
        Assert.False(await Await(topic.PublishSyncAsync(Ping(2), ended)));
        var elsewhere = NewTopic().Subscribe((_, _, _) => { });
        Assert.False(await Await(topic.PublishSyncAsync(Ping(3), elsewhere)));
    }

    [Fact]
    public void TestProbe_subscriber_receives_envelopes_from_Subscribe_to_final()
    {
        var topic = NewTopic();
        var probe = CreateTestProbe();
        var subscription = topic.Subscribe(probe.Ref);
        topic.Publish(Ping(1));
        var first = probe.ExpectMsg<StasisEnvelope>();
        Assert.Equal(SubscriptionChangeKind.Subscribe, ((SubscriptionChange)first.Message.Data).Kind);
        var ping = probe.ExpectMsg<StasisEnvelope>();
        Assert.Same(topic, ping.Topic);
        Assert.Equal(new Ping(0, 1), ping.Message.Data);
        subscription.Unsubscribe();
        Assert.True(subscription.IsFinalMessage(probe.ExpectMsg<StasisEnvelope>().Message));
        topic.Publish(Ping(2));
        probe.ExpectNoMsg(Dilated(TimeSpan.FromMilliseconds(200)));
    }

    [Fact]
    public void Actor_subscriber_that_stops_without_unsubscribing_is_removed()
    {
        var topic = NewTopic();
        var probe = CreateTestProbe();
        var subscription = topic.Subscribe(probe.Ref);
        Watch(subscription.Actor);
        Sys.Stop(probe.Ref);
        ExpectTerminated(subscription.Actor, Patience);
        Assert.False(subscription.IsSubscribed);
        Assert.True(subscription.IsDone);
        Assert.Equal(0, topic.SubscriberCount);
    }

    [Fact]
    public async Task Thousands_of_short_lived_actor_subscribers_leave_the_subscriber_set_as_it_was()
    {
        var topic = NewTopic();
        Record(topic);
        var start = topic.SubscriberCount;
        var subscriptions = new List<Subscription>();
        for (var i = 0; i < 2000; i++)
        {
            var actor = Sys.ActorOf(Props.Create(() => new Sink()));
            subscriptions.Add(topic.Subscribe(actor));
            topic.Publish(Ping(i));
            actor.Tell(PoisonPill.Instance);
        }
        await Await(Task.WhenAll(subscriptions.Select(s => s.JoinAsync())));
        Assert.Equal(start, topic.SubscriberCount);
        Assert.All(subscriptions, s => Assert.False(s.IsSubscribed));
    }

    [Fact]
    public void Water_marks_out_of_range_are_rejected()
    {
        var topic = NewTopic();
        Assert.Throws<ArgumentException>(() => topic.Subscribe((_, _, _) => { }, new SubscriptionOptions { HighWaterMark = -1 }));
        Assert.Throws<ArgumentException>(() => topic.Subscribe((_, _, _) => { }, new SubscriptionOptions { HighWaterMark = 10, LowWaterMark = 10 }));
        var subscription = topic.Subscribe((_, _, _) => { }, new SubscriptionOptions { HighWaterMark = 100 });
        Assert.Equal(90, subscription.LowWaterMark);
        Assert.Equal(1, topic.SubscriberCount);
    }

    private sealed class Sink : ReceiveActor
    {
        public Sink() => ReceiveAny(_ => { });
    }
}
