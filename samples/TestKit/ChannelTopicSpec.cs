using Akka.TestKit.Xunit2;
using Stasis.Actors;
using Stasis.Actors.TestKit;
using Xunit;

namespace Pbx.Tests;

public sealed record ChannelSnapshot(string UniqueId, string State);

// <readme:testkit>
public sealed class ChannelTopicSpec : TestKit
{
    [Fact]
    public void A_forwarded_snapshot_reaches_the_all_topic_then_the_final_message()
    {
        var bus = StasisBus.Get(Sys);
        var snapshotType = bus.CreateMessageType<ChannelSnapshot>("channel_snapshot");
        var all = bus.CreateTopic("channel:all");
        var channel = bus.CreateTopic("channel:1234");
        bus.ForwardAll(channel, all);

        var probe = all.SubscribeProbe(this);               // its "Subscribe" change is already consumed
        channel.Publish(snapshotType, new ChannelSnapshot("1234", "Up"));

        Assert.Equal("Up", probe.ExpectMessage(snapshotType).Payload.State);
        channel.Publish(snapshotType, new ChannelSnapshot("1234", "Down"));
        Assert.Same(channel, probe.ExpectEnvelope().Topic);  // the topic it was published on
        probe.UnsubscribeAndExpectFinal();                  // the final message, exactly once and last
    }
}
// </readme:testkit>
