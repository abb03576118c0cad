using Akka.TestKit.Xunit2;
using Stasis.Actors.TestKit;
using Stasis.Actors.Tests.Support;
using Xunit.Abstractions;

namespace Stasis.Actors.Tests.Core;

public sealed class ForwardingSpec(ITestOutputHelper output) : StasisSpec(output)
{
    [Fact]
    public async Task Forwarded_messages_report_the_original_topic()
    {
        var child = NewTopic();
        var parent = NewTopic();
        Bus.ForwardAll(child, parent);
        var recorder = Record(parent);
        child.Publish(Ping(1));
        parent.Publish(Ping(2));
        await Await(recorder.Subscription.UnsubscribeAndJoinAsync());
        var pings = recorder.Calls.Where(c => c.Message.Data is Ping).ToList();
        Assert.Same(child, pings[0].Topic);
        Assert.Same(parent, pings[1].Topic);
    }

    [Fact]
    public async Task Selective_subscriptions_actor_subscribers_and_sampled_publishes_report_the_original_topic_too()
    {
        var child = NewTopic();
        var parent = NewTopic();
        Bus.ForwardAll(child, parent);
        var selective = Record(parent, new SubscriptionOptions { AcceptOnly = [PingType] });
        var probe = parent.SubscribeProbe(this);
        // 40 publishes: some of them take the topic's sampling path (every 16th), the others its plain loop.
        for (var i = 0; i < 40; i++)
            (i % 2 == 0 ? child : parent).Publish(Ping(i));
        for (var i = 0; i < 40; i++)
        {
            var envelope = probe.ExpectEnvelope();
            Assert.Equal(i, ((Ping)envelope.Message.Data).Seq);
            Assert.Same(i % 2 == 0 ? child : parent, envelope.Topic);
        }
        await Await(selective.Subscription.UnsubscribeAndJoinAsync());
        var pings = selective.Calls.Where(c => c.Message.Data is Ping).ToList();
        Assert.Equal(40, pings.Count);
        Assert.All(pings, c => Assert.Same(((Ping)c.Message.Data).Seq % 2 == 0 ? child : parent, c.Topic));
    }

    [Fact]
    public async Task Forwarding_is_transitive_and_cancellable()
    {
        var a = NewTopic();
        var b = NewTopic();
        var c = NewTopic();
        var ab = a.ForwardTo(b);
        b.ForwardTo(c);
        var recorder = Record(c);
        a.Publish(Ping(1));
        ab.Cancel();
        Assert.False(ab.IsActive);
        ab.Cancel(); // idempotent
        a.Publish(Ping(2));
        b.Publish(Ping(3));
        await Await(recorder.Subscription.UnsubscribeAndJoinAsync());
        Assert.Equal([1, 3], recorder.Payloads<Ping>().Select(p => p.Seq));
    }

    [Fact]
    public async Task Interleaved_publishing_through_forwarded_topics_keeps_publisher_order()
    {
        // m1 -> A, m2 -> B, m3 -> A ... where A and B forward to P (B through an extra level): P sees publish order.
        var p = NewTopic();
        var a = NewTopic();
        var b = NewTopic();
        var b2 = NewTopic();
        a.ForwardTo(p);
        b2.ForwardTo(b);
        b.ForwardTo(p);
        var recorders = Enumerable.Range(0, 4).Select(_ => Record(p)).ToList();
        var direct = Record(b);
        var topics = new[] { a, b2, a, b, p };
        for (var i = 0; i < 20000; i++)
            topics[i % topics.Length].Publish(Ping(i));
        await Await(Task.WhenAll(recorders.Append(direct).Select(r => r.Subscription.UnsubscribeAndJoinAsync())));
        foreach (var recorder in recorders)
            Assert.Equal(Enumerable.Range(0, 20000), recorder.Payloads<Ping>().Select(x => x.Seq));
        Assert.Equal(Enumerable.Range(0, 20000).Where(i => i % 5 is 1 or 3), direct.Payloads<Ping>().Select(x => x.Seq));
    }

    [Fact]
    public async Task Subscription_reached_by_two_paths_gets_each_message_once()
    {
        var a = NewTopic();
        var b = NewTopic();
        var c = NewTopic();
        a.ForwardTo(b);
        b.ForwardTo(c);
        a.ForwardTo(c);
        var recorder = Record(c);
        a.Publish(Ping(1));
        await Await(recorder.Subscription.UnsubscribeAndJoinAsync());
        Assert.Single(recorder.Payloads<Ping>());
    }

    [Fact]
    public void Cycles_and_self_forwarding_are_rejected_with_a_clear_exception()
    {
        var a = Bus.CreateTopic("cycle-a");
        var b = Bus.CreateTopic("cycle-b");
        var c = Bus.CreateTopic("cycle-c");
        a.ForwardTo(b);
        b.ForwardTo(c);
        var ex = Assert.Throws<InvalidOperationException>(() => Bus.ForwardAll(c, a));
        Assert.Contains("cycle-a -> cycle-b -> cycle-c -> cycle-a", ex.Message);
        Assert.Throws<ArgumentException>(() => Bus.ForwardAll(a, a));
        Assert.Throws<ArgumentNullException>(() => Bus.ForwardAll(a, null!));
    }

    [Fact]
    public void Disposing_a_topic_cancels_its_forwardings()
    {
        var a = NewTopic();
        var b = NewTopic();
        var forward = a.ForwardTo(b);
        b.Destroy();
        Assert.False(forward.IsActive);
        a.Publish(Ping(1));
        Assert.Equal(1, a.NotDispatchedCount);
    }

    [Fact]
    public void Topics_of_another_bus_cannot_be_forwarded_to()
    {
        using var other = new Akka.TestKit.Xunit2.TestKit(output: null);
        var foreign = StasisBus.Get(other.Sys).CreateTopic("foreign");
        Assert.Throws<ArgumentException>(() => Bus.ForwardAll(NewTopic(), foreign));
    }

    [Fact]
    public async Task Subscribing_while_forwarding_reaches_new_subscriber_from_every_source()
    {
        var parent = NewTopic();
        var children = Enumerable.Range(0, 10).Select(_ => NewTopic()).ToList();
        children.ForEach(c => c.ForwardTo(parent));
        var recorder = Record(parent);
        foreach (var child in children)
            child.Publish(PingType, new Ping(0, children.IndexOf(child)));
        await Await(recorder.Subscription.UnsubscribeAndJoinAsync());
        Assert.Equal(Enumerable.Range(0, 10), recorder.Payloads<Ping>().Select(p => p.Seq));
        Assert.All(recorder.Calls.Where(c => c.Message.Data is Ping), c => Assert.Same(children[((Ping)c.Message.Data).Seq], c.Topic));
    }
}
