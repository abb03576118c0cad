using Stasis.Actors.TestKit;
using Stasis.Actors.Tests.Support;
using Xunit.Abstractions;

namespace Stasis.Actors.Tests.Testing;

public sealed class StasisProbeSpec(ITestOutputHelper output) : StasisSpec(output)
{
    [Fact]
    public void A_probe_skips_its_Subscribe_change_and_checks_its_final_message()
    {
        var topic = NewTopic();
        var probe = topic.SubscribeProbe(this, new SubscriptionOptions { Name = "probe-1" });
        topic.Publish(Ping(1));
        Assert.Equal(new Ping(0, 1), probe.ExpectMessage<Ping>());
        Assert.Equal(new Pong("x"), probe.PublishAndExpect(PongType, new Pong("x")).Payload);
        var final = probe.UnsubscribeAndExpectFinal();
        Assert.True(probe.Subscription.IsFinalMessage(final));
        topic.Publish(Ping(2));
        probe.ExpectNoMessage();
    }

    [Fact]
    public void A_wrong_message_fails_naming_the_topic_subscription_and_what_arrived()
    {
        var topic = NewTopic("channel:probe");
        var probe = topic.SubscribeProbe(this, new SubscriptionOptions { Name = "watcher" });
        topic.Publish(Ping(1));
        var wrongPayload = Assert.Throws<StasisExpectationException>(() => probe.ExpectMessage<Pong>());
        Assert.Contains("Pong", wrongPayload.Message);
        Assert.Contains("watcher", wrongPayload.Message);
        Assert.Contains("channel:probe", wrongPayload.Message);
        Assert.Contains("test_ping", wrongPayload.Message);

        var otherType = Bus.CreateMessageType<Ping>("test_ping_2");
        topic.Publish(Ping(2));
        Assert.Throws<StasisExpectationException>(() => probe.ExpectMessage(otherType));
        topic.Publish(Ping(3));
        var notFinal = Assert.Throws<StasisExpectationException>(() => probe.ExpectFinalMessage());
        Assert.Contains("final message", notFinal.Message);
    }

    [Fact]
    public async Task Disposing_a_probe_unsubscribes_it_and_delivers_its_final_message()
    {
        var topic = NewTopic();
        var probe = topic.SubscribeProbe(this);
        await probe.DisposeAsync();
        probe.ExpectFinalMessage();
        Assert.Equal(0, topic.SubscriberCount);
    }

    [Fact]
    public async Task AwaitEntry_waits_for_an_entry_written_on_another_thread_and_names_what_is_missing()
    {
        var topic = NewTopic();
        var cache = new StasisCache(Bus, m => (m.Data as Ping)?.Publisher.ToString());
        using var caching = cache.CreateCachingTopic(topic);
        var writer = Task.Run(() => { for (var i = 1; i <= 5; i++) topic.Publish(Ping(i, publisher: 7)); });
        var entry = cache.AwaitEntry(this, PingType, "7", m => ((Ping)m.Data).Seq == 5);
        Assert.Equal(new Ping(7, 5), entry.Data);
        await Await(writer);

        var missing = Assert.ThrowsAny<Exception>(() => cache.AwaitEntry(this, PingType, "8", timeout: TimeSpan.FromMilliseconds(200)));
        Assert.Contains("id 8", missing.ToString());
    }
}
